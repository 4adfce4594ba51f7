// Moving lanes around: splat, extract/replace lane, shuffle and swizzle.
// Lane indices are immediates the validator has already bounded, so the
// extract/replace functions do not re-check them.
#pragma once
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

// ---- splat -------------------------------------------------------------------
inline v128 i8x16_splat(int32_t x) { return _mm_set1_epi8(static_cast<char>(x)); }
inline v128 i16x8_splat(int32_t x) { return _mm_set1_epi16(static_cast<short>(x)); }
inline v128 i32x4_splat(int32_t x) { return _mm_set1_epi32(x); }
inline v128 i64x2_splat(int64_t x) { return _mm_set1_epi64x(x); }
inline v128 f32x4_splat(float x) { return as_int(_mm_set1_ps(x)); }
inline v128 f64x2_splat(double x) { return as_int(_mm_set1_pd(x)); }

// ---- extract / replace -----------------------------------------------------------
// The lane is a run-time value here (the interpreter reads the immediate), so
// go through memory: one store and one scalar load, which is what pextr* with
// a variable index would compile to anyway.
template <class T>
inline T lane(v128 v, uint32_t i) {
  alignas(16) uint8_t b[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(b), v);
  T out;
  std::memcpy(&out, b + i * sizeof(T), sizeof(T));
  return out;
}
template <class T>
inline v128 with_lane(v128 v, uint32_t i, T x) {
  alignas(16) uint8_t b[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(b), v);
  std::memcpy(b + i * sizeof(T), &x, sizeof(T));
  return _mm_load_si128(reinterpret_cast<const __m128i*>(b));
}

inline int32_t i8x16_extract_lane_s(v128 v, uint32_t i) { return lane<int8_t>(v, i); }
inline int32_t i8x16_extract_lane_u(v128 v, uint32_t i) { return lane<uint8_t>(v, i); }
inline int32_t i16x8_extract_lane_s(v128 v, uint32_t i) { return lane<int16_t>(v, i); }
inline int32_t i16x8_extract_lane_u(v128 v, uint32_t i) { return lane<uint16_t>(v, i); }
inline int32_t i32x4_extract_lane(v128 v, uint32_t i) { return lane<int32_t>(v, i); }
inline int64_t i64x2_extract_lane(v128 v, uint32_t i) { return lane<int64_t>(v, i); }
inline float f32x4_extract_lane(v128 v, uint32_t i) { return lane<float>(v, i); }
inline double f64x2_extract_lane(v128 v, uint32_t i) { return lane<double>(v, i); }

inline v128 i8x16_replace_lane(v128 v, uint32_t i, int32_t x) { return with_lane<uint8_t>(v, i, static_cast<uint8_t>(x)); }
inline v128 i16x8_replace_lane(v128 v, uint32_t i, int32_t x) { return with_lane<uint16_t>(v, i, static_cast<uint16_t>(x)); }
inline v128 i32x4_replace_lane(v128 v, uint32_t i, int32_t x) { return with_lane<int32_t>(v, i, x); }
inline v128 i64x2_replace_lane(v128 v, uint32_t i, int64_t x) { return with_lane<int64_t>(v, i, x); }
inline v128 f32x4_replace_lane(v128 v, uint32_t i, float x) { return with_lane<float>(v, i, x); }
inline v128 f64x2_replace_lane(v128 v, uint32_t i, double x) { return with_lane<double>(v, i, x); }

// ---- swizzle / shuffle ------------------------------------------------------------
// pshufb selects byte (idx & 15) and writes 0 when bit 7 of idx is set.
// Adding 0x70 with unsigned saturation maps 0..15 to 0x70..0x7F (bit 7 clear,
// low nibble kept) and every index >= 16 to 0x80..0xFF (zeroed): exactly the
// out-of-range rule of swizzle.
VIV_SIMD_INLINE v128 i8x16_swizzle(v128 a, v128 idx) {
  return _mm_shuffle_epi8(a, _mm_adds_epu8(idx, _mm_set1_epi8(0x70)));
}

// The pshufb controls for one shuffle immediate (lanes 0..31): bytes taken
// from a, and bytes taken from b. The interpreter can compute them once when
// it lowers the instruction.
struct ShuffleMasks {
  v128 from_a;
  v128 from_b;
};
inline ShuffleMasks shuffle_masks(v128 lanes) {
  const v128 bias = _mm_set1_epi8(0x70);
  // Lanes 16..31 pick from b: flipping bit 4 maps them to 0..15 and the
  // lanes of a to 16..31, which the saturating add then zeroes.
  return {_mm_adds_epu8(lanes, bias), _mm_adds_epu8(_mm_xor_si128(lanes, _mm_set1_epi8(0x10)), bias)};
}
VIV_SIMD_INLINE v128 i8x16_shuffle(v128 a, v128 b, const ShuffleMasks& m) {
  return _mm_or_si128(_mm_shuffle_epi8(a, m.from_a), _mm_shuffle_epi8(b, m.from_b));
}
VIV_SIMD_INLINE v128 i8x16_shuffle(v128 a, v128 b, v128 lanes) { return i8x16_shuffle(a, b, shuffle_masks(lanes)); }

}  // namespace vivarium::engine::simd
