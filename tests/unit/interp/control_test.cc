// Control flow and the lowering's slot assignment: branches carrying values,
// multi-value blocks, loops with parameters, and the cases where reading a
// local lazily (without a copy) would be wrong if the lowering slipped.
#include "tests/unit/interp/interp_test_util.h"

namespace vivarium::engine::test {
namespace {

constexpr std::string_view kWat = R"((module
  ;; The old value of $x is on the stack when $x is overwritten.
  (func (export "old_then_new") (param $x i32) (result i32)
    (local.get $x)
    (local.set $x (i32.add (local.get $x) (i32.const 1)))
    (i32.sub (local.get $x)))       ;; new - old = 1 ... as (old) (new) sub -> old - new
  (func (export "tee_keeps") (param $x i32) (result i32)
    (i32.add (local.tee $x (i32.const 5)) (local.get $x)))
  (func (export "swap_return") (param i32 i32) (result i32 i32)
    (local.get 1) (local.get 0))
  (func (export "set_in_block") (param $x i32) (result i32)
    (local.get $x)
    (block (local.set $x (i32.const 100)))
    (local.get $x)
    (i32.add))
  (func (export "if_else") (param i32) (result i32)
    (if (result i32) (local.get 0) (then (i32.const 10)) (else (i32.const 20))))
  (func (export "if_params") (param i32 i32) (result i32)
    (local.get 1)
    (if (param i32) (result i32) (local.get 0)
      (then (i32.const 1) (i32.add))
      (else (i32.const 2) (i32.mul))))
  (func (export "multi_block") (result i32)
    (block (result i32 i32) (i32.const 7) (i32.const 3))
    (i32.sub))
  (func (export "br_value") (param i32) (result i32)
    (block (result i32)
      (br_if 0 (i32.const 42) (local.get 0))
      (drop)
      (i32.const 99)))
  (func (export "br_table") (param i32) (result i32)
    (block (block (block (block
      (br_table 0 1 2 3 (local.get 0)))
      (return (i32.const 100)))
      (return (i32.const 101)))
      (return (i32.const 102)))
    (i32.const 103))
  (func (export "br_table_value") (param i32) (result i32)
    (block (result i32)
      (block (result i32)
        (br_table 0 1 (local.get 0) (local.get 0)))
      (i32.const 1000)
      (i32.add)))
  ;; sum 1..n with a loop that carries the counter as a parameter
  (func (export "loop_params") (param $n i32) (result i32) (local $acc i32)
    (local.get $n)
    (loop $l (param i32) (result i32)
      (local.set $acc (i32.add (local.get $acc)))
      (local.get $acc)
      (drop)
      (i32.sub (local.get $n) (i32.const 1))
      (local.tee $n)
      (br_if $l (local.get $n))
      (drop)
      (local.get $acc)))
  (func (export "fib") (param $n i32) (result i64) (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $t (i64.add (local.get $a) (local.get $b)))
      (local.set $a (local.get $b))
      (local.set $b (local.get $t))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $a))
  (func (export "select") (param i32) (result i64)
    (select (i64.const 1) (i64.const 2) (local.get 0)))
  (func (export "dead_code") (result i32)
    (block (result i32) (br 0 (i32.const 7)) (i32.const 1) (drop) (unreachable)))
  (func (export "unreachable") (unreachable))
  (func (export "v128_flow") (param i32) (result i64) (local $v v128) (local $w v128)
    (local.set $v (v128.const i64x2 1 2))
    (local.set $w (v128.const i64x2 3 4))
    (local.set $v (select (local.get $v) (local.get $w) (local.get 0)))
    (i64.add (i64.const 0) (i64.const 0)) (drop)
    (global.set $g (local.get $v))
    (i64.load offset=8 (block (result i32) (v128.store (i32.const 0) (global.get $g)) (i32.const 0))))
  (global $g (mut v128) (v128.const i64x2 0 0))
  ;; Comparisons feeding br_if (fused into compare-and-branch by the lowering).
  (func (export "count_up") (param $n i64) (result i64) (local $i i64)
    (loop $l
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_s (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "first_ge_u") (param $limit i32) (result i32) (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $limit)))
        (local.set $i (i32.add (local.get $i) (i32.const 3)))
        (br $l)))
    (local.get $i))
  (memory 1)
))";

TEST(InterpControl, LazyLocalsSeeTheRightValue) {
  Env e(kWat);
  EXPECT_EQ(e.i32("old_then_new", {I32(10)}), -1);
  EXPECT_EQ(e.i32("tee_keeps", {I32(0)}), 10);
  auto r = e.call("swap_return", {I32(1), I32(2)});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 2u);
  EXPECT_EQ(r.value()[0].i32(), 2);
  EXPECT_EQ(r.value()[1].i32(), 1);
  EXPECT_EQ(e.i32("set_in_block", {I32(1)}), 101);
}

TEST(InterpControl, Blocks) {
  Env e(kWat);
  EXPECT_EQ(e.i32("if_else", {I32(1)}), 10);
  EXPECT_EQ(e.i32("if_else", {I32(0)}), 20);
  EXPECT_EQ(e.i32("if_params", {I32(1), I32(5)}), 6);
  EXPECT_EQ(e.i32("if_params", {I32(0), I32(5)}), 10);
  EXPECT_EQ(e.i32("multi_block"), 4);
  EXPECT_EQ(e.i32("br_value", {I32(1)}), 42);
  EXPECT_EQ(e.i32("br_value", {I32(0)}), 99);
  EXPECT_EQ(e.i32("dead_code"), 7);
  EXPECT_EQ(e.i64("select", {I32(1)}), 1);
  EXPECT_EQ(e.i64("select", {I32(0)}), 2);
}

TEST(InterpControl, BrTable) {
  Env e(kWat);
  EXPECT_EQ(e.i32("br_table", {I32(0)}), 100);
  EXPECT_EQ(e.i32("br_table", {I32(1)}), 101);
  EXPECT_EQ(e.i32("br_table", {I32(2)}), 102);
  EXPECT_EQ(e.i32("br_table", {I32(3)}), 103);
  EXPECT_EQ(e.i32("br_table", {I32(-1)}), 103);  // out of range -> default
  EXPECT_EQ(e.i32("br_table_value", {I32(0)}), 1000);
  EXPECT_EQ(e.i32("br_table_value", {I32(1)}), 1);
  EXPECT_EQ(e.i32("br_table_value", {I32(7)}), 7);
}

TEST(InterpControl, Loops) {
  Env e(kWat);
  EXPECT_EQ(e.i32("loop_params", {I32(4)}), 10);
  EXPECT_EQ(e.i64("fib", {I32(90)}), 2880067194370816120ll);
}

TEST(InterpControl, CompareAndBranch) {
  Env e(kWat);
  EXPECT_EQ(e.i64("count_up", {I64(10)}), 10);
  EXPECT_EQ(e.i64("count_up", {I64(-5)}), 1);  // signed: -5 < 1 is false at once
  EXPECT_EQ(e.i32("first_ge_u", {I32(10)}), 12);
  EXPECT_EQ(e.i32("first_ge_u", {I32(0)}), 0);
  // Back-edges of a fused loop still consume fuel.
  e.store.set_fuel(5);
  EXPECT_EQ(e.trap("count_up", {I64(100)}).code(), ErrorCode::OutOfFuel);
  e.store.set_fuel(5);
  EXPECT_EQ(e.i64("count_up", {I64(6)}), 6);
}

TEST(InterpControl, UnreachableTraps) {
  Env e(kWat);
  Error err = e.trap("unreachable");
  EXPECT_EQ(err.code(), ErrorCode::Unreachable);
  EXPECT_EQ(err.message(), "unreachable");
}

TEST(InterpControl, V128ValuesFlow) {
  Env e(kWat);
  EXPECT_EQ(e.i64("v128_flow", {I32(1)}), 2);
  EXPECT_EQ(e.i64("v128_flow", {I32(0)}), 4);
}

}  // namespace
}  // namespace vivarium::engine::test
