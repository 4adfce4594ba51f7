// Operations that change the lane width: extend, narrow (saturating),
// extmul, extadd_pairwise, dot and q15mulr_sat (spec 4.4.3.x).
#pragma once
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

// Upper 8 bytes moved to the bottom, so "high" forms can reuse the "low" ones.
inline v128 high_half(v128 a) { return _mm_unpackhi_epi64(a, a); }

// ---- extend ------------------------------------------------------------------
VIV_SIMD_INLINE v128 i16x8_extend_low_i8x16_s(v128 a) { return _mm_cvtepi8_epi16(a); }
VIV_SIMD_INLINE v128 i16x8_extend_high_i8x16_s(v128 a) { return _mm_cvtepi8_epi16(high_half(a)); }
VIV_SIMD_INLINE v128 i16x8_extend_low_i8x16_u(v128 a) { return _mm_cvtepu8_epi16(a); }
inline v128 i16x8_extend_high_i8x16_u(v128 a) { return _mm_unpackhi_epi8(a, _mm_setzero_si128()); }
VIV_SIMD_INLINE v128 i32x4_extend_low_i16x8_s(v128 a) { return _mm_cvtepi16_epi32(a); }
VIV_SIMD_INLINE v128 i32x4_extend_high_i16x8_s(v128 a) { return _mm_cvtepi16_epi32(high_half(a)); }
VIV_SIMD_INLINE v128 i32x4_extend_low_i16x8_u(v128 a) { return _mm_cvtepu16_epi32(a); }
inline v128 i32x4_extend_high_i16x8_u(v128 a) { return _mm_unpackhi_epi16(a, _mm_setzero_si128()); }
VIV_SIMD_INLINE v128 i64x2_extend_low_i32x4_s(v128 a) { return _mm_cvtepi32_epi64(a); }
VIV_SIMD_INLINE v128 i64x2_extend_high_i32x4_s(v128 a) { return _mm_cvtepi32_epi64(high_half(a)); }
VIV_SIMD_INLINE v128 i64x2_extend_low_i32x4_u(v128 a) { return _mm_cvtepu32_epi64(a); }
inline v128 i64x2_extend_high_i32x4_u(v128 a) { return _mm_unpackhi_epi32(a, _mm_setzero_si128()); }

// ---- narrow ------------------------------------------------------------------
// The pack instructions read their inputs as signed and saturate to the
// signed or unsigned range: the spec's narrow_s / narrow_u exactly.
inline v128 i8x16_narrow_i16x8_s(v128 a, v128 b) { return _mm_packs_epi16(a, b); }
inline v128 i8x16_narrow_i16x8_u(v128 a, v128 b) { return _mm_packus_epi16(a, b); }
inline v128 i16x8_narrow_i32x4_s(v128 a, v128 b) { return _mm_packs_epi32(a, b); }
VIV_SIMD_INLINE v128 i16x8_narrow_i32x4_u(v128 a, v128 b) { return _mm_packus_epi32(a, b); }

// ---- extmul ------------------------------------------------------------------
// i8 -> i16: widen both, then a 16-bit multiply cannot overflow.
VIV_SIMD_INLINE v128 i16x8_extmul_low_i8x16_s(v128 a, v128 b) {
  return _mm_mullo_epi16(i16x8_extend_low_i8x16_s(a), i16x8_extend_low_i8x16_s(b));
}
VIV_SIMD_INLINE v128 i16x8_extmul_high_i8x16_s(v128 a, v128 b) {
  return _mm_mullo_epi16(i16x8_extend_high_i8x16_s(a), i16x8_extend_high_i8x16_s(b));
}
VIV_SIMD_INLINE v128 i16x8_extmul_low_i8x16_u(v128 a, v128 b) {
  return _mm_mullo_epi16(i16x8_extend_low_i8x16_u(a), i16x8_extend_low_i8x16_u(b));
}
inline v128 i16x8_extmul_high_i8x16_u(v128 a, v128 b) {
  return _mm_mullo_epi16(i16x8_extend_high_i8x16_u(a), i16x8_extend_high_i8x16_u(b));
}
// i16 -> i32: pmullw/pmulh[u]w give the low and high halves of all eight
// 32-bit products; interleaving them yields the products of one half.
inline v128 i32x4_extmul_low_i16x8_s(v128 a, v128 b) {
  return _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b));
}
inline v128 i32x4_extmul_high_i16x8_s(v128 a, v128 b) {
  return _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b));
}
inline v128 i32x4_extmul_low_i16x8_u(v128 a, v128 b) {
  return _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b));
}
inline v128 i32x4_extmul_high_i16x8_u(v128 a, v128 b) {
  return _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b));
}
// i32 -> i64: pmuldq/pmuludq multiply lanes 0 and 2; spread the wanted
// half into those lanes first.
VIV_SIMD_INLINE v128 i64x2_extmul_low_i32x4_s(v128 a, v128 b) {
  return _mm_mul_epi32(_mm_shuffle_epi32(a, _MM_SHUFFLE(1, 1, 0, 0)), _mm_shuffle_epi32(b, _MM_SHUFFLE(1, 1, 0, 0)));
}
VIV_SIMD_INLINE v128 i64x2_extmul_high_i32x4_s(v128 a, v128 b) {
  return _mm_mul_epi32(_mm_shuffle_epi32(a, _MM_SHUFFLE(3, 3, 2, 2)), _mm_shuffle_epi32(b, _MM_SHUFFLE(3, 3, 2, 2)));
}
inline v128 i64x2_extmul_low_i32x4_u(v128 a, v128 b) {
  return _mm_mul_epu32(_mm_shuffle_epi32(a, _MM_SHUFFLE(1, 1, 0, 0)), _mm_shuffle_epi32(b, _MM_SHUFFLE(1, 1, 0, 0)));
}
inline v128 i64x2_extmul_high_i32x4_u(v128 a, v128 b) {
  return _mm_mul_epu32(_mm_shuffle_epi32(a, _MM_SHUFFLE(3, 3, 2, 2)), _mm_shuffle_epi32(b, _MM_SHUFFLE(3, 3, 2, 2)));
}

// ---- extadd_pairwise ------------------------------------------------------------
// pmaddubsw multiplies unsigned bytes of its first operand by signed bytes of
// its second and adds pairs; with a vector of ones on the other side it is a
// pairwise widening add. The sums (at most 2 * 255) never saturate.
VIV_SIMD_INLINE v128 i16x8_extadd_pairwise_i8x16_s(v128 a) { return _mm_maddubs_epi16(_mm_set1_epi8(1), a); }
VIV_SIMD_INLINE v128 i16x8_extadd_pairwise_i8x16_u(v128 a) { return _mm_maddubs_epi16(a, _mm_set1_epi8(1)); }
inline v128 i32x4_extadd_pairwise_i16x8_s(v128 a) { return _mm_madd_epi16(a, _mm_set1_epi16(1)); }
// pmaddwd is signed only: bias the lanes into signed range (x ^ 0x8000 is
// x - 32768), add pairs, then add the 2 * 32768 back.
inline v128 i32x4_extadd_pairwise_i16x8_u(v128 a) {
  v128 biased = _mm_xor_si128(a, _mm_set1_epi16(static_cast<short>(0x8000)));
  return _mm_add_epi32(_mm_madd_epi16(biased, _mm_set1_epi16(1)), _mm_set1_epi32(0x10000));
}

// ---- dot, q15mulr ----------------------------------------------------------------
// pmaddwd is the spec's dot: pairwise products summed, the single overflow
// case (-32768 * -32768 twice) wrapping to INT32_MIN just as the spec's
// modular add does.
inline v128 i32x4_dot_i16x8_s(v128 a, v128 b) { return _mm_madd_epi16(a, b); }
// pmulhrsw computes (a * b + 0x4000) >> 15 and differs from the spec's
// saturating version only for -32768 * -32768, where it returns -32768 instead
// of 32767. No other product rounds to -32768, so flip exactly those lanes.
VIV_SIMD_INLINE v128 i16x8_q15mulr_sat_s(v128 a, v128 b) {
  v128 r = _mm_mulhrs_epi16(a, b);
  return _mm_xor_si128(r, _mm_cmpeq_epi16(r, _mm_set1_epi16(static_cast<short>(0x8000))));
}

}  // namespace vivarium::engine::simd
