// Integer and float comparisons against the spec's ieq/ine/ilt/.../feq/...
// (all-ones for true lanes), including NaN operands (ordered predicates false,
// ne true) and -0 == +0.
#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86  // the semantics exist only for x86-64 hosts (host.h)
#include "tests/unit/simd/reference.h"

namespace vivarium::engine::simd::test {
namespace {

template <class T>
void check_int_compares(v128 (*eq)(v128, v128), v128 (*ne)(v128, v128), v128 (*lt_s)(v128, v128),
                        v128 (*gt_s)(v128, v128), v128 (*le_s)(v128, v128), v128 (*ge_s)(v128, v128)) {
  lanewise2<T>("eq", eq, [](T x, T y) { return mask<T>(x == y); });
  lanewise2<T>("ne", ne, [](T x, T y) { return mask<T>(x != y); });
  lanewise2<T>("lt_s", lt_s, [](T x, T y) { return mask<T>(x < y); });
  lanewise2<T>("gt_s", gt_s, [](T x, T y) { return mask<T>(x > y); });
  lanewise2<T>("le_s", le_s, [](T x, T y) { return mask<T>(x <= y); });
  lanewise2<T>("ge_s", ge_s, [](T x, T y) { return mask<T>(x >= y); });
}
template <class T>
void check_unsigned_compares(v128 (*lt_u)(v128, v128), v128 (*gt_u)(v128, v128), v128 (*le_u)(v128, v128),
                             v128 (*ge_u)(v128, v128)) {
  using U = std::make_unsigned_t<T>;
  lanewise2<T>("lt_u", lt_u, [](T x, T y) { return mask<T>(U(x) < U(y)); });
  lanewise2<T>("gt_u", gt_u, [](T x, T y) { return mask<T>(U(x) > U(y)); });
  lanewise2<T>("le_u", le_u, [](T x, T y) { return mask<T>(U(x) <= U(y)); });
  lanewise2<T>("ge_u", ge_u, [](T x, T y) { return mask<T>(U(x) >= U(y)); });
}

TEST(SimdCompare, I8x16) {
  check_int_compares<int8_t>(i8x16_eq, i8x16_ne, i8x16_lt_s, i8x16_gt_s, i8x16_le_s, i8x16_ge_s);
  check_unsigned_compares<int8_t>(i8x16_lt_u, i8x16_gt_u, i8x16_le_u, i8x16_ge_u);
}
TEST(SimdCompare, I16x8) {
  check_int_compares<int16_t>(i16x8_eq, i16x8_ne, i16x8_lt_s, i16x8_gt_s, i16x8_le_s, i16x8_ge_s);
  check_unsigned_compares<int16_t>(i16x8_lt_u, i16x8_gt_u, i16x8_le_u, i16x8_ge_u);
}
TEST(SimdCompare, I32x4) {
  check_int_compares<int32_t>(i32x4_eq, i32x4_ne, i32x4_lt_s, i32x4_gt_s, i32x4_le_s, i32x4_ge_s);
  check_unsigned_compares<int32_t>(i32x4_lt_u, i32x4_gt_u, i32x4_le_u, i32x4_ge_u);
}
// i64x2 has signed comparisons only; gt_s is the overflow-corrected
// subtraction, so the extremes matter most.
TEST(SimdCompare, I64x2) {
  check_int_compares<int64_t>(i64x2_eq, i64x2_ne, i64x2_lt_s, i64x2_gt_s, i64x2_le_s, i64x2_ge_s);
  Vec a, b;
  a.set<int64_t>(0, INT64_MAX); b.set<int64_t>(0, INT64_MIN);
  a.set<int64_t>(1, INT64_MIN); b.set<int64_t>(1, 1);
  Vec r = Vec::of(i64x2_gt_s(a.m(), b.m()));
  EXPECT_EQ(r.get<int64_t>(0), -1);
  EXPECT_EQ(r.get<int64_t>(1), 0);
}

template <class F, class I>
void check_float_compares(v128 (*eq)(v128, v128), v128 (*ne)(v128, v128), v128 (*lt)(v128, v128),
                          v128 (*gt)(v128, v128), v128 (*le)(v128, v128), v128 (*ge)(v128, v128)) {
  auto m = [](bool c) { return mask<I>(c); };
  lanewise2<F>("eq", eq, [&](F x, F y) { return m(x == y); });
  lanewise2<F>("ne", ne, [&](F x, F y) { return m(x != y); });
  lanewise2<F>("lt", lt, [&](F x, F y) { return m(x < y); });
  lanewise2<F>("gt", gt, [&](F x, F y) { return m(x > y); });
  lanewise2<F>("le", le, [&](F x, F y) { return m(x <= y); });
  lanewise2<F>("ge", ge, [&](F x, F y) { return m(x >= y); });
}
TEST(SimdCompare, F32x4) { check_float_compares<float, int32_t>(f32x4_eq, f32x4_ne, f32x4_lt, f32x4_gt, f32x4_le, f32x4_ge); }
TEST(SimdCompare, F64x2) { check_float_compares<double, int64_t>(f64x2_eq, f64x2_ne, f64x2_lt, f64x2_gt, f64x2_le, f64x2_ge); }

}  // namespace
}  // namespace vivarium::engine::simd::test

#endif  // VIV_SIMD_HOST_X86
