// Lane-wise integer comparisons; each lane becomes all ones or all zeros.
// SSE only has eq and signed gt, so lt/le/ge are derived by swapping operands
// or complementing, and unsigned comparisons go through min/max
// (a <=u b  <=>  min_u(a, b) == a).
#pragma once
#include "engine/interp/simd/int_arith.h"
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

inline v128 not_mask(v128 m) { return _mm_xor_si128(m, _mm_set1_epi32(-1)); }

// ---- i8x16 -------------------------------------------------------------------
inline v128 i8x16_eq(v128 a, v128 b) { return _mm_cmpeq_epi8(a, b); }
inline v128 i8x16_ne(v128 a, v128 b) { return not_mask(_mm_cmpeq_epi8(a, b)); }
inline v128 i8x16_lt_s(v128 a, v128 b) { return _mm_cmpgt_epi8(b, a); }
inline v128 i8x16_gt_s(v128 a, v128 b) { return _mm_cmpgt_epi8(a, b); }
inline v128 i8x16_le_s(v128 a, v128 b) { return not_mask(_mm_cmpgt_epi8(a, b)); }
inline v128 i8x16_ge_s(v128 a, v128 b) { return not_mask(_mm_cmpgt_epi8(b, a)); }
inline v128 i8x16_le_u(v128 a, v128 b) { return _mm_cmpeq_epi8(_mm_min_epu8(a, b), a); }
inline v128 i8x16_ge_u(v128 a, v128 b) { return _mm_cmpeq_epi8(_mm_max_epu8(a, b), a); }
inline v128 i8x16_lt_u(v128 a, v128 b) { return not_mask(i8x16_ge_u(a, b)); }
inline v128 i8x16_gt_u(v128 a, v128 b) { return not_mask(i8x16_le_u(a, b)); }

// ---- i16x8 -------------------------------------------------------------------
inline v128 i16x8_eq(v128 a, v128 b) { return _mm_cmpeq_epi16(a, b); }
inline v128 i16x8_ne(v128 a, v128 b) { return not_mask(_mm_cmpeq_epi16(a, b)); }
inline v128 i16x8_lt_s(v128 a, v128 b) { return _mm_cmpgt_epi16(b, a); }
inline v128 i16x8_gt_s(v128 a, v128 b) { return _mm_cmpgt_epi16(a, b); }
inline v128 i16x8_le_s(v128 a, v128 b) { return not_mask(_mm_cmpgt_epi16(a, b)); }
inline v128 i16x8_ge_s(v128 a, v128 b) { return not_mask(_mm_cmpgt_epi16(b, a)); }
VIV_SIMD_INLINE v128 i16x8_le_u(v128 a, v128 b) { return _mm_cmpeq_epi16(_mm_min_epu16(a, b), a); }
VIV_SIMD_INLINE v128 i16x8_ge_u(v128 a, v128 b) { return _mm_cmpeq_epi16(_mm_max_epu16(a, b), a); }
VIV_SIMD_INLINE v128 i16x8_lt_u(v128 a, v128 b) { return not_mask(i16x8_ge_u(a, b)); }
VIV_SIMD_INLINE v128 i16x8_gt_u(v128 a, v128 b) { return not_mask(i16x8_le_u(a, b)); }

// ---- i32x4 -------------------------------------------------------------------
inline v128 i32x4_eq(v128 a, v128 b) { return _mm_cmpeq_epi32(a, b); }
inline v128 i32x4_ne(v128 a, v128 b) { return not_mask(_mm_cmpeq_epi32(a, b)); }
inline v128 i32x4_lt_s(v128 a, v128 b) { return _mm_cmpgt_epi32(b, a); }
inline v128 i32x4_gt_s(v128 a, v128 b) { return _mm_cmpgt_epi32(a, b); }
inline v128 i32x4_le_s(v128 a, v128 b) { return not_mask(_mm_cmpgt_epi32(a, b)); }
inline v128 i32x4_ge_s(v128 a, v128 b) { return not_mask(_mm_cmpgt_epi32(b, a)); }
VIV_SIMD_INLINE v128 i32x4_le_u(v128 a, v128 b) { return _mm_cmpeq_epi32(_mm_min_epu32(a, b), a); }
VIV_SIMD_INLINE v128 i32x4_ge_u(v128 a, v128 b) { return _mm_cmpeq_epi32(_mm_max_epu32(a, b), a); }
VIV_SIMD_INLINE v128 i32x4_lt_u(v128 a, v128 b) { return not_mask(i32x4_ge_u(a, b)); }
VIV_SIMD_INLINE v128 i32x4_gt_u(v128 a, v128 b) { return not_mask(i32x4_le_u(a, b)); }

// ---- i64x2 -------------------------------------------------------------------
VIV_SIMD_INLINE v128 i64x2_eq(v128 a, v128 b) { return _mm_cmpeq_epi64(a, b); }
VIV_SIMD_INLINE v128 i64x2_ne(v128 a, v128 b) { return not_mask(_mm_cmpeq_epi64(a, b)); }
// Signed a > b without SSE4.2's pcmpgtq: the sign of b - a, corrected for
// overflow (which can only happen when the signs differ: then a > b iff b < 0).
//   sign((b - a) ^ ((a ^ b) & ((b - a) ^ b)))
inline v128 i64x2_gt_s(v128 a, v128 b) {
  v128 d = _mm_sub_epi64(b, a);
  v128 m = _mm_xor_si128(d, _mm_and_si128(_mm_xor_si128(a, b), _mm_xor_si128(d, b)));
  return i64x2_sign_mask(m);
}
inline v128 i64x2_lt_s(v128 a, v128 b) { return i64x2_gt_s(b, a); }
inline v128 i64x2_le_s(v128 a, v128 b) { return not_mask(i64x2_gt_s(a, b)); }
inline v128 i64x2_ge_s(v128 a, v128 b) { return not_mask(i64x2_gt_s(b, a)); }

}  // namespace vivarium::engine::simd
