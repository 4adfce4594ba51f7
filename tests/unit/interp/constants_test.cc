// Constant operands: constants stay in the lowering's shadow stack and are
// folded into immediates (binop with a constant, compare-with-constant fused
// with br_if / if, eqz fused with br_if / if), or written straight to where a
// value must be (a local, a label's slot, a result). Each case checks the
// boundaries where a wrong immediate (sign extension, operand order) shows.
#include "tests/unit/interp/interp_test_util.h"

namespace vivarium::engine::test {
namespace {

constexpr std::string_view kWat = R"((module
  (func (export "add_k") (param i32) (result i32) (i32.add (local.get 0) (i32.const -7)))
  (func (export "k_sub") (param i32) (result i32) (i32.sub (i32.const 10) (local.get 0)))
  (func (export "k_add") (param i32) (result i32) (i32.add (i32.const 10) (local.get 0)))
  (func (export "shl_k") (param i32) (result i32) (i32.shl (local.get 0) (i32.const 33)))
  (func (export "lt_u_k") (param i32) (result i32) (i32.lt_u (local.get 0) (i32.const -1)))
  (func (export "i64_add_neg") (param i64) (result i64) (i64.add (local.get 0) (i64.const -1)))
  (func (export "i64_add_big") (param i64) (result i64) (i64.add (local.get 0) (i64.const 0x100000000)))
  (func (export "i64_and_u32max") (param i64) (result i64) (i64.and (local.get 0) (i64.const 0xffffffff)))
  (func (export "i64_lt_u_neg") (param i64) (result i32) (i64.lt_u (local.get 0) (i64.const -2)))
  (func (export "const_const") (result i32) (i32.mul (i32.const 6) (i32.const 7)))
  (func (export "i64_big_result") (result i64) (i64.const 0x123456789))
  (func (export "f64_k") (param f64) (result f64) (f64.add (local.get 0) (f64.const 0.5)))
  (func (export "tee_const") (result i32) (local $x i32)
    (i32.add (local.tee $x (i32.const 20)) (i32.mul (local.get $x) (i32.const 2))))
  (func (export "const_across_set") (result i32) (local $x i32)
    (i32.const 5) (local.set $x (i32.const 9)) (local.get $x) (i32.sub))
  (func (export "const_to_block") (param i32) (result i32)
    (block (result i32) (br_if 0 (i32.const 11) (local.get 0)) (drop) (i32.const 22)))
  ;; loop with compare-with-constant + br_if back-edge
  (func (export "count_to") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get $i) (i32.const 1000))))
    (local.get $i))
  ;; i32.eqz + br_if, forward and back-edge
  (func (export "eqz_exit") (param $n i32) (result i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func (export "eqz_loop") (param $n i32) (result i32) (local $k i32)
    (loop $l
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (local.set $n (i32.shr_u (local.get $n) (i32.const 1)))
      (br_if $l (i32.eqz (i32.eqz (local.get $n)))))
    (local.get $k))
  ;; if on a comparison (negated into a compare-and-branch) and on eqz
  (func (export "if_ge_s") (param i32 i32) (result i32)
    (if (result i32) (i32.ge_s (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 2))))
  (func (export "if_gt_u_k") (param i32) (result i32)
    (if (result i32) (i32.gt_u (local.get 0) (i32.const 5)) (then (i32.const 1)) (else (i32.const 2))))
  (func (export "if_i64_eq_k") (param i64) (result i32)
    (if (result i32) (i64.eq (local.get 0) (i64.const -3)) (then (i32.const 1)) (else (i32.const 2))))
  (func (export "if_eqz") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1)) (else (i32.const 2))))
  ;; the comparison's operand is a lazy local that `if` must materialize first
  (func (export "if_after_moves") (param $x i32) (result i32)
    (local.get $x)
    (if (param i32) (result i32) (i32.lt_s (local.get $x) (i32.const 0))
      (then (i32.const 100) (i32.add))
      (else (i32.const 200) (i32.add))))
  (func (export "store_k") (param i32) (result i32)
    (i32.store (i32.const 16) (local.get 0))
    (i32.load (i32.const 16)))
  (func (export "call_k") (result i32) (call $sub3 (i32.const 50) (i32.const 8)))
  (func $sub3 (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func (export "select_k") (param i32) (result i32)
    (select (i32.const 3) (i32.const 4) (local.get 0)))
  (func (export "return_k") (param i32) (result i32 i64)
    (if (local.get 0) (then (return (i32.const -1) (i64.const -1))))
    (i32.const 1) (i64.const 0x7fffffffffffffff))
  (memory 1)
))";

TEST(InterpConstants, FoldedIntoBinops) {
  Env e(kWat);
  EXPECT_EQ(e.i32("add_k", {I32(7)}), 0);
  EXPECT_EQ(e.i32("add_k", {I32(0)}), -7);
  EXPECT_EQ(e.i32("k_sub", {I32(3)}), 7);
  EXPECT_EQ(e.i32("k_add", {I32(-10)}), 0);
  EXPECT_EQ(e.i32("shl_k", {I32(1)}), 2);
  EXPECT_EQ(e.i32("lt_u_k", {I32(-2)}), 1);
  EXPECT_EQ(e.i32("lt_u_k", {I32(-1)}), 0);
  EXPECT_EQ(e.i64("i64_add_neg", {I64(0)}), -1);
  EXPECT_EQ(e.i64("i64_add_big", {I64(1)}), 0x100000001);
  EXPECT_EQ(e.i64("i64_and_u32max", {I64(-1)}), 0xffffffff);
  EXPECT_EQ(e.i32("i64_lt_u_neg", {I64(-3)}), 1);
  EXPECT_EQ(e.i32("i64_lt_u_neg", {I64(-2)}), 0);
  EXPECT_EQ(e.i32("const_const"), 42);
  EXPECT_EQ(e.i64("i64_big_result"), 0x123456789);
  EXPECT_EQ(e.f64_bits("f64_k", {F64(1.0)}), 0x3FF8000000000000u);  // 1.5
}

TEST(InterpConstants, LocalsLabelsCallsResults) {
  Env e(kWat);
  EXPECT_EQ(e.i32("tee_const"), 60);
  EXPECT_EQ(e.i32("const_across_set"), -4);
  EXPECT_EQ(e.i32("const_to_block", {I32(1)}), 11);
  EXPECT_EQ(e.i32("const_to_block", {I32(0)}), 22);
  EXPECT_EQ(e.i32("store_k", {I32(1234)}), 1234);
  EXPECT_EQ(e.i32("call_k"), 42);
  EXPECT_EQ(e.i32("select_k", {I32(1)}), 3);
  EXPECT_EQ(e.i32("select_k", {I32(0)}), 4);
  auto r = e.call("return_k", {I32(1)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].i32(), -1);
  EXPECT_EQ(r.value()[1].i64(), -1);
  r = e.call("return_k", {I32(0)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()[0].i32(), 1);
  EXPECT_EQ(r.value()[1].i64(), 0x7fffffffffffffff);
}

TEST(InterpConstants, FusedBranches) {
  Env e(kWat);
  EXPECT_EQ(e.i32("count_to", {I32(0)}), 1000);
  EXPECT_EQ(e.i32("eqz_exit", {I32(0)}), 0);
  EXPECT_EQ(e.i32("eqz_exit", {I32(4)}), 10);
  EXPECT_EQ(e.i32("eqz_loop", {I32(0)}), 1);
  EXPECT_EQ(e.i32("eqz_loop", {I32(8)}), 4);
  EXPECT_EQ(e.i32("if_ge_s", {I32(3), I32(3)}), 1);
  EXPECT_EQ(e.i32("if_ge_s", {I32(-1), I32(0)}), 2);
  EXPECT_EQ(e.i32("if_gt_u_k", {I32(6)}), 1);
  EXPECT_EQ(e.i32("if_gt_u_k", {I32(5)}), 2);
  EXPECT_EQ(e.i32("if_gt_u_k", {I32(-1)}), 1);
  EXPECT_EQ(e.i32("if_i64_eq_k", {I64(-3)}), 1);
  EXPECT_EQ(e.i32("if_i64_eq_k", {I64(0xfffffffd)}), 2);
  EXPECT_EQ(e.i32("if_eqz", {I32(0)}), 1);
  EXPECT_EQ(e.i32("if_eqz", {I32(9)}), 2);
  EXPECT_EQ(e.i32("if_after_moves", {I32(-5)}), 95);
  EXPECT_EQ(e.i32("if_after_moves", {I32(5)}), 205);
}

}  // namespace
}  // namespace vivarium::engine::test
