// The WAST runner end to end: scripts are parsed with the project's text
// parser and run on the engine. Each case checks both directions — correct
// assertions pass, and wrong ones are reported as failures with a location.
#include "tools/script/runner.h"

#include <gtest/gtest.h>

namespace vivarium::engine::script {
namespace {

ScriptReport run(std::string_view text) {
  auto script = vivarium::engine::parse_wast(text, "test.wast");
  if (!script.ok()) {
    ADD_FAILURE() << "parse: " << script.error().to_string();
    return {};
  }
  return run_script(script.value());
}

std::string failures(const ScriptReport& r) {
  std::string s;
  for (const Outcome& o : r.outcomes) {
    if (!o.passed) s += std::to_string(o.line) + ": " + o.command + ": " + o.detail + "\n";
  }
  return s;
}

TEST(Runner, CorrectAssertionsPass) {
  ScriptReport r = run(R"wast(
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $loop (export "loop") (call $loop))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "id") (param externref) (result externref) (local.get 0))
  (global (export "g") i32 (i32.const 42)))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (get "g") (i32.const 42))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_return (invoke "id" (ref.extern 7)) (ref.extern 7))
(assert_return (invoke "id" (ref.null extern)) (ref.null extern))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke "loop") "call stack exhausted")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module quote "(func (i32.bogus))") "unknown operator")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_unlinkable (module (import "nowhere" "f" (func))) "unknown import")
(assert_uninstantiable (module (func $s unreachable) (start $s)) "unreachable")
)wast");
  EXPECT_EQ(r.failed(), 0u) << failures(r);
  EXPECT_EQ(r.passed(), 13u);
}

TEST(Runner, SpectestAndRegister) {
  ScriptReport r = run(R"wast(
(module $A
  (import "spectest" "global_i32" (global $g i32))
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "memory" (memory 1 2))
  (import "spectest" "table" (table 10 20 funcref))
  (func (export "g") (result i32) (call $print (global.get $g)) (global.get $g)))
(register "a" $A)
(module $B
  (import "a" "g" (func $g (result i32)))
  (func (export "twice") (result i32) (i32.add (call $g) (call $g))))
(assert_return (invoke $B "twice") (i32.const 1332))
(assert_return (invoke $A "g") (i32.const 666))
)wast");
  EXPECT_EQ(r.failed(), 0u) << failures(r);
  EXPECT_EQ(r.passed(), 5u);
}

TEST(Runner, WrongAssertionsFailWithDetails) {
  ScriptReport r = run(R"wast(
(module
  (func (export "two") (result i32) (i32.const 2))
  (func (export "trap") unreachable))
(assert_return (invoke "two") (i32.const 3))
(assert_trap (invoke "trap") "integer overflow")
(assert_trap (invoke "two") "unreachable")
(assert_invalid (module (func)) "type mismatch")
(assert_malformed (module quote "(func (result i32))") "type mismatch")
(assert_return (invoke $Nope "two") (i32.const 2))
(assert_unlinkable (module (func)) "unknown import")
)wast");
  ASSERT_EQ(r.outcomes.size(), 8u);
  EXPECT_TRUE(r.outcomes[0].passed);
  for (size_t i = 1; i < r.outcomes.size(); ++i) {
    EXPECT_FALSE(r.outcomes[i].passed) << "command at line " << r.outcomes[i].line << " should fail";
  }
  EXPECT_EQ(r.outcomes[1].line, 5u);
  EXPECT_NE(r.outcomes[1].detail.find("expected (i32:3)"), std::string::npos) << r.outcomes[1].detail;
  EXPECT_NE(r.outcomes[1].detail.find("i32:2"), std::string::npos) << r.outcomes[1].detail;
  // An invalid module is not malformed.
  EXPECT_NE(r.outcomes[5].detail.find("invalid"), std::string::npos) << r.outcomes[5].detail;
}

TEST(Runner, FailedModuleIsNotSilentlyReplacedByThePreviousOne) {
  ScriptReport r = run(R"wast(
(module (func (export "f") (result i32) (i32.const 1)))
(module (func (export "f") (result i32) (i64.const 1)))
(assert_return (invoke "f") (i32.const 1))
)wast");
  ASSERT_EQ(r.outcomes.size(), 3u);
  EXPECT_TRUE(r.outcomes[0].passed);
  EXPECT_FALSE(r.outcomes[1].passed);
  EXPECT_FALSE(r.outcomes[2].passed);
}

TEST(Runner, TrapDuringInstantiationKeepsEarlierWrites) {
  // Spec 2.0: segments are applied in order; a later out-of-bounds segment
  // traps, but what was written before stays (observable through an import).
  ScriptReport r = run(R"wast(
(module $M (memory (export "mem") 1) (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))
(register "M" $M)
(assert_trap (module (import "M" "mem" (memory 1)) (data (i32.const 0) "a") (data (i32.const 65536) "b"))
  "out of bounds memory access")
(assert_return (invoke $M "load" (i32.const 0)) (i32.const 97))
)wast");
  EXPECT_EQ(r.failed(), 0u) << failures(r);
}

}  // namespace
}  // namespace vivarium::engine::script
