// SIMD under the LLVM tier (engine/compiler/translate_simd.cc): the ops whose
// wasm semantics differ from a naive vector mapping (NaN and signed-zero
// min/max, shuffle and swizzle lane rules, saturating truncation, bitmask),
// each checked against fixed expected lanes and against the interpreter, and
// v128 values crossing between tiers as parameters, results and globals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>

#include "vivarium/vivarium.h"

namespace vivarium {
namespace {

const bool kNativeEnabled = (Module::enable_native_tier(), true);

Module compile(std::string_view wat, ExecutionTier tier) {
  CompileOptions o;
  o.tier = tier;
  auto m = Module::from_text(wat, o);
  if (!m) ADD_FAILURE() << m.error().to_string();
  return std::move(m).value();
}

template <class T, size_t N>
V128 v128_of(const T (&lanes)[N]) {
  static_assert(sizeof(T) * N == 16);
  V128 v;
  std::memcpy(v.bytes, lanes, 16);
  return v;
}

template <class T>
std::vector<T> lanes_of(const V128& v) {
  std::vector<T> out(16 / sizeof(T));
  std::memcpy(out.data(), v.bytes, 16);
  return out;
}

uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// Calls `name` on a fresh instance of `wat` under each tier, checks both give
// the same result bits, and returns the native tier's results.
std::vector<Value> both_tiers(std::string_view wat, std::string_view name, std::vector<Value> args) {
  (void)kNativeEnabled;
  std::vector<Value> out[2];
  int k = 0;
  for (ExecutionTier t : {ExecutionTier::Interpreter, ExecutionTier::Native}) {
    Store s;
    auto inst = Linker().instantiate(s, compile(wat, t));
    if (!inst) {
      ADD_FAILURE() << inst.error().to_string();
      return {};
    }
    auto r = inst->call(name, args);
    if (!r) {
      ADD_FAILURE() << r.error().to_string();
      return {};
    }
    out[k++] = std::move(r).value();
  }
  EXPECT_EQ(out[0].size(), out[1].size());
  for (size_t i = 0; i < out[0].size() && i < out[1].size(); ++i) {
    EXPECT_EQ(out[0][i].type(), out[1][i].type());
    if (out[0][i].type() == ValType::V128) EXPECT_TRUE(out[0][i].v128() == out[1][i].v128()) << "result " << i;
  }
  return out[1];
}

V128 binary_v128(std::string_view op, const V128& a, const V128& b) {
  const std::string wat = "(module (func (export \"f\") (param v128 v128) (result v128) (" + std::string(op) +
                          " (local.get 0) (local.get 1))))";
  auto r = both_tiers(wat, "f", {Value::v128(a), Value::v128(b)});
  return r.empty() ? V128{} : r[0].v128();
}

V128 unary_v128(std::string_view op, const V128& a) {
  const std::string wat =
      "(module (func (export \"f\") (param v128) (result v128) (" + std::string(op) + " (local.get 0))))";
  auto r = both_tiers(wat, "f", {Value::v128(a)});
  return r.empty() ? V128{} : r[0].v128();
}

int32_t to_i32(std::string_view op, const V128& a) {
  const std::string wat =
      "(module (func (export \"f\") (param v128) (result i32) (" + std::string(op) + " (local.get 0))))";
  auto r = both_tiers(wat, "f", {Value::v128(a)});
  return r.empty() ? -1 : r[0].i32();
}

constexpr uint32_t kCanonNaN = 0x7FC00000;

TEST(NativeSimd, MinMaxPropagateNaNAndOrderZeros) {
  const float nan = std::nanf("");
  const float a[4] = {nan, -0.0f, 0.0f, 1.0f};
  const float b[4] = {1.0f, 0.0f, -0.0f, nan};
  for (std::string_view op : {"f32x4.min", "f32x4.max"}) {
    auto r = lanes_of<float>(binary_v128(op, v128_of(a), v128_of(b)));
    const bool min = op == "f32x4.min";
    EXPECT_TRUE(std::isnan(r[0])) << op;
    EXPECT_TRUE(std::isnan(r[3])) << op;
    // min(-0, +0) = -0 either way round; max = +0.
    EXPECT_EQ(bits_of(r[1]), min ? 0x80000000u : 0u) << op;
    EXPECT_EQ(bits_of(r[2]), min ? 0x80000000u : 0u) << op;
  }
  // A signalling NaN comes back quiet.
  const uint32_t snan[4] = {0x7F800001, 0, 0, 0};
  const float ones[4] = {1, 1, 1, 1};
  auto r = lanes_of<uint32_t>(binary_v128("f32x4.min", v128_of(snan), v128_of(ones)));
  EXPECT_EQ(r[0] & kCanonNaN, kCanonNaN);
}

TEST(NativeSimd, PseudoMinMaxReturnTheFirstOperandOnNaN) {
  const float nan = std::nanf("");
  const float a[4] = {nan, 2.0f, -0.0f, 1.0f};
  const float b[4] = {1.0f, nan, 0.0f, 3.0f};
  auto pmin = lanes_of<float>(binary_v128("f32x4.pmin", v128_of(a), v128_of(b)));
  EXPECT_TRUE(std::isnan(pmin[0]));  // b < a is false: a
  EXPECT_EQ(pmin[1], 2.0f);          // a
  EXPECT_EQ(bits_of(pmin[2]), 0x80000000u);
  EXPECT_EQ(pmin[3], 1.0f);
  auto pmax = lanes_of<float>(binary_v128("f32x4.pmax", v128_of(a), v128_of(b)));
  EXPECT_EQ(pmax[3], 3.0f);
  EXPECT_EQ(bits_of(pmax[2]), 0x80000000u);
}

TEST(NativeSimd, ShuffleTakesLanesFromBothOperands) {
  constexpr std::string_view kWat = R"((module (func (export "f") (param v128 v128) (result v128)
    (i8x16.shuffle 31 0 16 1 17 15 30 2 3 4 5 6 7 8 9 10 (local.get 0) (local.get 1)))))";
  uint8_t a[16], b[16];
  for (int i = 0; i < 16; ++i) {
    a[i] = static_cast<uint8_t>(i);
    b[i] = static_cast<uint8_t>(100 + i);
  }
  auto r = both_tiers(kWat, "f", {Value::v128(v128_of(a)), Value::v128(v128_of(b))});
  ASSERT_EQ(r.size(), 1u);
  const std::vector<uint8_t> want = {115, 0, 100, 1, 101, 15, 114, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(lanes_of<uint8_t>(r[0].v128()), want);
}

TEST(NativeSimd, SwizzleZeroesOutOfRangeIndices) {
  uint8_t a[16], idx[16] = {0, 15, 16, 255, 128, 1, 31, 0x8F, 2, 3, 4, 5, 6, 7, 8, 9};
  for (int i = 0; i < 16; ++i) a[i] = static_cast<uint8_t>(0xA0 + i);
  auto r = lanes_of<uint8_t>(binary_v128("i8x16.swizzle", v128_of(a), v128_of(idx)));
  const std::vector<uint8_t> want = {0xA0, 0xAF, 0, 0, 0, 0xA1, 0, 0, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9};
  EXPECT_EQ(r, want);
}

TEST(NativeSimd, TruncSatClampsAndZeroesNaN) {
  const float f[4] = {std::nanf(""), 3e9f, -3e9f, -1.5f};
  EXPECT_EQ(lanes_of<int32_t>(unary_v128("i32x4.trunc_sat_f32x4_s", v128_of(f))),
            (std::vector<int32_t>{0, INT32_MAX, INT32_MIN, -1}));
  EXPECT_EQ(lanes_of<uint32_t>(unary_v128("i32x4.trunc_sat_f32x4_u", v128_of(f))),
            (std::vector<uint32_t>{0, 3000000000u, 0, 0}));
  // The range's edges: 2^31 and -2^31 exactly, the largest floats below 2^31 and 2^32.
  const float edge_s[4] = {2147483648.0f, -2147483648.0f, 2147483520.0f, -0.0f};
  EXPECT_EQ(lanes_of<int32_t>(unary_v128("i32x4.trunc_sat_f32x4_s", v128_of(edge_s))),
            (std::vector<int32_t>{INT32_MAX, INT32_MIN, 2147483520, 0}));
  const float edge_u[4] = {4294967296.0f, 4294967040.0f, 2147483648.0f, std::nanf("")};
  EXPECT_EQ(lanes_of<uint32_t>(unary_v128("i32x4.trunc_sat_f32x4_u", v128_of(edge_u))),
            (std::vector<uint32_t>{UINT32_MAX, 4294967040u, 2147483648u, 0}));
  const double d[2] = {5e9, -0.9};
  EXPECT_EQ(lanes_of<uint32_t>(unary_v128("i32x4.trunc_sat_f64x2_u_zero", v128_of(d))),
            (std::vector<uint32_t>{UINT32_MAX, 0, 0, 0}));
  const double e[2] = {std::nan(""), -1e300};
  EXPECT_EQ(lanes_of<int32_t>(unary_v128("i32x4.trunc_sat_f64x2_s_zero", v128_of(e))),
            (std::vector<int32_t>{0, INT32_MIN, 0, 0}));
}

TEST(NativeSimd, BitmaskTakesEachLanesSignBit) {
  int8_t b[16] = {};
  b[0] = -1;
  b[7] = -128;
  b[15] = -2;
  b[3] = 127;
  EXPECT_EQ(to_i32("i8x16.bitmask", v128_of(b)), (1 << 0) | (1 << 7) | (1 << 15));
  const int16_t h[8] = {-1, 0, 0, 0, 0, 0, 0, INT16_MIN};
  EXPECT_EQ(to_i32("i16x8.bitmask", v128_of(h)), 0x81);
  const int32_t w[4] = {0, INT32_MIN, 1, -7};
  EXPECT_EQ(to_i32("i32x4.bitmask", v128_of(w)), 0xA);
  const int64_t q[2] = {-1, 1};
  EXPECT_EQ(to_i32("i64x2.bitmask", v128_of(q)), 1);
  EXPECT_EQ(to_i32("v128.any_true", v128_of(q)), 1);
  EXPECT_EQ(to_i32("i64x2.all_true", v128_of(q)), 1);
  EXPECT_EQ(to_i32("i32x4.all_true", v128_of(w)), 0);
}

TEST(NativeSimd, Q15MulrSaturatesAndDotSumsPairs) {
  const int16_t a[8] = {INT16_MIN, INT16_MIN, 16384, -16384, 1, 0, 32767, 3};
  const int16_t b[8] = {INT16_MIN, 32767, 16384, 16384, 1, 5, 32767, -3};
  EXPECT_EQ(lanes_of<int16_t>(binary_v128("i16x8.q15mulr_sat_s", v128_of(a), v128_of(b))),
            (std::vector<int16_t>{32767, -32767, 8192, -8192, 0, 0, 32766, 0}));
  EXPECT_EQ(lanes_of<int32_t>(binary_v128("i32x4.dot_i16x8_s", v128_of(a), v128_of(a))),
            (std::vector<int32_t>{INT32_MIN, 536870912, 1, 1073676298}));
}

// A v128 in the middle of other values: slots of v128 take two 8-byte slots
// across the tiers' calling convention (args, results, globals).
TEST(NativeSimd, V128CrossesTiersAsParamsResultsAndGlobals) {
  Store s;
  auto interp = Linker().instantiate(s, compile(R"((module
    (global (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
    (func (export "mix") (param i32 v128 f64) (result f64 v128 i32)
      (local.get 2) (i32x4.add (local.get 1) (global.get 0)) (local.get 0))))",
                                                 ExecutionTier::Interpreter));
  ASSERT_TRUE(interp) << interp.error().to_string();
  Linker l;
  l.define_instance("i", *interp);
  auto native = l.instantiate(s, compile(R"((module
    (import "i" "mix" (func $mix (param i32 v128 f64) (result f64 v128 i32)))
    (import "i" "g" (global $g (mut v128)))
    (func (export "f") (param v128) (result v128 i32)
      (local f64 i32)
      (call $mix (i32.const 7) (local.get 0) (f64.const 2.5))
      (local.set 2)
      (global.set $g)
      (local.set 1)
      (global.get $g)
      (i32.add (local.get 2) (i32.trunc_f64_s (local.get 1))))))",
                                      ExecutionTier::Native));
  ASSERT_TRUE(native) << native.error().to_string();
  const int32_t x[4] = {10, 20, 30, 40};
  auto r = native->call("f", {{Value::v128(v128_of(x))}});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(lanes_of<int32_t>((*r)[0].v128()), (std::vector<int32_t>{11, 22, 33, 44}));
  EXPECT_EQ((*r)[1].i32(), 9);
  auto g = interp->global("g");
  ASSERT_TRUE(g);
  // Native code wrote the interpreted instance's global.
  auto again = interp->call("mix", {{Value::i32(0), Value::v128(V128{}), Value::f64(0)}});
  ASSERT_TRUE(again);
  EXPECT_EQ(lanes_of<int32_t>((*again)[1].v128()), (std::vector<int32_t>{11, 22, 33, 44}));
}

TEST(NativeSimd, OutOfBoundsVectorAccessesTrap) {
  constexpr std::string_view kWat = R"((module (memory 1)
    (func (export "load") (param i32) (result v128) (v128.load (local.get 0)))
    (func (export "splat") (param i32) (result v128) (v128.load32_splat offset=4 (local.get 0)))
    (func (export "store_lane") (param i32) (v128.store64_lane 1 (local.get 0) (v128.const i64x2 1 2)))))";
  for (ExecutionTier t : {ExecutionTier::Interpreter, ExecutionTier::Native}) {
    Store s;
    auto inst = Linker().instantiate(s, compile(kWat, t));
    ASSERT_TRUE(inst);
    EXPECT_TRUE(inst->call("load", {{Value::i32(65536 - 16)}}));
    auto r = inst->call("load", {{Value::i32(65536 - 15)}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message(), "out of bounds memory access");
    EXPECT_FALSE(inst->call("splat", {{Value::i32(65536 - 7)}}));
    EXPECT_FALSE(inst->call("store_lane", {{Value::i32(65536 - 7)}}));
    EXPECT_TRUE(inst->call("store_lane", {{Value::i32(65536 - 8)}}));
  }
}

// Every function of a SIMD module is compiled (none left to the interpreter),
// as native_tier.cc reports through VIVARIUM_NATIVE_STATS.
TEST(NativeSimd, SimdFunctionsAreCompiledNatively) {
  char path[] = "/tmp/viv_native_stats_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  setenv("VIVARIUM_NATIVE_STATS", path, 1);
  compile(R"((module
    (func (param v128) (result v128) (f32x4.sqrt (local.get 0)))
    (func (result i32) (i8x16.bitmask (v128.const i8x16 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 -1)))
    (func (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))))",
          ExecutionTier::Native);
  unsetenv("VIVARIUM_NATIVE_STATS");
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::remove(path);
  EXPECT_EQ(line, "compiled 3 interpreted 0");
}

}  // namespace
}  // namespace vivarium
