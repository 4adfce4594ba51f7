// ExecutionTier::Auto (engine/compiler/tiering.cc): a module runs in the
// interpreter at once, switches to native code when the background compile
// is done (calls from the host and from interpreted code alike), gives the
// same results, traps and fuel behaviour on both tiers, and starts native
// from the code cache the next time.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "engine/compiler/native_tier.h"
#include "vivarium/vivarium.h"

namespace vivarium {
namespace {

const bool kNativeEnabled = (Module::enable_native_tier(), true);

constexpr std::string_view kWat = R"(
(module
  (import "t" "wait" (func $wait))
  (memory 1)
  (func $inner (export "inner") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  ;; inner once in the interpreter, then the host waits for native code, then inner again.
  (func (export "outer") (result i32)
    (drop (call $inner (i32.const 1)))
    (call $wait)
    (call $inner (i32.const 5)))
  (func (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call 3 (i32.sub (local.get 0) (i32.const 1)))
                     (call 3 (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func (export "spin") (loop (br 0))))
)";

Module compile(ExecutionTier tier, const std::string& cache_dir = "") {
  CompileOptions o;
  o.tier = tier;
  o.cache_dir = cache_dir;
  auto m = Module::from_text(kWat, o);
  if (!m) ADD_FAILURE() << m.error().to_string();
  return std::move(m).value();
}

// Waits (at most a generous bound: LLVM on a loaded machine) for native code.
bool wait_native(const Module& m) {
  for (int i = 0; i < 12000 && std::string_view(m.tier_status()) != "native"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return std::string_view(m.tier_status()) == "native";
}

Linker linker_waiting_for(const Module* m) {
  Linker l;
  l.func("t", "wait", [m]() { EXPECT_TRUE(wait_native(*m)); });
  return l;
}

std::string outcome(Instance& inst, std::string_view name, std::vector<Value> args) {
  auto r = inst.call(name, args);
  if (!r) return "trap: " + r.error().message();
  return r.value().empty() ? "ok" : std::to_string(r.value()[0].i32());
}

TEST(Tiering, StartsInTheInterpreterAndSwitchesCallsFromInterpretedCode) {
  (void)kNativeEnabled;
  Module m = compile(ExecutionTier::Auto);
  EXPECT_NE(std::string_view(m.tier_status()), "interpreter");  // compiling, or already done
  Store s;
  auto inst = Linker(linker_waiting_for(&m)).instantiate(s, m);
  ASSERT_TRUE(inst) << inst.error().to_string();
  // Compiling this module takes tens of milliseconds: outer starts interpreted.
  EXPECT_EQ(std::string_view(m.tier_status()), "compiling");
  const uint64_t before = engine::compiler::native_entries_on_this_thread();
  // outer runs interpreted if it started before the code was ready; its
  // second call of inner, after the wait, enters native code either way.
  auto r = inst->call("outer", {});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r.value()[0].i32(), 15);
  EXPECT_GT(engine::compiler::native_entries_on_this_thread(), before);
  EXPECT_EQ(std::string_view(m.tier_status()), "native");
  // A call from the host now enters native code directly.
  const uint64_t mid = engine::compiler::native_entries_on_this_thread();
  EXPECT_EQ(outcome(*inst, "fib", {Value::i32(20)}), "6765");
  EXPECT_EQ(engine::compiler::native_entries_on_this_thread(), mid + 1);
}

TEST(Tiering, ResultsTrapsAndFuelMatchAcrossTiers) {
  Module interp = compile(ExecutionTier::Interpreter);
  Module native = compile(ExecutionTier::Native);
  Module tiered = compile(ExecutionTier::Auto);
  ASSERT_TRUE(wait_native(tiered));
  EXPECT_EQ(std::string_view(interp.tier_status()), "interpreter");
  EXPECT_EQ(std::string_view(native.tier_status()), "native");
  for (const Module* m : {&interp, &native, &tiered}) {
    SCOPED_TRACE(m->tier_status());
    Store s;
    auto inst = linker_waiting_for(&native).instantiate(s, *m);
    ASSERT_TRUE(inst) << inst.error().to_string();
    EXPECT_EQ(outcome(*inst, "fib", {Value::i32(15)}), "610");
    EXPECT_EQ(outcome(*inst, "load", {Value::i32(65534)}), "trap: out of bounds memory access");
    EXPECT_EQ(outcome(*inst, "div", {Value::i32(1), Value::i32(0)}), "trap: integer divide by zero");
    Store fueled;
    fueled.set_fuel(50000);
    auto f = linker_waiting_for(&native).instantiate(fueled, *m);
    ASSERT_TRUE(f) << f.error().to_string();
    EXPECT_EQ(outcome(*f, "spin", {}), "trap: all fuel consumed");
  }
}

TEST(Tiering, WritesTheCacheAndStartsNativeFromIt) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("viv-tiering-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  {
    Module first = compile(ExecutionTier::Auto, dir.string());
    ASSERT_TRUE(wait_native(first));
  }  // the compile thread is done: the artifact is on disk
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.path().extension() == ".vcode";
  EXPECT_EQ(files, 1u);
  Module second = compile(ExecutionTier::Auto, dir.string());
  EXPECT_EQ(std::string_view(second.tier_status()), "native");  // no compile: native from the start
  Store s;
  auto inst = linker_waiting_for(&second).instantiate(s, second);
  ASSERT_TRUE(inst) << inst.error().to_string();
  EXPECT_EQ(outcome(*inst, "outer", {}), "15");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vivarium
