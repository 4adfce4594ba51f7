// Reductions of a vector to an i32: all_true and bitmask per lane shape
// (v128.any_true lives in bitwise.h).
#pragma once
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

// all_true: no lane equals zero, i.e. the lane-wise "== 0" mask is empty.
inline int32_t i8x16_all_true(v128 a) { return _mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())) == 0; }
inline int32_t i16x8_all_true(v128 a) { return _mm_movemask_epi8(_mm_cmpeq_epi16(a, _mm_setzero_si128())) == 0; }
inline int32_t i32x4_all_true(v128 a) { return _mm_movemask_epi8(_mm_cmpeq_epi32(a, _mm_setzero_si128())) == 0; }
VIV_SIMD_INLINE int32_t i64x2_all_true(v128 a) {
  return _mm_movemask_epi8(_mm_cmpeq_epi64(a, _mm_setzero_si128())) == 0;
}

// bitmask: bit i = sign bit of lane i.
inline int32_t i8x16_bitmask(v128 a) { return _mm_movemask_epi8(a); }
// packsswb keeps each 16-bit lane's sign in a byte; the low 8 bytes are a's.
inline int32_t i16x8_bitmask(v128 a) { return _mm_movemask_epi8(_mm_packs_epi16(a, a)) & 0xFF; }
inline int32_t i32x4_bitmask(v128 a) { return _mm_movemask_ps(as_f32(a)); }
inline int32_t i64x2_bitmask(v128 a) { return _mm_movemask_pd(as_f64(a)); }

}  // namespace vivarium::engine::simd
