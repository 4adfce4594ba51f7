// The v128 memory operations' data movement, on a host pointer the caller
// has already bounds-checked (memory_handlers.cc does, like the scalar loads).
// Guest memory is little-endian and unaligned, as is x86-64, so each access
// is a plain unaligned load or store of the access width.
#pragma once
#include "engine/interp/simd/lanes.h"
#include "engine/interp/simd/target.h"

namespace vivarium::engine::simd {

template <class T>
inline T read_scalar(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
inline v128 load64_low(const uint8_t* p) { return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)); }

// ---- load and extend (8 bytes read) --------------------------------------------------
VIV_SIMD_INLINE v128 v128_load8x8_s(const uint8_t* p) { return _mm_cvtepi8_epi16(load64_low(p)); }
VIV_SIMD_INLINE v128 v128_load8x8_u(const uint8_t* p) { return _mm_cvtepu8_epi16(load64_low(p)); }
VIV_SIMD_INLINE v128 v128_load16x4_s(const uint8_t* p) { return _mm_cvtepi16_epi32(load64_low(p)); }
VIV_SIMD_INLINE v128 v128_load16x4_u(const uint8_t* p) { return _mm_cvtepu16_epi32(load64_low(p)); }
VIV_SIMD_INLINE v128 v128_load32x2_s(const uint8_t* p) { return _mm_cvtepi32_epi64(load64_low(p)); }
VIV_SIMD_INLINE v128 v128_load32x2_u(const uint8_t* p) { return _mm_cvtepu32_epi64(load64_low(p)); }

// ---- load and splat, load and zero ------------------------------------------------
inline v128 v128_load8_splat(const uint8_t* p) { return _mm_set1_epi8(static_cast<char>(p[0])); }
inline v128 v128_load16_splat(const uint8_t* p) { return _mm_set1_epi16(read_scalar<int16_t>(p)); }
inline v128 v128_load32_splat(const uint8_t* p) { return _mm_set1_epi32(read_scalar<int32_t>(p)); }
inline v128 v128_load64_splat(const uint8_t* p) { return _mm_set1_epi64x(read_scalar<int64_t>(p)); }
inline v128 v128_load32_zero(const uint8_t* p) { return _mm_cvtsi32_si128(read_scalar<int32_t>(p)); }
inline v128 v128_load64_zero(const uint8_t* p) { return load64_low(p); }

// ---- one lane -----------------------------------------------------------------------
inline v128 v128_load8_lane(const uint8_t* p, v128 v, uint32_t i) { return with_lane(v, i, p[0]); }
inline v128 v128_load16_lane(const uint8_t* p, v128 v, uint32_t i) { return with_lane(v, i, read_scalar<uint16_t>(p)); }
inline v128 v128_load32_lane(const uint8_t* p, v128 v, uint32_t i) { return with_lane(v, i, read_scalar<uint32_t>(p)); }
inline v128 v128_load64_lane(const uint8_t* p, v128 v, uint32_t i) { return with_lane(v, i, read_scalar<uint64_t>(p)); }
inline void v128_store8_lane(uint8_t* p, v128 v, uint32_t i) { p[0] = lane<uint8_t>(v, i); }
inline void v128_store16_lane(uint8_t* p, v128 v, uint32_t i) { uint16_t x = lane<uint16_t>(v, i); std::memcpy(p, &x, 2); }
inline void v128_store32_lane(uint8_t* p, v128 v, uint32_t i) { uint32_t x = lane<uint32_t>(v, i); std::memcpy(p, &x, 4); }
inline void v128_store64_lane(uint8_t* p, v128 v, uint32_t i) { uint64_t x = lane<uint64_t>(v, i); std::memcpy(p, &x, 8); }

}  // namespace vivarium::engine::simd
