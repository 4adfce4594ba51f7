// Lane-wise integer arithmetic: add/sub/mul, saturating add/sub, neg/abs,
// min/max, avgr_u and popcnt (spec 4.4.3.x, numerics 4.3.2).
#pragma once
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

// ---- i8x16 -------------------------------------------------------------------
inline v128 i8x16_add(v128 a, v128 b) { return _mm_add_epi8(a, b); }
inline v128 i8x16_sub(v128 a, v128 b) { return _mm_sub_epi8(a, b); }
inline v128 i8x16_add_sat_s(v128 a, v128 b) { return _mm_adds_epi8(a, b); }
inline v128 i8x16_add_sat_u(v128 a, v128 b) { return _mm_adds_epu8(a, b); }
inline v128 i8x16_sub_sat_s(v128 a, v128 b) { return _mm_subs_epi8(a, b); }
inline v128 i8x16_sub_sat_u(v128 a, v128 b) { return _mm_subs_epu8(a, b); }
inline v128 i8x16_neg(v128 a) { return _mm_sub_epi8(_mm_setzero_si128(), a); }
// pabsb leaves -128 as -128, which is the wrap-around the spec asks for.
VIV_SIMD_INLINE v128 i8x16_abs(v128 a) { return _mm_abs_epi8(a); }
VIV_SIMD_INLINE v128 i8x16_min_s(v128 a, v128 b) { return _mm_min_epi8(a, b); }
inline v128 i8x16_min_u(v128 a, v128 b) { return _mm_min_epu8(a, b); }
VIV_SIMD_INLINE v128 i8x16_max_s(v128 a, v128 b) { return _mm_max_epi8(a, b); }
inline v128 i8x16_max_u(v128 a, v128 b) { return _mm_max_epu8(a, b); }
// pavgb computes (a + b + 1) >> 1 without overflow: exactly avgr_u.
inline v128 i8x16_avgr_u(v128 a, v128 b) { return _mm_avg_epu8(a, b); }
// Popcount per byte: a 16-entry nibble table looked up with pshufb, twice.
VIV_SIMD_INLINE v128 i8x16_popcnt(v128 a) {
  const v128 table = _mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const v128 low4 = _mm_set1_epi8(0x0F);
  v128 lo = _mm_and_si128(a, low4);
  v128 hi = _mm_and_si128(_mm_srli_epi16(a, 4), low4);
  return _mm_add_epi8(_mm_shuffle_epi8(table, lo), _mm_shuffle_epi8(table, hi));
}

// ---- i16x8 -------------------------------------------------------------------
inline v128 i16x8_add(v128 a, v128 b) { return _mm_add_epi16(a, b); }
inline v128 i16x8_sub(v128 a, v128 b) { return _mm_sub_epi16(a, b); }
inline v128 i16x8_mul(v128 a, v128 b) { return _mm_mullo_epi16(a, b); }
inline v128 i16x8_add_sat_s(v128 a, v128 b) { return _mm_adds_epi16(a, b); }
inline v128 i16x8_add_sat_u(v128 a, v128 b) { return _mm_adds_epu16(a, b); }
inline v128 i16x8_sub_sat_s(v128 a, v128 b) { return _mm_subs_epi16(a, b); }
inline v128 i16x8_sub_sat_u(v128 a, v128 b) { return _mm_subs_epu16(a, b); }
inline v128 i16x8_neg(v128 a) { return _mm_sub_epi16(_mm_setzero_si128(), a); }
VIV_SIMD_INLINE v128 i16x8_abs(v128 a) { return _mm_abs_epi16(a); }
inline v128 i16x8_min_s(v128 a, v128 b) { return _mm_min_epi16(a, b); }
VIV_SIMD_INLINE v128 i16x8_min_u(v128 a, v128 b) { return _mm_min_epu16(a, b); }
inline v128 i16x8_max_s(v128 a, v128 b) { return _mm_max_epi16(a, b); }
VIV_SIMD_INLINE v128 i16x8_max_u(v128 a, v128 b) { return _mm_max_epu16(a, b); }
inline v128 i16x8_avgr_u(v128 a, v128 b) { return _mm_avg_epu16(a, b); }

// ---- i32x4 -------------------------------------------------------------------
inline v128 i32x4_add(v128 a, v128 b) { return _mm_add_epi32(a, b); }
inline v128 i32x4_sub(v128 a, v128 b) { return _mm_sub_epi32(a, b); }
VIV_SIMD_INLINE v128 i32x4_mul(v128 a, v128 b) { return _mm_mullo_epi32(a, b); }
inline v128 i32x4_neg(v128 a) { return _mm_sub_epi32(_mm_setzero_si128(), a); }
VIV_SIMD_INLINE v128 i32x4_abs(v128 a) { return _mm_abs_epi32(a); }
VIV_SIMD_INLINE v128 i32x4_min_s(v128 a, v128 b) { return _mm_min_epi32(a, b); }
VIV_SIMD_INLINE v128 i32x4_min_u(v128 a, v128 b) { return _mm_min_epu32(a, b); }
VIV_SIMD_INLINE v128 i32x4_max_s(v128 a, v128 b) { return _mm_max_epi32(a, b); }
VIV_SIMD_INLINE v128 i32x4_max_u(v128 a, v128 b) { return _mm_max_epu32(a, b); }

// ---- i64x2 -------------------------------------------------------------------
inline v128 i64x2_add(v128 a, v128 b) { return _mm_add_epi64(a, b); }
inline v128 i64x2_sub(v128 a, v128 b) { return _mm_sub_epi64(a, b); }
inline v128 i64x2_neg(v128 a) { return _mm_sub_epi64(_mm_setzero_si128(), a); }
// Each lane's sign copied over all 64 bits (SSE has no 64-bit arithmetic shift).
inline v128 i64x2_sign_mask(v128 a) {
  return _mm_shuffle_epi32(_mm_srai_epi32(a, 31), _MM_SHUFFLE(3, 3, 1, 1));
}
inline v128 i64x2_abs(v128 a) {
  v128 s = i64x2_sign_mask(a);
  return _mm_sub_epi64(_mm_xor_si128(a, s), s);
}
// No 64x64 multiply before AVX-512: lo*lo + ((hi_a*lo_b + lo_a*hi_b) << 32),
// three 32x32->64 pmuludq; the hi*hi term falls off the top.
inline v128 i64x2_mul(v128 a, v128 b) {
  v128 a_hi = _mm_srli_epi64(a, 32);
  v128 b_hi = _mm_srli_epi64(b, 32);
  v128 cross = _mm_add_epi64(_mm_mul_epu32(a_hi, b), _mm_mul_epu32(a, b_hi));
  return _mm_add_epi64(_mm_mul_epu32(a, b), _mm_slli_epi64(cross, 32));
}

}  // namespace vivarium::engine::simd
