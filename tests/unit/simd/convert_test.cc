// Conversions: saturating truncation (NaN -> 0, out of range -> the bound),
// int -> float with round-to-nearest, and demote/promote with NaN rules.
#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86  // the semantics exist only for x86-64 hosts (host.h)
#include "tests/unit/simd/reference.h"

namespace vivarium::engine::simd::test {
namespace {

// Spec trunc_sat: NaN -> 0, otherwise truncate and clamp to the range of I.
template <class I, class F> I ref_trunc_sat(F x) {
  if (std::isnan(x)) return 0;
  F t = std::trunc(x);
  if (t <= F(std::numeric_limits<I>::min())) return std::numeric_limits<I>::min();
  if (t >= F(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return I(t);
}

TEST(SimdConvert, TruncSatF32) {
  lanewise1<float>("i32x4.trunc_sat_f32x4_s", i32x4_trunc_sat_f32x4_s, ref_trunc_sat<int32_t, float>);
  lanewise1<float>("i32x4.trunc_sat_f32x4_u", i32x4_trunc_sat_f32x4_u, ref_trunc_sat<uint32_t, float>);
}

TEST(SimdConvert, TruncSatF64Zero) {
  auto ref = [](auto conv) {
    return [conv](const Vec& a) {
      Vec r;  // upper two lanes zero
      for (int i = 0; i < 2; ++i) r.set(i, conv(a.get<double>(i)));
      return r;
    };
  };
  check_unary<double>("i32x4.trunc_sat_f64x2_s_zero", i32x4_trunc_sat_f64x2_s_zero, ref(ref_trunc_sat<int32_t, double>));
  check_unary<double>("i32x4.trunc_sat_f64x2_u_zero", i32x4_trunc_sat_f64x2_u_zero, ref(ref_trunc_sat<uint32_t, double>));
}

TEST(SimdConvert, IntToFloat) {
  lanewise1<int32_t>("f32x4.convert_i32x4_s", f32x4_convert_i32x4_s, [](int32_t x) { return float(x); });
  lanewise1<uint32_t>("f32x4.convert_i32x4_u", f32x4_convert_i32x4_u, [](uint32_t x) { return float(x); });
  check_unary<int32_t>("f64x2.convert_low_i32x4_s", f64x2_convert_low_i32x4_s, [](const Vec& a) {
    Vec r;
    for (int i = 0; i < 2; ++i) r.set<double>(i, double(a.get<int32_t>(i)));
    return r;
  });
  check_unary<int32_t>("f64x2.convert_low_i32x4_u", f64x2_convert_low_i32x4_u, [](const Vec& a) {
    Vec r;
    for (int i = 0; i < 2; ++i) r.set<double>(i, double(a.get<uint32_t>(i)));
    return r;
  });
}

// u32 -> f32 rounding ties: 0x80000080 lies halfway between two floats and
// must round to even, which a naive two-step conversion can miss.
TEST(SimdConvert, UnsignedToFloatRounding) {
  for (uint32_t x : {0x80000080u, 0x80000180u, 0xFFFFFF80u, 0xFFFFFFFFu, 0x01000001u, 0x7FFFFFC0u}) {
    Vec r = Vec::of(f32x4_convert_i32x4_u(Vec::splat<uint32_t>(x).m()));
    EXPECT_EQ(r.get<float>(2), float(x)) << std::hex << x;
  }
}

TEST(SimdConvert, DemotePromote) {
  check_unary<double>("f32x4.demote_f64x2_zero", f32x4_demote_f64x2_zero, [](const Vec& a) {
    Vec r;
    for (int i = 0; i < 2; ++i) {
      double x = a.get<double>(i);
      r.set<float>(i, !std::isnan(x) ? float(x) : is_canonical<double>(to_bits(x)) ? canonical_nan<float>() : arithmetic_nan<float>());
    }
    return r;
  }, Lanes::F32);
  check_unary<float>("f64x2.promote_low_f32x4", f64x2_promote_low_f32x4, [](const Vec& a) {
    Vec r;
    for (int i = 0; i < 2; ++i) {
      float x = a.get<float>(i);
      r.set<double>(i, !std::isnan(x) ? double(x) : is_canonical<float>(to_bits(x)) ? canonical_nan<double>() : arithmetic_nan<double>());
    }
    return r;
  }, Lanes::F64);
}

}  // namespace
}  // namespace vivarium::engine::simd::test

#endif  // VIV_SIMD_HOST_X86
