// Lane-wise shifts by a scalar i32 count, taken modulo the lane width
// (spec: ishl/ishr_s/ishr_u with k mod N). SSE shifts do not wrap the count
// (they saturate: count >= width gives 0 or all sign bits), hence the masks.
#pragma once
#include "engine/interp/simd/int_arith.h"
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

inline v128 shift_count(int32_t n, int lane_bits) { return _mm_cvtsi32_si128(n & (lane_bits - 1)); }

// ---- i8x16: no byte shifts in SSE ----------------------------------------------
// Shift 16-bit lanes, then clear the bits that crossed in from the
// neighbouring byte.
inline v128 i8x16_shl(v128 a, int32_t n) {
  n &= 7;
  v128 keep = _mm_set1_epi8(static_cast<char>((0xFF << n) & 0xFF));
  return _mm_and_si128(_mm_sll_epi16(a, _mm_cvtsi32_si128(n)), keep);
}
inline v128 i8x16_shr_u(v128 a, int32_t n) {
  n &= 7;
  v128 keep = _mm_set1_epi8(static_cast<char>(0xFF >> n));
  return _mm_and_si128(_mm_srl_epi16(a, _mm_cvtsi32_si128(n)), keep);
}
// Put each byte in the high half of a 16-bit lane, shift arithmetically by
// n + 8, and pack back; the results fit in int8, so packsswb is exact.
inline v128 i8x16_shr_s(v128 a, int32_t n) {
  v128 count = _mm_cvtsi32_si128((n & 7) + 8);
  v128 lo = _mm_sra_epi16(_mm_unpacklo_epi8(a, a), count);
  v128 hi = _mm_sra_epi16(_mm_unpackhi_epi8(a, a), count);
  return _mm_packs_epi16(lo, hi);
}

// ---- i16x8, i32x4 --------------------------------------------------------------
inline v128 i16x8_shl(v128 a, int32_t n) { return _mm_sll_epi16(a, shift_count(n, 16)); }
inline v128 i16x8_shr_s(v128 a, int32_t n) { return _mm_sra_epi16(a, shift_count(n, 16)); }
inline v128 i16x8_shr_u(v128 a, int32_t n) { return _mm_srl_epi16(a, shift_count(n, 16)); }
inline v128 i32x4_shl(v128 a, int32_t n) { return _mm_sll_epi32(a, shift_count(n, 32)); }
inline v128 i32x4_shr_s(v128 a, int32_t n) { return _mm_sra_epi32(a, shift_count(n, 32)); }
inline v128 i32x4_shr_u(v128 a, int32_t n) { return _mm_srl_epi32(a, shift_count(n, 32)); }

// ---- i64x2: no psraq before AVX-512 ----------------------------------------------
inline v128 i64x2_shl(v128 a, int32_t n) { return _mm_sll_epi64(a, shift_count(n, 64)); }
inline v128 i64x2_shr_u(v128 a, int32_t n) { return _mm_srl_epi64(a, shift_count(n, 64)); }
// Arithmetic shift as a logical one on the ones' complement of negative
// lanes: ((a ^ s) >>u n) ^ s, with s each lane's sign mask.
inline v128 i64x2_shr_s(v128 a, int32_t n) {
  v128 s = i64x2_sign_mask(a);
  return _mm_xor_si128(_mm_srl_epi64(_mm_xor_si128(a, s), shift_count(n, 64)), s);
}

}  // namespace vivarium::engine::simd
