// Float lane arithmetic against the spec's fadd/fsub/fmul/fdiv/fsqrt,
// fmin/fmax (NaN wins, -0 < +0), pmin/pmax (b < a ? b : a), fabs/fneg (sign
// bit only, NaNs untouched) and the roundings. NaN results are checked with
// the spec's rule: canonical when every NaN input was, arithmetic otherwise.
#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86  // the semantics exist only for x86-64 hosts (host.h)
#include "tests/unit/simd/reference.h"

namespace vivarium::engine::simd::test {
namespace {

template <class F> constexpr Lanes kL = sizeof(F) == 4 ? Lanes::F32 : Lanes::F64;

// An IEEE operation with the spec's NaN propagation rule on top.
template <class F, class Op> auto ieee2(Op op) {
  return [op](F x, F y) {
    F r = op(x, y);
    return std::isnan(r) ? nan_result<F>({x, y}) : r;
  };
}
template <class F, class Op> auto ieee1(Op op) {
  return [op](F x) {
    F r = op(x);
    return std::isnan(r) ? nan_result<F>({x}) : r;
  };
}

template <class F> F ref_min(F x, F y) {
  if (std::isnan(x) || std::isnan(y)) return nan_result<F>({x, y});
  if (x == 0 && y == 0) return std::signbit(x) ? x : y;  // -0 < +0
  return x < y ? x : y;
}
template <class F> F ref_max(F x, F y) {
  if (std::isnan(x) || std::isnan(y)) return nan_result<F>({x, y});
  if (x == 0 && y == 0) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}
template <class F> F ref_abs(F x) { return from_bits<F>(to_bits(x) & ~(Bits<F>{1} << (sizeof(F) * 8 - 1))); }
template <class F> F ref_neg(F x) { return from_bits<F>(to_bits(x) ^ (Bits<F>{1} << (sizeof(F) * 8 - 1))); }

template <class F>
void check_float_ops(v128 (*add)(v128, v128), v128 (*sub)(v128, v128), v128 (*mul)(v128, v128),
                     v128 (*div)(v128, v128), v128 (*sqrt_)(v128), v128 (*min)(v128, v128),
                     v128 (*max)(v128, v128), v128 (*pmin)(v128, v128), v128 (*pmax)(v128, v128),
                     v128 (*abs)(v128), v128 (*neg)(v128)) {
  lanewise2<F>("add", add, ieee2<F>([](F x, F y) { return x + y; }), kL<F>);
  lanewise2<F>("sub", sub, ieee2<F>([](F x, F y) { return x - y; }), kL<F>);
  lanewise2<F>("mul", mul, ieee2<F>([](F x, F y) { return x * y; }), kL<F>);
  lanewise2<F>("div", div, ieee2<F>([](F x, F y) { return x / y; }), kL<F>);
  lanewise1<F>("sqrt", sqrt_, ieee1<F>([](F x) { return std::sqrt(x); }), kL<F>);
  lanewise2<F>("min", min, ref_min<F>, kL<F>);
  lanewise2<F>("max", max, ref_max<F>, kL<F>);
  // pmin/pmax return one operand's exact bits, NaNs included.
  lanewise2<F>("pmin", pmin, [](F x, F y) { return y < x ? y : x; });
  lanewise2<F>("pmax", pmax, [](F x, F y) { return x < y ? y : x; });
  lanewise1<F>("abs", abs, ref_abs<F>);
  lanewise1<F>("neg", neg, ref_neg<F>);
}

TEST(SimdFloat, F32x4Arith) {
  check_float_ops<float>(f32x4_add, f32x4_sub, f32x4_mul, f32x4_div, f32x4_sqrt, f32x4_min, f32x4_max, f32x4_pmin,
                         f32x4_pmax, f32x4_abs, f32x4_neg);
}
TEST(SimdFloat, F64x2Arith) {
  check_float_ops<double>(f64x2_add, f64x2_sub, f64x2_mul, f64x2_div, f64x2_sqrt, f64x2_min, f64x2_max, f64x2_pmin,
                          f64x2_pmax, f64x2_abs, f64x2_neg);
}

// Ties to even for nearest; the sign of zero results is kept (ceil(-0.5) = -0).
template <class F>
void check_rounding(v128 (*ceil_)(v128), v128 (*floor_)(v128), v128 (*trunc_)(v128), v128 (*nearest)(v128)) {
  lanewise1<F>("ceil", ceil_, ieee1<F>([](F x) { return std::ceil(x); }), kL<F>);
  lanewise1<F>("floor", floor_, ieee1<F>([](F x) { return std::floor(x); }), kL<F>);
  lanewise1<F>("trunc", trunc_, ieee1<F>([](F x) { return std::trunc(x); }), kL<F>);
  lanewise1<F>("nearest", nearest, ieee1<F>([](F x) { return std::nearbyint(x); }), kL<F>);
}
TEST(SimdFloat, F32x4Rounding) { check_rounding<float>(f32x4_ceil, f32x4_floor, f32x4_trunc, f32x4_nearest); }
TEST(SimdFloat, F64x2Rounding) { check_rounding<double>(f64x2_ceil, f64x2_floor, f64x2_trunc, f64x2_nearest); }

// The cases minps/maxps get wrong, spelled out.
TEST(SimdFloat, MinMaxZeroSignsAndNaN) {
  Vec a, b;
  a.set<float>(0, -0.0f); b.set<float>(0, 0.0f);
  a.set<float>(1, 0.0f);  b.set<float>(1, -0.0f);
  a.set<float>(2, 1.0f);  b.set<uint32_t>(2, 0x7FA00000);  // signalling NaN
  a.set<uint32_t>(3, 0xFFC00000); b.set<float>(3, 1.0f);
  Vec mn = Vec::of(f32x4_min(a.m(), b.m())), mx = Vec::of(f32x4_max(a.m(), b.m()));
  EXPECT_EQ(mn.get<uint32_t>(0), 0x80000000u);
  EXPECT_EQ(mn.get<uint32_t>(1), 0x80000000u);
  EXPECT_EQ(mx.get<uint32_t>(0), 0u);
  EXPECT_EQ(mx.get<uint32_t>(1), 0u);
  EXPECT_TRUE(std::isnan(mn.get<float>(2)) && std::isnan(mx.get<float>(2)));
  EXPECT_TRUE(std::isnan(mn.get<float>(3)) && std::isnan(mx.get<float>(3)));
  EXPECT_TRUE(mn.get<uint32_t>(2) & 0x00400000u) << "NaN result must be quiet";
}

}  // namespace
}  // namespace vivarium::engine::simd::test

#endif  // VIV_SIMD_HOST_X86
