// Counting loops: `i += k` followed by the back-edge `br_if $l (i OP n)` is
// fused into one instruction (ops_fused.cc, h_step_brc*). The step must be
// visible to the compare, the compare may read another slot, and the fusion
// must not reach across a label.
#include "tests/unit/interp/interp_test_util.h"

namespace vivarium::engine::test {
namespace {

constexpr std::string_view kWat = R"((module
  (func (export "count_lt_s") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get $i) (local.get $n))))
    (local.get $s))
  (func (export "down_ne_k") (param $i i32) (result i32) (local $c i32)
    (loop $l
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const -3)))
      (br_if $l (i32.ne (local.get $i) (i32.const 0))))
    (local.get $c))
  (func (export "other_slot") (param $n i32) (result i32) (local $i i32) (local $j i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $j) (local.get $n))))
    (local.get $i))
  (func (export "wrap_u") (result i32) (local $i i32) (local $c i32)
    (local.set $i (i32.const -4))
    (loop $l
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.gt_u (local.get $i) (i32.const 5))))
    (local.get $c))
  (func (export "add_before_loop") (param $n i32) (result i32) (local $i i32)
    (local.set $i (i32.add (local.get $n) (i32.const 10)))
    (loop $l
      (br_if $l (i32.lt_s (local.get $i) (i32.const 0))))
    (local.get $i))
  (func (export "fuel_loop") (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (i32.const 0)))))
))";

TEST(InterpLoopStep, CountingLoops) {
  Env e(kWat);
  EXPECT_EQ(e.i32("count_lt_s", {I32(5)}), 10);
  EXPECT_EQ(e.i32("count_lt_s", {I32(0)}), 0);
  EXPECT_EQ(e.i32("down_ne_k", {I32(12)}), 4);
  EXPECT_EQ(e.i32("other_slot", {I32(3)}), 6);
  EXPECT_EQ(e.i32("wrap_u", {}), 4);  // -3, -2, -1 are > 5 unsigned; 0 is not
  EXPECT_EQ(e.i32("add_before_loop", {I32(-5)}), 5);
}

TEST(InterpLoopStep, BackEdgeStillMetered) {
  Env e(kWat);
  // fuel_loop(): i counts 1, 2, ... and branches back while i != 0: 2^32 - 1
  // back-edges, so 1000 units of fuel run out.
  e.store.set_fuel(1000);
  Error err = e.trap("fuel_loop");
  EXPECT_EQ(err.code(), ErrorCode::OutOfFuel);
  e.store.set_fuel(100);
  ASSERT_TRUE(e.call("count_lt_s", {I32(101)}).ok());  // 100 back-edges
  EXPECT_EQ(e.store.fuel_remaining(), 0u);
}

}  // namespace
}  // namespace vivarium::engine::test
