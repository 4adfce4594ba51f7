// The host vector ISA the SIMD semantics are written against, and the value
// type they operate on.
//
// Every v128 operation in engine/interp/simd/ is a small inline function over
// __m128i built from SSE2/SSSE3/SSE4.1 instructions. The rest of the engine is
// compiled for baseline x86-64 (SSE2 only), so these functions opt into the
// newer instructions one by one with VIV_SIMD instead of raising the baseline
// for the whole binary; cpu.h checks once that the host really has them
// before a module that uses v128 is accepted.
#pragma once

#include "engine/interp/simd/host.h"
#if !VIV_SIMD_HOST_X86
#error "engine/interp/simd targets x86-64 (SSE4.1); include it only when VIV_SIMD_HOST_X86"
#endif

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "vivarium/types.h"

// Functions using instructions beyond SSE2. Not always_inline: a caller
// compiled without these features (a unit test, say) then calls an outlined
// copy instead of failing to compile; callers marked VIV_SIMD inline them.
#define VIV_SIMD __attribute__((target("sse4.1,ssse3")))
#define VIV_SIMD_INLINE inline VIV_SIMD

namespace vivarium::engine::simd {

using v128 = __m128i;

inline v128 load(const vivarium::V128& v) { return _mm_load_si128(reinterpret_cast<const __m128i*>(v.bytes)); }
inline vivarium::V128 store(v128 v) {
  vivarium::V128 out;
  _mm_store_si128(reinterpret_cast<__m128i*>(out.bytes), v);
  return out;
}
// Unaligned access to guest memory or interpreter slots.
inline v128 loadu(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
inline void storeu(void* p, v128 v) { _mm_storeu_si128(static_cast<__m128i*>(p), v); }

// Reinterpretations between the integer and float views: no instructions.
inline __m128 as_f32(v128 v) { return _mm_castsi128_ps(v); }
inline __m128d as_f64(v128 v) { return _mm_castsi128_pd(v); }
inline v128 as_int(__m128 v) { return _mm_castps_si128(v); }
inline v128 as_int(__m128d v) { return _mm_castpd_si128(v); }

}  // namespace vivarium::engine::simd
