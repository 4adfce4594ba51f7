// v128 bitwise operations and the whole-vector test (spec 4.4.3.2, 4.4.3.3).
#pragma once
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

inline v128 v128_not(v128 a) { return _mm_xor_si128(a, _mm_set1_epi32(-1)); }
inline v128 v128_and(v128 a, v128 b) { return _mm_and_si128(a, b); }
// a & ~b; pandn complements its *first* operand.
inline v128 v128_andnot(v128 a, v128 b) { return _mm_andnot_si128(b, a); }
inline v128 v128_or(v128 a, v128 b) { return _mm_or_si128(a, b); }
inline v128 v128_xor(v128 a, v128 b) { return _mm_xor_si128(a, b); }
// Bits of a where c is 1, bits of b where c is 0.
inline v128 v128_bitselect(v128 a, v128 b, v128 c) {
  return _mm_or_si128(_mm_and_si128(a, c), _mm_andnot_si128(c, b));
}
VIV_SIMD_INLINE int32_t v128_any_true(v128 a) { return !_mm_testz_si128(a, a); }

}  // namespace vivarium::engine::simd
