// The LLVM tier through the public API: results equal the interpreter's,
// traps carry the interpreter's messages, and calls cross tiers (host
// functions, functions left to the interpreter, other modules) both ways.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <string>

#include "vivarium/vivarium.h"

namespace vivarium {
namespace {

// The tier is not linked into the API: a program enables it (as vivarium-native does).
const bool kNativeEnabled = (Module::enable_native_tier(), true);

Module compile(std::string_view wat, ExecutionTier tier = ExecutionTier::Native) {
  CompileOptions o;
  o.tier = tier;
  auto m = Module::from_text(wat, o);
  if (!m) ADD_FAILURE() << m.error().to_string();
  return std::move(m).value();
}

Instance instantiate(Store& s, const Module& m, Linker l = Linker()) {
  auto i = l.instantiate(s, m);
  if (!i) ADD_FAILURE() << i.error().to_string();
  return std::move(i).value();
}

constexpr std::string_view kMath = R"(
(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $fac)
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "sum") (param i32) (result i32) (local i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 0)))
    (local.get 1))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "grow_store") (param i32) (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (local.get 0) (i32.const 7))
    (i32.load (local.get 0)))
  (func (export "indirect") (param i32) (result i64)
    (call_indirect (param i64) (result i64) (i64.const 5) (local.get 0)))
  (func (export "bad_sig") (result i32)
    (call_indirect (result i32) (i32.const 0)))
  (func $inf (export "inf") (call $inf))
  (func (export "spin") (loop (br 0)))
  (func (export "pair") (param i32) (result i32 i64)
    (local.get 0) (i64.extend_i32_u (local.get 0)))
)
)";

std::string trap_of(const Instance& inst, std::string_view name, std::vector<Value> args = {}) {
  auto r = inst.call(name, args);
  if (r) return "no trap";
  return r.error().message();
}

TEST(NativeTier, AvailableOnceEnabled) {
  (void)kNativeEnabled;
  EXPECT_TRUE(Module::native_tier_available());
}

TEST(NativeTier, ResultsMatchTheInterpreter) {
  for (ExecutionTier t : {ExecutionTier::Interpreter, ExecutionTier::Native}) {
    Store s;
    Instance inst = instantiate(s, compile(kMath, t));
    auto fac = inst.call("fac", {{Value::i64(20)}});
    ASSERT_TRUE(fac);
    EXPECT_EQ(fac.value()[0].i64(), 2432902008176640000);
    auto sum = inst.call("sum", {{Value::i32(1000)}});
    ASSERT_TRUE(sum);
    EXPECT_EQ(sum.value()[0].i32(), 500500);
    auto ind = inst.call("indirect", {{Value::i32(0)}});
    ASSERT_TRUE(ind);
    EXPECT_EQ(ind.value()[0].i64(), 120);
    auto pair = inst.call("pair", {{Value::i32(-1)}});
    ASSERT_TRUE(pair);
    ASSERT_EQ(pair.value().size(), 2u);
    EXPECT_EQ(pair.value()[0].i32(), -1);
    EXPECT_EQ(pair.value()[1].i64(), 0xFFFFFFFF);
    auto g = inst.call("grow_store", {{Value::i32(65536 + 100)}});
    ASSERT_TRUE(g) << g.error().to_string();
    EXPECT_EQ(g.value()[0].i32(), 7);
  }
}

TEST(NativeTier, TrapsCarryTheInterpretersMessages) {
  Store s;
  Instance inst = instantiate(s, compile(kMath));
  EXPECT_EQ(trap_of(inst, "div", {Value::i32(1), Value::i32(0)}), "integer divide by zero");
  EXPECT_EQ(trap_of(inst, "div", {Value::i32(INT32_MIN), Value::i32(-1)}), "integer overflow");
  EXPECT_EQ(trap_of(inst, "trunc", {Value::f64(1e10)}), "integer overflow");
  EXPECT_EQ(trap_of(inst, "trunc", {Value::f64(NAN)}), "invalid conversion to integer");
  EXPECT_EQ(trap_of(inst, "load", {Value::i32(65533)}), "out of bounds memory access");
  EXPECT_EQ(trap_of(inst, "indirect", {Value::i32(1)}), "uninitialized element");
  EXPECT_EQ(trap_of(inst, "indirect", {Value::i32(2)}), "undefined element");
  EXPECT_EQ(trap_of(inst, "bad_sig"), "indirect call type mismatch");
  EXPECT_EQ(trap_of(inst, "inf"), "call stack exhausted");
  // The store stays usable after a trap.
  auto ok = inst.call("div", {{Value::i32(9), Value::i32(3)}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok.value()[0].i32(), 3);
}

TEST(NativeTier, TrapNamesTheFunctionAndOffset) {
  Store s;
  Instance inst = instantiate(s, compile(kMath));
  auto r = inst.call("div", {{Value::i32(1), Value::i32(0)}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().where().function.find("div"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().where().offset, Location::kNone);
}

TEST(NativeTier, FuelRunsOutInALoop) {
  Store s;
  s.set_fuel(100000);
  Instance inst = instantiate(s, compile(kMath));
  EXPECT_EQ(trap_of(inst, "spin"), "all fuel consumed");
}

TEST(NativeTier, InterruptStopsALoop) {
  Store s;
  Instance inst = instantiate(s, compile(kMath));
  s.interrupt();
  EXPECT_EQ(trap_of(inst, "spin"), "interrupted");
}

TEST(NativeTier, CallsHostFunctionsAndReturnsTheirErrors) {
  constexpr std::string_view kWat = R"(
(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (import "env" "fail" (func $fail))
  (func (export "f") (param i32) (result i32) (i32.add (call $twice (local.get 0)) (i32.const 1)))
  (func (export "g") (call $fail)))
)";
  Linker l;
  l.func("env", "twice", [](int32_t x) { return 2 * x; });
  l.func("env", "fail", []() -> Result<void> { return Error(ErrorCode::HostTrap, "host says no"); });
  Store s;
  Instance inst = instantiate(s, compile(kWat), l);
  auto r = inst.call("f", {{Value::i32(20)}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r.value()[0].i32(), 41);
  EXPECT_EQ(trap_of(inst, "g"), "host says no");
}

// A v128 lives between two scalar calls (SIMD compiles natively since
// translate_simd.cc; tier crossings are in CallsBetweenModulesOfDifferentTiers).
TEST(NativeTier, CallsCrossIntoTheInterpreterAndBack) {
  constexpr std::string_view kWat = R"(
(module
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $simd (param i32) (result i32)
    (i32x4.extract_lane 0 (i32x4.splat (call $sq (local.get 0)))))
  (func (export "f") (param i32) (result i32) (i32.add (call $simd (local.get 0)) (i32.const 1))))
)";
  Store s;
  Instance inst = instantiate(s, compile(kWat));
  auto r = inst.call("f", {{Value::i32(7)}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r.value()[0].i32(), 50);
}

// A native module and an interpreted one import each other's functions.
TEST(NativeTier, CallsBetweenModulesOfDifferentTiers) {
  Store s;
  Instance interp = instantiate(s, compile(R"((module (func (export "inc") (param i32) (result i32)
                                               (i32.add (local.get 0) (i32.const 1)))))",
                                           ExecutionTier::Interpreter));
  Linker l;
  l.define_instance("i", interp);
  Instance native = instantiate(s, compile(R"((module (import "i" "inc" (func $inc (param i32) (result i32)))
      (func (export "inc2") (param i32) (result i32) (call $inc (call $inc (local.get 0))))))"), l);
  Linker l2;
  l2.define_instance("n", native);
  Instance top = instantiate(s, compile(R"((module (import "n" "inc2" (func $inc2 (param i32) (result i32)))
      (func (export "inc4") (param i32) (result i32) (call $inc2 (call $inc2 (local.get 0))))))",
                                        ExecutionTier::Interpreter), l2);
  auto r = top.call("inc4", {{Value::i32(10)}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r.value()[0].i32(), 14);
}

}  // namespace
}  // namespace vivarium

namespace vivarium {
namespace {

constexpr std::string_view kMem = R"(
(module
  (import "env" "boom" (func $boom))
  (memory 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "dead_load") (param i32) (drop (i32.load (local.get 0))))
  (func (export "store") (param i32) (i32.store offset=8 (local.get 0) (i32.const 1)))
  (func (export "boom") (call $boom)))
)";

Linker boom_linker() {
  Linker l;
  l.func("env", "boom", [] {
    volatile int* p = nullptr;
    *p = 1;  // a real bug in host code: must stay a crash, never become a wasm trap
  });
  return l;
}

// Memory 0 may reach 4 GiB, so accesses carry no checks: the guard pages trap.
TEST(NativeTierGuard, OutOfBoundsAccessesTrapThroughTheGuardPages) {
  Store s;
  Instance inst = instantiate(s, compile(kMem), boom_linker());
  EXPECT_EQ(trap_of(inst, "load", {Value::i32(65536)}), "out of bounds memory access");
  EXPECT_EQ(trap_of(inst, "load", {Value::i32(-1)}), "out of bounds memory access");
  EXPECT_EQ(trap_of(inst, "dead_load", {Value::i32(65534)}), "out of bounds memory access");
  EXPECT_EQ(trap_of(inst, "store", {Value::i32(65530)}), "out of bounds memory access");
  auto ok = inst.call("load", {{Value::i32(65532)}});
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok.value()[0].i32(), 0);
}

// A guard-page trap names the same function and offset as the interpreter's
// trap: a load folded into an add, a narrow load, a store, each in a helper
// the optimizer inlines into its caller.
TEST(NativeTierGuard, GuardTrapsCarryTheInterpretersFunctionAndOffset) {
  constexpr std::string_view kWat = R"(
(module
  (memory 1)
  (func $add_load (param i32) (result i32) (i32.add (local.get 0) (i32.load offset=4 (local.get 0))))
  (func $narrow (param i32) (result i32) (i32.load8_s (local.get 0)))
  (func $store (param i32) (i64.store offset=8 (local.get 0) (i64.const 7)))
  (func (export "add_load") (param i32) (result i32) (i32.mul (call $add_load (local.get 0)) (i32.const 3)))
  (func (export "narrow") (param i32) (result i32) (i32.add (call $narrow (local.get 0)) (i32.const 1)))
  (func (export "store") (param i32) (call $store (local.get 0)))
))";
  Store si, sn;
  Instance interp = instantiate(si, compile(kWat, ExecutionTier::Interpreter));
  Instance native = instantiate(sn, compile(kWat));
  for (const char* f : {"add_load", "narrow", "store"}) {
    auto a = interp.call(f, {{Value::i32(65536)}});
    auto b = native.call(f, {{Value::i32(65536)}});
    ASSERT_FALSE(a);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().message(), a.error().message()) << f;
    EXPECT_EQ(b.error().where().function, a.error().where().function) << f;
    EXPECT_EQ(b.error().where().offset, a.error().where().offset) << f;
    EXPECT_NE(b.error().where().offset, Location::kNone) << f;
  }
}

// A store limit shrinks the reservation: the same module then runs in the
// interpreter, which checks bounds itself.
TEST(NativeTierGuard, WithoutTheFullReservationTheInterpreterRunsIt) {
  StoreLimits lim;
  lim.max_memory_pages = 4;
  Store s(lim);
  Instance inst = instantiate(s, compile(kMem), boom_linker());
  EXPECT_EQ(trap_of(inst, "load", {Value::i32(65536)}), "out of bounds memory access");
  auto ok = inst.call("load", {{Value::i32(0)}});
  ASSERT_TRUE(ok) << ok.error().to_string();
}

TEST(NativeTierGuardDeathTest, AFaultOutsideCompiledCodeStaysACrash) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Store s;
        Instance inst = instantiate(s, compile(kMem), boom_linker());
        (void)inst.call("boom", {});
      },
      "");
}

}  // namespace
}  // namespace vivarium

#include <filesystem>
#include <fstream>
#include <iterator>

namespace vivarium {
namespace {

// Compiled code goes to the cache, loads from it, and a damaged file is
// never used (it is recompiled and rewritten).
TEST(NativeTierCache, StoresLoadsAndRejectsDamagedCode) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("viv-native-cache-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  CompileOptions o;
  o.tier = ExecutionTier::Native;
  o.cache_dir = dir.string();
  auto run = [&] {
    auto m = Module::from_text(kMath, o);
    EXPECT_TRUE(m) << m.error().to_string();
    Store s;
    Instance inst = instantiate(s, m.value());
    auto r = inst.call("indirect", {{Value::i32(0)}});  // call_indirect: type ids are per process
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? r.value()[0].i64() : -1;
  };
  EXPECT_EQ(run(), 120);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  const auto written = fs::last_write_time(files[0]);
  EXPECT_EQ(run(), 120);  // from the cache
  EXPECT_EQ(fs::last_write_time(files[0]), written);
  auto contents = [&] {
    std::ifstream f(files[0], std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  };
  const std::string intact = contents();
  // One byte of the object (its tail) changed: the digest no longer matches.
  std::string damaged = intact;
  damaged[damaged.size() - 10] = static_cast<char>(damaged[damaged.size() - 10] ^ 0x5a);
  std::ofstream(files[0], std::ios::binary | std::ios::trunc).write(damaged.data(), static_cast<std::streamsize>(damaged.size()));
  ASSERT_EQ(contents(), damaged);
  EXPECT_EQ(run(), 120);
  // Detected and recompiled: the file was rewritten with the intact object
  // (code generation is deterministic), not loaded as it was.
  EXPECT_EQ(contents(), intact) << "the damaged cache file was neither detected nor rewritten";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vivarium
