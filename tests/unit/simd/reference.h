// Test support for the SIMD semantics: a byte-addressable vector, lane-wise
// scalar reference builders, edge-biased random inputs, and a comparison that
// applies the spec's NaN rules (canonical vs. arithmetic NaN results).
#pragma once
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/interp/simd/ops.h"

namespace vivarium::engine::simd::test {

struct Vec {
  alignas(16) uint8_t b[16] = {};
  template <class T> T get(int i) const { T v; std::memcpy(&v, b + i * sizeof(T), sizeof(T)); return v; }
  template <class T> void set(int i, T v) { std::memcpy(b + i * sizeof(T), &v, sizeof(T)); }
  v128 m() const { return loadu(b); }
  static Vec of(v128 v) { Vec r; storeu(r.b, v); return r; }
  template <class T> static Vec splat(T v) { Vec r; for (int i = 0; i < int(16 / sizeof(T)); ++i) r.set<T>(i, v); return r; }
  std::string hex() const {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 16; ++i) { s += d[b[i] >> 4]; s += d[b[i] & 15]; if (i % 4 == 3 && i != 15) s += ' '; }
    return s;
  }
};

template <class T> constexpr int lanes() { return 16 / sizeof(T); }
template <class T> T mask(bool c) { return c ? static_cast<T>(~std::make_unsigned_t<T>{0}) : T{0}; }

// ---- float NaN classes (spec 4.3.3: canonical / arithmetic NaNs) -------------------
template <class F> using Bits = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
template <class F> constexpr Bits<F> kQuiet = static_cast<Bits<F>>(sizeof(F) == 4 ? 0x00400000ull : 0x0008000000000000ull);
template <class F> constexpr Bits<F> kExp = static_cast<Bits<F>>(sizeof(F) == 4 ? 0x7F800000ull : 0x7FF0000000000000ull);
template <class F> constexpr Bits<F> kMant = kQuiet<F> * 2 - 1;
template <class F> bool is_nan_bits(Bits<F> b) { return (b & kExp<F>) == kExp<F> && (b & kMant<F>) != 0; }
template <class F> bool is_canonical(Bits<F> b) { return (b & ~(Bits<F>{1} << (sizeof(F) * 8 - 1))) == (kExp<F> | kQuiet<F>); }
template <class F> F from_bits(Bits<F> b) { return std::bit_cast<F>(b); }
template <class F> Bits<F> to_bits(F f) { return std::bit_cast<Bits<F>>(f); }
// What the reference returns for a NaN result: the canonical NaN when every
// NaN input was canonical (or there was none), else a marker that only asks
// for an arithmetic NaN.
template <class F> F canonical_nan() { return from_bits<F>(kExp<F> | kQuiet<F>); }
template <class F> F arithmetic_nan() { return from_bits<F>(kExp<F> | kQuiet<F> | 1); }
template <class F> F nan_result(std::initializer_list<F> inputs) {
  for (F x : inputs) if (std::isnan(x) && !is_canonical<F>(to_bits(x))) return arithmetic_nan<F>();
  return canonical_nan<F>();
}

enum class Lanes { Exact, F32, F64 };

template <class F>
::testing::AssertionResult float_lane_ok(Bits<F> got, Bits<F> exp) {
  if (!is_nan_bits<F>(exp)) {
    if (got == exp) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "expected bits " << std::hex << exp << ", got " << got;
  }
  if (!is_nan_bits<F>(got) || (got & kQuiet<F>) == 0)
    return ::testing::AssertionFailure() << "expected an arithmetic NaN, got bits " << std::hex << got;
  if (is_canonical<F>(exp) && !is_canonical<F>(got))
    return ::testing::AssertionFailure() << "expected the canonical NaN, got bits " << std::hex << got;
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult vec_ok(const Vec& got, const Vec& exp, Lanes kind) {
  bool ok = true;
  std::string why;
  if (kind == Lanes::Exact) {
    ok = std::memcmp(got.b, exp.b, 16) == 0;
  } else if (kind == Lanes::F32) {
    for (int i = 0; i < 4; ++i)
      if (auto r = float_lane_ok<float>(got.get<uint32_t>(i), exp.get<uint32_t>(i)); !r) { ok = false; why = r.message(); }
  } else {
    for (int i = 0; i < 2; ++i)
      if (auto r = float_lane_ok<double>(got.get<uint64_t>(i), exp.get<uint64_t>(i)); !r) { ok = false; why = r.message(); }
  }
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got.hex() << "\n  expected " << exp.hex() << "\n  " << why;
}

// ---- inputs ---------------------------------------------------------------------------
// Values where implementations go wrong: extremes, signed zeros, NaNs with
// payloads and signalling NaNs, infinities, rounding ties, the saturation
// boundaries of every conversion.
template <class T> std::vector<T> edges();
template <> inline std::vector<int8_t> edges() { return {0, 1, -1, 2, -2, 127, -128, 126, -127, 0x55, 0x40, -0x40}; }
template <> inline std::vector<int16_t> edges() {
  return {0, 1, -1, 127, -128, 255, 256, -256, 32767, -32768, 16384, -16384, 0x7F00, 0x00FF};
}
template <> inline std::vector<int32_t> edges() {
  return {0, 1, -1, INT32_MAX, INT32_MIN, 65535, 65536, -65536, 32767, -32768, 0x7FFF0000, 0x01000001, 16777217};
}
template <> inline std::vector<int64_t> edges() {
  return {0, 1, -1, INT64_MAX, INT64_MIN, INT32_MAX, INT32_MIN, 0xFFFFFFFFLL, 0x100000000LL, -0x100000000LL,
          0x7FFFFFFF00000000LL};
}
// Unsigned lanes use the same bit patterns as their signed counterparts.
template <class U> std::vector<U> unsigned_edges() {
  std::vector<U> v;
  for (auto x : edges<std::make_signed_t<U>>()) v.push_back(static_cast<U>(x));
  return v;
}
template <> inline std::vector<uint8_t> edges() { return unsigned_edges<uint8_t>(); }
template <> inline std::vector<uint16_t> edges() { return unsigned_edges<uint16_t>(); }
template <> inline std::vector<uint32_t> edges() { return unsigned_edges<uint32_t>(); }
template <> inline std::vector<uint64_t> edges() { return unsigned_edges<uint64_t>(); }
template <> inline std::vector<float> edges() {
  std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 0.49999997f,
                          8388607.5f, -8388607.5f, 8388609.0f, 2147483520.0f, 2147483648.0f, -2147483648.0f,
                          -2147483904.0f, 4294967040.0f, 4294967296.0f, 1e30f, -1e30f, 3.4028235e38f,
                          1.17549435e-38f, 1e-45f, -1e-45f, 123.456f, -0.75f};
  for (uint32_t b : {0x7F800000u, 0xFF800000u, 0x7FC00000u, 0xFFC00000u, 0x7FC12345u, 0xFFA00001u, 0x7F800001u,
                     0xFF812345u})
    v.push_back(from_bits<float>(b));
  return v;
}
template <> inline std::vector<double> edges() {
  std::vector<double> v = {0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994,
                           4503599627370495.5, -4503599627370495.5, 2147483647.0, 2147483647.5, 2147483648.0,
                           -2147483648.0, -2147483648.9, -2147483649.0, 4294967295.0, 4294967295.9, 4294967296.0,
                           1e300, -1e300, 1.7976931348623157e308, 2.2250738585072014e-308, 4.9e-324, 3.4028235677973366e38,
                           3.4028235e38 * 2.0, 1.401298464324817e-45, 7.006492321624085e-46, 123.456};
  for (uint64_t b : {0x7FF0000000000000ull, 0xFFF0000000000000ull, 0x7FF8000000000000ull, 0xFFF8000000000000ull,
                     0x7FF8000000012345ull, 0xFFF4000000000001ull, 0x7FF0000000000001ull, 0xFFF0000012345678ull})
    v.push_back(from_bits<double>(b));
  return v;
}

inline std::mt19937_64& rng() {
  static std::mt19937_64 r(0x5eed5eedULL);
  return r;
}
// Half of the lanes from the edge list, half random bits.
template <class T>
Vec random_vec() {
  static const std::vector<T> e = edges<T>();
  Vec v;
  for (int i = 0; i < lanes<T>(); ++i) {
    uint64_t r = rng()();
    if (r & 1) {
      v.set<T>(i, e[(r >> 1) % e.size()]);
    } else {
      uint64_t bits = rng()();
      std::memcpy(v.b + i * sizeof(T), &bits, sizeof(T));
    }
  }
  return v;
}

constexpr int kIters = 3000;

// ---- lane-wise reference builders -------------------------------------------------------
template <class T, class Op> Vec map1(const Vec& a, Op op) {
  Vec r;
  for (int i = 0; i < lanes<T>(); ++i) r.set(i, op(a.get<T>(i)));
  return r;
}
template <class T, class Op> Vec map2(const Vec& a, const Vec& b, Op op) {
  Vec r;
  for (int i = 0; i < lanes<T>(); ++i) r.set(i, op(a.get<T>(i), b.get<T>(i)));
  return r;
}

// Checks fn against ref over edge-biased random inputs whose lanes are In.
template <class In, class Ref>
void check_unary(const char* name, v128 (*fn)(v128), Ref ref, Lanes out = Lanes::Exact) {
  for (int it = 0; it < kIters; ++it) {
    Vec a = random_vec<In>();
    ASSERT_TRUE(vec_ok(Vec::of(fn(a.m())), ref(a), out)) << name << "(" << a.hex() << ")";
  }
}
template <class In, class Ref>
void check_binary(const char* name, v128 (*fn)(v128, v128), Ref ref, Lanes out = Lanes::Exact) {
  for (int it = 0; it < kIters; ++it) {
    Vec a = random_vec<In>(), b = random_vec<In>();
    // Also pair a lane with itself and with its negation-ish neighbour, which
    // random inputs rarely produce (equal operands, ties, x - x).
    if (it % 4 == 1) b = a;
    ASSERT_TRUE(vec_ok(Vec::of(fn(a.m(), b.m())), ref(a, b), out)) << name << "(" << a.hex() << ", " << b.hex() << ")";
  }
}
template <class T, class Op>
void lanewise1(const char* name, v128 (*fn)(v128), Op op, Lanes out = Lanes::Exact) {
  check_unary<T>(name, fn, [&](const Vec& a) { return map1<T>(a, op); }, out);
}
template <class T, class Op>
void lanewise2(const char* name, v128 (*fn)(v128, v128), Op op, Lanes out = Lanes::Exact) {
  check_binary<T>(name, fn, [&](const Vec& a, const Vec& b) { return map2<T>(a, b, op); }, out);
}

// Wrapping integer arithmetic without signed-overflow UB.
// Computed in uint64_t: narrower unsigned types would promote to int and
// overflow there (u16 * u16), and the low bits of the 64-bit result are the
// same modulo 2^N.
template <class T> T wrap_add(T x, T y) { return T(uint64_t(x) + uint64_t(y)); }
template <class T> T wrap_sub(T x, T y) { return T(uint64_t(x) - uint64_t(y)); }
template <class T> T wrap_mul(T x, T y) { return T(uint64_t(x) * uint64_t(y)); }
template <class T, class W = int64_t> T sat(W v) {
  if (v < W(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  if (v > W(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return T(v);
}

}  // namespace vivarium::engine::simd::test
