// Integer lane arithmetic against scalar references written from the spec
// (numerics 4.3.2: iadd, isub, imul, ineg, iabs, imin/imax, iadd_sat,
// isub_sat, iavgr_u, ipopcnt).
#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86  // the semantics exist only for x86-64 hosts (host.h)
#include "tests/unit/simd/reference.h"

namespace vivarium::engine::simd::test {
namespace {

template <class T> T ref_abs(T x) { return x < 0 ? wrap_sub<T>(0, x) : x; }
template <class T> T ref_avgr_u(T x, T y) {
  using U = std::make_unsigned_t<T>;
  return T((uint64_t(U(x)) + uint64_t(U(y)) + 1) / 2);
}
template <class T> T ref_add_sat_s(T x, T y) { return sat<T>(int64_t(x) + int64_t(y)); }
template <class T> T ref_sub_sat_s(T x, T y) { return sat<T>(int64_t(x) - int64_t(y)); }
template <class T> T ref_add_sat_u(T x, T y) {
  using U = std::make_unsigned_t<T>;
  return T(sat<U>(int64_t(U(x)) + int64_t(U(y))));
}
template <class T> T ref_sub_sat_u(T x, T y) {
  using U = std::make_unsigned_t<T>;
  return T(sat<U>(int64_t(U(x)) - int64_t(U(y))));
}
template <class T> T ref_min_u(T x, T y) { using U = std::make_unsigned_t<T>; return U(x) < U(y) ? x : y; }
template <class T> T ref_max_u(T x, T y) { using U = std::make_unsigned_t<T>; return U(x) > U(y) ? x : y; }

TEST(SimdIntArith, I8x16) {
  lanewise2<int8_t>("i8x16.add", i8x16_add, wrap_add<int8_t>);
  lanewise2<int8_t>("i8x16.sub", i8x16_sub, wrap_sub<int8_t>);
  lanewise2<int8_t>("i8x16.add_sat_s", i8x16_add_sat_s, ref_add_sat_s<int8_t>);
  lanewise2<int8_t>("i8x16.add_sat_u", i8x16_add_sat_u, ref_add_sat_u<int8_t>);
  lanewise2<int8_t>("i8x16.sub_sat_s", i8x16_sub_sat_s, ref_sub_sat_s<int8_t>);
  lanewise2<int8_t>("i8x16.sub_sat_u", i8x16_sub_sat_u, ref_sub_sat_u<int8_t>);
  lanewise2<int8_t>("i8x16.min_s", i8x16_min_s, [](int8_t x, int8_t y) { return std::min(x, y); });
  lanewise2<int8_t>("i8x16.max_s", i8x16_max_s, [](int8_t x, int8_t y) { return std::max(x, y); });
  lanewise2<int8_t>("i8x16.min_u", i8x16_min_u, ref_min_u<int8_t>);
  lanewise2<int8_t>("i8x16.max_u", i8x16_max_u, ref_max_u<int8_t>);
  lanewise2<int8_t>("i8x16.avgr_u", i8x16_avgr_u, ref_avgr_u<int8_t>);
  lanewise1<int8_t>("i8x16.neg", i8x16_neg, [](int8_t x) { return wrap_sub<int8_t>(0, x); });
  lanewise1<int8_t>("i8x16.abs", i8x16_abs, ref_abs<int8_t>);
  lanewise1<int8_t>("i8x16.popcnt", i8x16_popcnt, [](int8_t x) { return int8_t(std::popcount(uint8_t(x))); });
}

TEST(SimdIntArith, I16x8) {
  lanewise2<int16_t>("i16x8.add", i16x8_add, wrap_add<int16_t>);
  lanewise2<int16_t>("i16x8.sub", i16x8_sub, wrap_sub<int16_t>);
  lanewise2<int16_t>("i16x8.mul", i16x8_mul, wrap_mul<int16_t>);
  lanewise2<int16_t>("i16x8.add_sat_s", i16x8_add_sat_s, ref_add_sat_s<int16_t>);
  lanewise2<int16_t>("i16x8.add_sat_u", i16x8_add_sat_u, ref_add_sat_u<int16_t>);
  lanewise2<int16_t>("i16x8.sub_sat_s", i16x8_sub_sat_s, ref_sub_sat_s<int16_t>);
  lanewise2<int16_t>("i16x8.sub_sat_u", i16x8_sub_sat_u, ref_sub_sat_u<int16_t>);
  lanewise2<int16_t>("i16x8.min_s", i16x8_min_s, [](int16_t x, int16_t y) { return std::min(x, y); });
  lanewise2<int16_t>("i16x8.max_s", i16x8_max_s, [](int16_t x, int16_t y) { return std::max(x, y); });
  lanewise2<int16_t>("i16x8.min_u", i16x8_min_u, ref_min_u<int16_t>);
  lanewise2<int16_t>("i16x8.max_u", i16x8_max_u, ref_max_u<int16_t>);
  lanewise2<int16_t>("i16x8.avgr_u", i16x8_avgr_u, ref_avgr_u<int16_t>);
  lanewise1<int16_t>("i16x8.neg", i16x8_neg, [](int16_t x) { return wrap_sub<int16_t>(0, x); });
  lanewise1<int16_t>("i16x8.abs", i16x8_abs, ref_abs<int16_t>);
}

TEST(SimdIntArith, I32x4) {
  lanewise2<int32_t>("i32x4.add", i32x4_add, wrap_add<int32_t>);
  lanewise2<int32_t>("i32x4.sub", i32x4_sub, wrap_sub<int32_t>);
  lanewise2<int32_t>("i32x4.mul", i32x4_mul, wrap_mul<int32_t>);
  lanewise2<int32_t>("i32x4.min_s", i32x4_min_s, [](int32_t x, int32_t y) { return std::min(x, y); });
  lanewise2<int32_t>("i32x4.max_s", i32x4_max_s, [](int32_t x, int32_t y) { return std::max(x, y); });
  lanewise2<int32_t>("i32x4.min_u", i32x4_min_u, ref_min_u<int32_t>);
  lanewise2<int32_t>("i32x4.max_u", i32x4_max_u, ref_max_u<int32_t>);
  lanewise1<int32_t>("i32x4.neg", i32x4_neg, [](int32_t x) { return wrap_sub<int32_t>(0, x); });
  lanewise1<int32_t>("i32x4.abs", i32x4_abs, ref_abs<int32_t>);
}

TEST(SimdIntArith, I64x2) {
  lanewise2<int64_t>("i64x2.add", i64x2_add, wrap_add<int64_t>);
  lanewise2<int64_t>("i64x2.sub", i64x2_sub, wrap_sub<int64_t>);
  lanewise2<int64_t>("i64x2.mul", i64x2_mul, wrap_mul<int64_t>);
  lanewise1<int64_t>("i64x2.neg", i64x2_neg, [](int64_t x) { return wrap_sub<int64_t>(0, x); });
  lanewise1<int64_t>("i64x2.abs", i64x2_abs, ref_abs<int64_t>);
}

// The wrap-around cases the spec calls out explicitly.
TEST(SimdIntArith, AbsOfMinimumWraps) {
  EXPECT_EQ(Vec::of(i8x16_abs(Vec::splat<int8_t>(-128).m())).get<int8_t>(3), -128);
  EXPECT_EQ(Vec::of(i64x2_abs(Vec::splat<int64_t>(INT64_MIN).m())).get<int64_t>(1), INT64_MIN);
  EXPECT_EQ(Vec::of(i64x2_abs(Vec::splat<int64_t>(-5).m())).get<int64_t>(0), 5);
}

}  // namespace
}  // namespace vivarium::engine::simd::test

#endif  // VIV_SIMD_HOST_X86
