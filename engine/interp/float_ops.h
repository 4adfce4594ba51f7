// Float semantics the C++ operators do not give exactly as the spec says
// (spec 4.3.3): min/max with NaN and signed zeros, round-to-even `nearest`,
// sign operations as pure bit operations (no NaN canonicalization), and the
// range checks of float -> integer truncation.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace vivarium::engine::interp {

// NaN in -> a NaN out. `a + b` propagates a quiet NaN from an operand (an
// arithmetic NaN, which the spec allows) and yields the canonical NaN when
// neither is NaN-payload carrying.
template <class F>
F wasm_min(F a, F b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::signbit(a) ? a : b;  // min(-0, +0) = -0
  return a < b ? a : b;
}
template <class F>
F wasm_max(F a, F b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::signbit(a) ? b : a;  // max(-0, +0) = +0
  return a > b ? a : b;
}

// Rounding of a NaN must yield an arithmetic (quiet) NaN; libm and compiler
// builtins may hand a signalling NaN back unchanged (g++ does), so NaNs are
// quieted explicitly by setting the quiet bit.
inline float quiet(float x) { return std::bit_cast<float>(std::bit_cast<uint32_t>(x) | 0x00400000u); }
inline double quiet(double x) { return std::bit_cast<double>(std::bit_cast<uint64_t>(x) | 0x0008000000000000ull); }
template <class F> F wasm_ceil(F x) { return x != x ? quiet(x) : std::ceil(x); }
template <class F> F wasm_floor(F x) { return x != x ? quiet(x) : std::floor(x); }
template <class F> F wasm_trunc(F x) { return x != x ? quiet(x) : std::trunc(x); }
template <class F> F wasm_nearest(F x) { return x != x ? quiet(x) : std::nearbyint(x); }  // default mode: ties to even
template <class F> F wasm_sqrt(F x) { return x != x ? quiet(x) : std::sqrt(x); }

inline uint32_t fbits(float f) { return std::bit_cast<uint32_t>(f); }
inline uint64_t fbits(double d) { return std::bit_cast<uint64_t>(d); }

// Truncation is defined when the truncated value fits the target; bounds are
// exact powers of two, so comparing in the source type is exact.
// I: target integer type. Returns false for NaN or out of range.
template <class I, class F>
bool trunc_in_range(F x) {
  if (x != x) return false;
  if constexpr (std::is_signed_v<I>) {
    constexpr F lo = -static_cast<F>(std::numeric_limits<I>::digits == 31 ? 2147483648.0 : 9223372036854775808.0);
    constexpr F hi = -lo;
    // For f64 -> i32 the lower bound is exclusive of -2^31-1: x > -2^31 - 1.
    if constexpr (sizeof(F) == 8 && sizeof(I) == 4) return x > -2147483649.0 && x < 2147483648.0;
    return x >= lo && x < hi;
  } else {
    constexpr F hi = static_cast<F>(std::numeric_limits<I>::digits == 32 ? 4294967296.0 : 18446744073709551616.0);
    return x > static_cast<F>(-1.0) && x < hi;
  }
}

// Saturating truncation (trunc_sat): NaN -> 0, out of range -> min/max.
template <class I, class F>
I trunc_sat(F x) {
  if (x != x) return 0;
  if (trunc_in_range<I>(x)) return static_cast<I>(x);
  return x < 0 ? std::numeric_limits<I>::min() : std::numeric_limits<I>::max();
}

}  // namespace vivarium::engine::interp
