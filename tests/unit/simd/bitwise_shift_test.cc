// Bitwise operations, any_true, and shifts with counts taken modulo the lane
// width (negative and oversized counts included).
#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86  // the semantics exist only for x86-64 hosts (host.h)
#include "tests/unit/simd/reference.h"

namespace vivarium::engine::simd::test {
namespace {

TEST(SimdBitwise, Ops) {
  lanewise1<uint64_t>("v128.not", v128_not, [](uint64_t x) { return ~x; });
  lanewise2<uint64_t>("v128.and", v128_and, [](uint64_t x, uint64_t y) { return x & y; });
  lanewise2<uint64_t>("v128.andnot", v128_andnot, [](uint64_t x, uint64_t y) { return x & ~y; });
  lanewise2<uint64_t>("v128.or", v128_or, [](uint64_t x, uint64_t y) { return x | y; });
  lanewise2<uint64_t>("v128.xor", v128_xor, [](uint64_t x, uint64_t y) { return x ^ y; });
  for (int it = 0; it < kIters; ++it) {
    Vec a = random_vec<int64_t>(), b = random_vec<int64_t>(), c = random_vec<int8_t>();
    Vec exp;
    for (int i = 0; i < 16; ++i) exp.b[i] = uint8_t((a.b[i] & c.b[i]) | (b.b[i] & ~c.b[i]));
    ASSERT_TRUE(vec_ok(Vec::of(v128_bitselect(a.m(), b.m(), c.m())), exp, Lanes::Exact));
  }
}

TEST(SimdBitwise, AnyTrue) {
  EXPECT_EQ(v128_any_true(Vec{}.m()), 0);
  for (int byte = 0; byte < 16; ++byte) {
    Vec v;
    v.b[byte] = 0x10;
    EXPECT_EQ(v128_any_true(v.m()), 1) << byte;
  }
}

template <class T>
void check_shifts(v128 (*shl)(v128, int32_t), v128 (*shr_s)(v128, int32_t), v128 (*shr_u)(v128, int32_t)) {
  using U = std::make_unsigned_t<T>;
  constexpr int bits = sizeof(T) * 8;
  const int32_t counts[] = {0, 1, 3, bits - 1, bits, bits + 1, 2 * bits - 1, -1, -bits, 100, INT32_MIN, INT32_MAX};
  for (int it = 0; it < kIters / 8; ++it) {
    Vec a = random_vec<T>();
    for (int32_t n : counts) {
      int k = int(uint32_t(n) % bits);
      Vec l = map1<T>(a, [k](T x) { return T(U(x) << k); });
      Vec rs = map1<T>(a, [k](T x) { return T(x >> k); });  // arithmetic in C++20
      Vec ru = map1<T>(a, [k](T x) { return T(U(x) >> k); });
      ASSERT_TRUE(vec_ok(Vec::of(shl(a.m(), n)), l, Lanes::Exact)) << "shl " << n;
      ASSERT_TRUE(vec_ok(Vec::of(shr_s(a.m(), n)), rs, Lanes::Exact)) << "shr_s " << n;
      ASSERT_TRUE(vec_ok(Vec::of(shr_u(a.m(), n)), ru, Lanes::Exact)) << "shr_u " << n;
    }
  }
}
TEST(SimdShift, I8x16) { check_shifts<int8_t>(i8x16_shl, i8x16_shr_s, i8x16_shr_u); }
TEST(SimdShift, I16x8) { check_shifts<int16_t>(i16x8_shl, i16x8_shr_s, i16x8_shr_u); }
TEST(SimdShift, I32x4) { check_shifts<int32_t>(i32x4_shl, i32x4_shr_s, i32x4_shr_u); }
TEST(SimdShift, I64x2) { check_shifts<int64_t>(i64x2_shl, i64x2_shr_s, i64x2_shr_u); }

}  // namespace
}  // namespace vivarium::engine::simd::test

#endif  // VIV_SIMD_HOST_X86
