// Lane-width changes: extend, narrow (saturating), extmul, extadd_pairwise,
// dot and q15mulr_sat, against references written from the spec.
#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86  // the semantics exist only for x86-64 hosts (host.h)
#include "tests/unit/simd/reference.h"

namespace vivarium::engine::simd::test {
namespace {

// Wide lane i of the result comes from narrow lane (base + i), read as Narrow
// (signed or unsigned) and widened to Wide.
template <class Narrow, class Wide>
Vec extend_ref(const Vec& a, int base) {
  Vec r;
  for (int i = 0; i < lanes<Wide>(); ++i) r.set<Wide>(i, Wide(a.get<Narrow>(base + i)));
  return r;
}
template <class Narrow, class Wide>
void check_extend(v128 (*low)(v128), v128 (*high)(v128)) {
  check_unary<Narrow>("extend_low", low, [](const Vec& a) { return extend_ref<Narrow, Wide>(a, 0); });
  check_unary<Narrow>("extend_high", high, [](const Vec& a) { return extend_ref<Narrow, Wide>(a, lanes<Wide>()); });
}
TEST(SimdWiden, Extend) {
  check_extend<int8_t, int16_t>(i16x8_extend_low_i8x16_s, i16x8_extend_high_i8x16_s);
  check_extend<uint8_t, uint16_t>(i16x8_extend_low_i8x16_u, i16x8_extend_high_i8x16_u);
  check_extend<int16_t, int32_t>(i32x4_extend_low_i16x8_s, i32x4_extend_high_i16x8_s);
  check_extend<uint16_t, uint32_t>(i32x4_extend_low_i16x8_u, i32x4_extend_high_i16x8_u);
  check_extend<int32_t, int64_t>(i64x2_extend_low_i32x4_s, i64x2_extend_high_i32x4_s);
  check_extend<uint32_t, uint64_t>(i64x2_extend_low_i32x4_u, i64x2_extend_high_i32x4_u);
}

// narrow: lanes of a then lanes of b, each (signed) input saturated to Out.
template <class In, class Out>
void check_narrow(v128 (*fn)(v128, v128)) {
  check_binary<In>("narrow", fn, [](const Vec& a, const Vec& b) {
    Vec r;
    for (int i = 0; i < lanes<In>(); ++i) {
      r.set<Out>(i, sat<Out>(int64_t(a.get<In>(i))));
      r.set<Out>(i + lanes<In>(), sat<Out>(int64_t(b.get<In>(i))));
    }
    return r;
  });
}
TEST(SimdWiden, Narrow) {
  check_narrow<int16_t, int8_t>(i8x16_narrow_i16x8_s);
  check_narrow<int16_t, uint8_t>(i8x16_narrow_i16x8_u);
  check_narrow<int32_t, int16_t>(i16x8_narrow_i32x4_s);
  check_narrow<int32_t, uint16_t>(i16x8_narrow_i32x4_u);
}

template <class Narrow, class Wide>
void check_extmul(v128 (*low)(v128, v128), v128 (*high)(v128, v128)) {
  for (int half = 0; half < 2; ++half) {
    check_binary<Narrow>(half ? "extmul_high" : "extmul_low", half ? high : low, [half](const Vec& a, const Vec& b) {
      Vec r;
      int base = half * lanes<Wide>();
      for (int i = 0; i < lanes<Wide>(); ++i)
        r.set<Wide>(i, wrap_mul<Wide>(Wide(a.get<Narrow>(base + i)), Wide(b.get<Narrow>(base + i))));
      return r;
    });
  }
}
TEST(SimdWiden, Extmul) {
  check_extmul<int8_t, int16_t>(i16x8_extmul_low_i8x16_s, i16x8_extmul_high_i8x16_s);
  check_extmul<uint8_t, uint16_t>(i16x8_extmul_low_i8x16_u, i16x8_extmul_high_i8x16_u);
  check_extmul<int16_t, int32_t>(i32x4_extmul_low_i16x8_s, i32x4_extmul_high_i16x8_s);
  check_extmul<uint16_t, uint32_t>(i32x4_extmul_low_i16x8_u, i32x4_extmul_high_i16x8_u);
  check_extmul<int32_t, int64_t>(i64x2_extmul_low_i32x4_s, i64x2_extmul_high_i32x4_s);
  check_extmul<uint32_t, uint64_t>(i64x2_extmul_low_i32x4_u, i64x2_extmul_high_i32x4_u);
}

template <class Narrow, class Wide>
void check_extadd(v128 (*fn)(v128)) {
  check_unary<Narrow>("extadd_pairwise", fn, [](const Vec& a) {
    Vec r;
    for (int i = 0; i < lanes<Wide>(); ++i) r.set<Wide>(i, Wide(Wide(a.get<Narrow>(2 * i)) + Wide(a.get<Narrow>(2 * i + 1))));
    return r;
  });
}
TEST(SimdWiden, ExtaddPairwise) {
  check_extadd<int8_t, int16_t>(i16x8_extadd_pairwise_i8x16_s);
  check_extadd<uint8_t, uint16_t>(i16x8_extadd_pairwise_i8x16_u);
  check_extadd<int16_t, int32_t>(i32x4_extadd_pairwise_i16x8_s);
  check_extadd<uint16_t, uint32_t>(i32x4_extadd_pairwise_i16x8_u);
}

TEST(SimdWiden, Dot) {
  check_binary<int16_t>("i32x4.dot_i16x8_s", i32x4_dot_i16x8_s, [](const Vec& a, const Vec& b) {
    Vec r;
    for (int i = 0; i < 4; ++i) {
      int64_t s = int64_t(a.get<int16_t>(2 * i)) * b.get<int16_t>(2 * i) +
                  int64_t(a.get<int16_t>(2 * i + 1)) * b.get<int16_t>(2 * i + 1);
      r.set<int32_t>(i, int32_t(uint32_t(uint64_t(s))));  // modulo 2^32
    }
    return r;
  });
}

TEST(SimdWiden, Q15MulrSat) {
  lanewise2<int16_t>("i16x8.q15mulr_sat_s", i16x8_q15mulr_sat_s, [](int16_t x, int16_t y) {
    return sat<int16_t>((int64_t(x) * y + 0x4000) >> 15);
  });
  Vec m = Vec::splat<int16_t>(INT16_MIN);
  EXPECT_EQ(Vec::of(i16x8_q15mulr_sat_s(m.m(), m.m())).get<int16_t>(5), INT16_MAX);
}

}  // namespace
}  // namespace vivarium::engine::simd::test

#endif  // VIV_SIMD_HOST_X86
