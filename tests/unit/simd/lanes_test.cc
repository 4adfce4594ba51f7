// Splat, extract/replace lane, shuffle, swizzle, all_true and bitmask.
#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86  // the semantics exist only for x86-64 hosts (host.h)
#include "tests/unit/simd/reference.h"

namespace vivarium::engine::simd::test {
namespace {

TEST(SimdLanes, Splat) {
  EXPECT_TRUE(vec_ok(Vec::of(i8x16_splat(0x1FF)), Vec::splat<uint8_t>(0xFF), Lanes::Exact));
  EXPECT_TRUE(vec_ok(Vec::of(i16x8_splat(0x12345)), Vec::splat<uint16_t>(0x2345), Lanes::Exact));
  EXPECT_TRUE(vec_ok(Vec::of(i32x4_splat(-7)), Vec::splat<int32_t>(-7), Lanes::Exact));
  EXPECT_TRUE(vec_ok(Vec::of(i64x2_splat(INT64_MIN)), Vec::splat<int64_t>(INT64_MIN), Lanes::Exact));
  EXPECT_TRUE(vec_ok(Vec::of(f32x4_splat(from_bits<float>(0x7FA12345))), Vec::splat<uint32_t>(0x7FA12345), Lanes::Exact));
  EXPECT_TRUE(vec_ok(Vec::of(f64x2_splat(-0.0)), Vec::splat<uint64_t>(0x8000000000000000ull), Lanes::Exact));
}

TEST(SimdLanes, ExtractReplace) {
  for (int it = 0; it < 200; ++it) {
    Vec a = random_vec<int8_t>();
    for (uint32_t i = 0; i < 16; ++i) {
      EXPECT_EQ(i8x16_extract_lane_s(a.m(), i), int32_t(a.get<int8_t>(i)));
      EXPECT_EQ(i8x16_extract_lane_u(a.m(), i), int32_t(a.get<uint8_t>(i)));
      Vec e = a;
      e.set<uint8_t>(i, 0xA5);
      ASSERT_TRUE(vec_ok(Vec::of(i8x16_replace_lane(a.m(), i, 0x7A5)), e, Lanes::Exact));
    }
    for (uint32_t i = 0; i < 8; ++i) {
      EXPECT_EQ(i16x8_extract_lane_s(a.m(), i), int32_t(a.get<int16_t>(i)));
      EXPECT_EQ(i16x8_extract_lane_u(a.m(), i), int32_t(a.get<uint16_t>(i)));
      Vec e = a;
      e.set<uint16_t>(i, 0xBEEF);
      ASSERT_TRUE(vec_ok(Vec::of(i16x8_replace_lane(a.m(), i, 0x1BEEF)), e, Lanes::Exact));
    }
    for (uint32_t i = 0; i < 4; ++i) {
      EXPECT_EQ(i32x4_extract_lane(a.m(), i), a.get<int32_t>(i));
      EXPECT_EQ(to_bits(f32x4_extract_lane(a.m(), i)), a.get<uint32_t>(i));
      Vec e = a;
      e.set<uint32_t>(i, 0x7FC00001);
      ASSERT_TRUE(vec_ok(Vec::of(f32x4_replace_lane(a.m(), i, from_bits<float>(0x7FC00001))), e, Lanes::Exact));
    }
    for (uint32_t i = 0; i < 2; ++i) {
      EXPECT_EQ(i64x2_extract_lane(a.m(), i), a.get<int64_t>(i));
      EXPECT_EQ(to_bits(f64x2_extract_lane(a.m(), i)), a.get<uint64_t>(i));
      Vec e = a;
      e.set<int64_t>(i, -2);
      ASSERT_TRUE(vec_ok(Vec::of(i64x2_replace_lane(a.m(), i, -2)), e, Lanes::Exact));
    }
  }
}

TEST(SimdLanes, Swizzle) {
  for (int it = 0; it < kIters; ++it) {
    Vec a = random_vec<int8_t>(), s = random_vec<int8_t>();
    if (it % 2) for (auto& x : s.b) x &= 0x1F;  // mostly in range, 16..31 out of range
    Vec exp;
    for (int i = 0; i < 16; ++i) exp.b[i] = s.b[i] < 16 ? a.b[s.b[i]] : 0;
    ASSERT_TRUE(vec_ok(Vec::of(i8x16_swizzle(a.m(), s.m())), exp, Lanes::Exact)) << s.hex();
  }
}

TEST(SimdLanes, Shuffle) {
  for (int it = 0; it < kIters; ++it) {
    Vec a = random_vec<int8_t>(), b = random_vec<int8_t>(), idx;
    for (auto& x : idx.b) x = uint8_t(rng()() % 32);
    Vec exp;
    for (int i = 0; i < 16; ++i) exp.b[i] = idx.b[i] < 16 ? a.b[idx.b[i]] : b.b[idx.b[i] - 16];
    ASSERT_TRUE(vec_ok(Vec::of(i8x16_shuffle(a.m(), b.m(), idx.m())), exp, Lanes::Exact)) << idx.hex();
  }
}

template <class T>
void check_reductions(int32_t (*all_true)(v128), int32_t (*bitmask)(v128)) {
  for (int it = 0; it < kIters; ++it) {
    Vec a = random_vec<T>();
    if (it % 3 == 0) a.set<T>(int(rng()() % lanes<T>()), T{0});
    if (it % 3 == 1) for (int i = 0; i < lanes<T>(); ++i) if (a.get<T>(i) == 0) a.set<T>(i, T{1});
    int32_t all = 1, bits = 0;
    for (int i = 0; i < lanes<T>(); ++i) {
      all &= a.get<T>(i) != 0;
      bits |= (a.get<T>(i) < 0) << i;
    }
    ASSERT_EQ(all_true(a.m()), all) << a.hex();
    ASSERT_EQ(bitmask(a.m()), bits) << a.hex();
  }
}
TEST(SimdLanes, AllTrueBitmask) {
  check_reductions<int8_t>(i8x16_all_true, i8x16_bitmask);
  check_reductions<int16_t>(i16x8_all_true, i16x8_bitmask);
  check_reductions<int32_t>(i32x4_all_true, i32x4_bitmask);
  check_reductions<int64_t>(i64x2_all_true, i64x2_bitmask);
}

}  // namespace
}  // namespace vivarium::engine::simd::test

#endif  // VIV_SIMD_HOST_X86
