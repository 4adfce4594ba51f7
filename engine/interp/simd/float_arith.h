// Lane-wise f32x4/f64x2 arithmetic, min/max, pmin/pmax and rounding
// (numerics 4.3.3). The SSE arithmetic instructions are IEEE 754 with the
// host's default MXCSR (round to nearest even, no flush-to-zero): a NaN
// result is the quieted first NaN operand or the default NaN, which is what
// the spec allows (an arithmetic NaN, canonical when the inputs were).
#pragma once
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

inline v128 f32x4_add(v128 a, v128 b) { return as_int(_mm_add_ps(as_f32(a), as_f32(b))); }
inline v128 f32x4_sub(v128 a, v128 b) { return as_int(_mm_sub_ps(as_f32(a), as_f32(b))); }
inline v128 f32x4_mul(v128 a, v128 b) { return as_int(_mm_mul_ps(as_f32(a), as_f32(b))); }
inline v128 f32x4_div(v128 a, v128 b) { return as_int(_mm_div_ps(as_f32(a), as_f32(b))); }
inline v128 f32x4_sqrt(v128 a) { return as_int(_mm_sqrt_ps(as_f32(a))); }
inline v128 f64x2_add(v128 a, v128 b) { return as_int(_mm_add_pd(as_f64(a), as_f64(b))); }
inline v128 f64x2_sub(v128 a, v128 b) { return as_int(_mm_sub_pd(as_f64(a), as_f64(b))); }
inline v128 f64x2_mul(v128 a, v128 b) { return as_int(_mm_mul_pd(as_f64(a), as_f64(b))); }
inline v128 f64x2_div(v128 a, v128 b) { return as_int(_mm_div_pd(as_f64(a), as_f64(b))); }
inline v128 f64x2_sqrt(v128 a) { return as_int(_mm_sqrt_pd(as_f64(a))); }

// abs/neg only touch the sign bit, NaN payloads included (spec fabs/fneg).
inline v128 f32x4_abs(v128 a) { return _mm_and_si128(a, _mm_set1_epi32(0x7FFFFFFF)); }
inline v128 f32x4_neg(v128 a) { return _mm_xor_si128(a, _mm_set1_epi32(INT32_MIN)); }
inline v128 f64x2_abs(v128 a) { return _mm_and_si128(a, _mm_set1_epi64x(INT64_MAX)); }
inline v128 f64x2_neg(v128 a) { return _mm_xor_si128(a, _mm_set1_epi64x(INT64_MIN)); }

// ---- min / max -------------------------------------------------------------------
// minps(x, y) is "x < y ? x : y": it returns y when either is NaN and when
// both are zeros of any sign. Taking it both ways round and combining fixes
// the zeros (OR of -0 and +0 is -0 for min; AND is +0 for max); lanes where
// either input is NaN are then replaced with the canonical NaN, which the
// spec's fmin/fmax permit for every NaN input.
VIV_SIMD_INLINE v128 f32x4_min(v128 a, v128 b) {
  __m128 x = as_f32(a), y = as_f32(b);
  __m128 r = _mm_or_ps(_mm_min_ps(x, y), _mm_min_ps(y, x));
  return as_int(_mm_blendv_ps(r, _mm_castsi128_ps(_mm_set1_epi32(0x7FC00000)), _mm_cmpunord_ps(x, y)));
}
VIV_SIMD_INLINE v128 f32x4_max(v128 a, v128 b) {
  __m128 x = as_f32(a), y = as_f32(b);
  __m128 r = _mm_and_ps(_mm_max_ps(x, y), _mm_max_ps(y, x));
  return as_int(_mm_blendv_ps(r, _mm_castsi128_ps(_mm_set1_epi32(0x7FC00000)), _mm_cmpunord_ps(x, y)));
}
VIV_SIMD_INLINE v128 f64x2_min(v128 a, v128 b) {
  __m128d x = as_f64(a), y = as_f64(b);
  __m128d r = _mm_or_pd(_mm_min_pd(x, y), _mm_min_pd(y, x));
  return as_int(_mm_blendv_pd(r, _mm_castsi128_pd(_mm_set1_epi64x(0x7FF8000000000000)), _mm_cmpunord_pd(x, y)));
}
VIV_SIMD_INLINE v128 f64x2_max(v128 a, v128 b) {
  __m128d x = as_f64(a), y = as_f64(b);
  __m128d r = _mm_and_pd(_mm_max_pd(x, y), _mm_max_pd(y, x));
  return as_int(_mm_blendv_pd(r, _mm_castsi128_pd(_mm_set1_epi64x(0x7FF8000000000000)), _mm_cmpunord_pd(x, y)));
}

// pmin(a, b) = b < a ? b : a and pmax(a, b) = a < b ? b : a: the
// pseudo-min/max are defined to be minps/maxps with the operands swapped.
inline v128 f32x4_pmin(v128 a, v128 b) { return as_int(_mm_min_ps(as_f32(b), as_f32(a))); }
inline v128 f32x4_pmax(v128 a, v128 b) { return as_int(_mm_max_ps(as_f32(b), as_f32(a))); }
inline v128 f64x2_pmin(v128 a, v128 b) { return as_int(_mm_min_pd(as_f64(b), as_f64(a))); }
inline v128 f64x2_pmax(v128 a, v128 b) { return as_int(_mm_max_pd(as_f64(b), as_f64(a))); }

// ---- rounding --------------------------------------------------------------------
// roundps/roundpd: an explicit mode (not MXCSR), inexact not signalled. They
// keep the sign of zero results (ceil(-0.5) = -0) and quiet NaNs, as the
// spec's fceil/ffloor/ftrunc/fnearest require.
constexpr int kCeil = _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC;
constexpr int kFloor = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;
constexpr int kTrunc = _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC;
constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
VIV_SIMD_INLINE v128 f32x4_ceil(v128 a) { return as_int(_mm_round_ps(as_f32(a), kCeil)); }
VIV_SIMD_INLINE v128 f32x4_floor(v128 a) { return as_int(_mm_round_ps(as_f32(a), kFloor)); }
VIV_SIMD_INLINE v128 f32x4_trunc(v128 a) { return as_int(_mm_round_ps(as_f32(a), kTrunc)); }
VIV_SIMD_INLINE v128 f32x4_nearest(v128 a) { return as_int(_mm_round_ps(as_f32(a), kNearest)); }
VIV_SIMD_INLINE v128 f64x2_ceil(v128 a) { return as_int(_mm_round_pd(as_f64(a), kCeil)); }
VIV_SIMD_INLINE v128 f64x2_floor(v128 a) { return as_int(_mm_round_pd(as_f64(a), kFloor)); }
VIV_SIMD_INLINE v128 f64x2_trunc(v128 a) { return as_int(_mm_round_pd(as_f64(a), kTrunc)); }
VIV_SIMD_INLINE v128 f64x2_nearest(v128 a) { return as_int(_mm_round_pd(as_f64(a), kNearest)); }

}  // namespace vivarium::engine::simd
