// Conversions between integer and float lanes and between float widths
// (numerics trunc_sat, convert, demote, promote).
#pragma once
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

// ---- float -> int, saturating ---------------------------------------------------------
// cvttps2dq truncates, but answers 0x80000000 ("integer indefinite") for NaN
// and for anything outside int32. The spec wants 0 for NaN and INT32_MAX for
// large positives; INT32_MIN for large negatives is already right.
inline v128 i32x4_trunc_sat_f32x4_s(v128 a) {
  __m128 x = as_f32(a);
  x = _mm_and_ps(x, _mm_cmpord_ps(x, x));  // NaN -> +0
  v128 r = _mm_cvttps_epi32(x);
  // Lanes >= 2^31 hold 0x80000000; XOR with all ones turns it into 0x7FFFFFFF.
  v128 too_big = as_int(_mm_cmple_ps(_mm_set1_ps(2147483648.0f), x));
  return _mm_xor_si128(r, too_big);
}
// Unsigned: clamp NaN and negatives to 0 (maxps returns its second operand
// for NaN), convert values below 2^31 directly and those above with 2^31
// taken off and added back as the top bit, and saturate lanes >= 2^32.
VIV_SIMD_INLINE v128 i32x4_trunc_sat_f32x4_u(v128 a) {
  const __m128 two31 = _mm_set1_ps(2147483648.0f);
  __m128 x = _mm_max_ps(as_f32(a), _mm_setzero_ps());
  v128 small = _mm_cvttps_epi32(x);
  v128 large = _mm_add_epi32(_mm_cvttps_epi32(_mm_sub_ps(x, two31)), _mm_set1_epi32(INT32_MIN));
  v128 r = as_int(_mm_blendv_ps(as_f32(small), as_f32(large), _mm_cmple_ps(two31, x)));
  return _mm_or_si128(r, as_int(_mm_cmple_ps(_mm_set1_ps(4294967296.0f), x)));
}
// f64 lanes always fit after clamping to the int32 range, which makes the
// conversion exact; cvttpd2dq zeroes the upper two lanes as "_zero" asks.
inline v128 i32x4_trunc_sat_f64x2_s_zero(v128 a) {
  __m128d x = as_f64(a);
  x = _mm_and_pd(x, _mm_cmpord_pd(x, x));  // NaN -> +0
  x = _mm_min_pd(x, _mm_set1_pd(2147483647.0));
  return _mm_cvttpd_epi32(x);  // below INT32_MIN gives 0x80000000 = INT32_MIN
}
// No unsigned cvttpd2dq: clamp to [0, 2^32 - 1], truncate, and add 2^52 so
// the integer lands in the low 32 bits of the mantissa; then gather those.
VIV_SIMD_INLINE v128 i32x4_trunc_sat_f64x2_u_zero(v128 a) {
  __m128d x = _mm_max_pd(as_f64(a), _mm_setzero_pd());  // NaN, negatives -> 0
  x = _mm_min_pd(x, _mm_set1_pd(4294967295.0));
  x = _mm_add_pd(_mm_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC), _mm_set1_pd(4503599627370496.0));
  return _mm_move_epi64(_mm_shuffle_epi32(as_int(x), _MM_SHUFFLE(3, 3, 2, 0)));
}

// ---- int -> float ------------------------------------------------------------------
inline v128 f32x4_convert_i32x4_s(v128 a) { return as_int(_mm_cvtepi32_ps(a)); }
// No unsigned cvtdq2ps: convert the high and low 16 bits separately (both
// exact in f32) and let one final addition do the single correct rounding.
inline v128 f32x4_convert_i32x4_u(v128 a) {
  __m128 hi = _mm_cvtepi32_ps(_mm_srli_epi32(a, 16));
  __m128 lo = _mm_cvtepi32_ps(_mm_and_si128(a, _mm_set1_epi32(0xFFFF)));
  return as_int(_mm_add_ps(_mm_mul_ps(hi, _mm_set1_ps(65536.0f)), lo));
}
inline v128 f64x2_convert_low_i32x4_s(v128 a) { return as_int(_mm_cvtepi32_pd(a)); }
// Place each u32 in the mantissa of 2^52 (high word 0x43300000), giving the
// double 2^52 + u exactly; subtracting 2^52 leaves u.
inline v128 f64x2_convert_low_i32x4_u(v128 a) {
  const __m128d two52 = _mm_set1_pd(4503599627370496.0);
  __m128d biased = as_f64(_mm_unpacklo_epi32(a, _mm_set1_epi32(0x43300000)));
  return as_int(_mm_sub_pd(biased, two52));
}

// ---- float width ------------------------------------------------------------------
// Rounded by MXCSR (nearest even); NaNs are quieted with their payload's top
// bits kept, so canonical stays canonical. cvtpd2ps zeroes the upper lanes.
inline v128 f32x4_demote_f64x2_zero(v128 a) { return as_int(_mm_cvtpd_ps(as_f64(a))); }
inline v128 f64x2_promote_low_f32x4(v128 a) { return as_int(_mm_cvtps_pd(as_f32(a))); }

}  // namespace vivarium::engine::simd
