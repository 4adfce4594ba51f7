// Loads whose address an i32.add just computed are fused with the add
// (ops_memory.cc, h_*_add). The address must wrap in 32 bits like the add,
// the memarg offset must then be added without wrapping, and a trap must
// still name the load.
#include "tests/unit/interp/interp_test_util.h"

namespace vivarium::engine::test {
namespace {

constexpr std::string_view kWat = R"((module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (func (export "idx") (param $base i32) (param $i i32) (result i32)
    (i32.load (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2)))))
  (func (export "idx_off") (param $a i32) (param $b i32) (result i32)
    (i32.load8_u offset=3 (i32.add (local.get $a) (local.get $b))))
  (func (export "idx_s16") (param $a i32) (param $b i32) (result i64)
    (i64.load16_s offset=0 (i32.add (local.get $a) (local.get $b))))
  (func (export "addi") (param $a i32) (result i32)
    (i32.load8_u offset=2 (i32.add (local.get $a) (i32.const 3))))
  (func (export "addi_neg") (param $a i32) (result i32)
    (i32.load16_u (i32.add (local.get $a) (i32.const -1))))
  (func (export "store_add") (param $a i32) (param $b i32) (param $v i32) (result i32)
    (i32.store16 offset=1 (i32.add (local.get $a) (local.get $b)) (local.get $v))
    (i32.load (i32.const 0)))
  (func (export "store_addi") (param $a i32) (param $v i64) (result i64)
    (i64.store (i32.add (local.get $a) (i32.const -8)) (local.get $v))
    (i64.load (i32.const 0)))
  (func (export "store_add_tee") (param $a i32) (result i32) (local $q i32)
    (i32.store8 (local.tee $q (i32.add (local.get $a) (i32.const 1))) (local.get $a))
    (local.get $q))
  (func (export "last_byte") (param $a i32) (param $b i32) (result i32)
    (i32.load8_u offset=65535 (i32.add (local.get $a) (local.get $b))))
))";

TEST(InterpLoadAdd, AddressIsTheWrappedSum) {
  Env e(kWat);
  EXPECT_EQ(e.i32("idx", {I32(0), I32(1)}), 0x08070605);
  EXPECT_EQ(e.i32("idx", {I32(4), I32(2)}), 0x100f0e0d);
  // -4 + 4*2 wraps to 4.
  EXPECT_EQ(e.i32("idx", {I32(-4), I32(2)}), 0x08070605);
  EXPECT_EQ(e.i32("idx_off", {I32(1), I32(2)}), 7);
  EXPECT_EQ(e.i32("idx_off", {I32(-1), I32(1)}), 4);  // (0xffffffff + 1) wraps to 0, then + 3
  EXPECT_EQ(e.i64("idx_s16", {I32(0), I32(0)}), 0x0201);
  EXPECT_EQ(e.i32("last_byte", {I32(0), I32(0)}), 0);
  EXPECT_EQ(e.i32("addi", {I32(1)}), 7);
  EXPECT_EQ(e.i32("addi", {I32(-3)}), 3);  // wraps to 0, then + 2
  EXPECT_EQ(e.i32("addi_neg", {I32(1)}), 0x0201);
}

TEST(InterpLoadAdd, StoresToo) {
  Env e(kWat);
  EXPECT_EQ(e.i32("store_add", {I32(-1), I32(1), I32(0xabcd)}), 0x04abcd01);  // bytes 1..2
  EXPECT_EQ(e.i64("store_addi", {I32(8), I64(-2)}), -2);
  EXPECT_EQ(e.i32("store_add_tee", {I32(5)}), 6);  // the tee'd local still gets the address
  EXPECT_EQ(e.trap("store_add", {I32(65535), I32(0), I32(0)}).message(), "out of bounds memory access");
  EXPECT_EQ(e.trap("store_addi", {I32(7), I64(0)}).message(), "out of bounds memory access");  // -1 wraps high
}

TEST(InterpLoadAdd, OffsetDoesNotWrap) {
  Env e(kWat);
  // sum = 0xffffffff: + offset 3 is past 4 GiB, not byte 2.
  EXPECT_EQ(e.trap("idx_off", {I32(-2), I32(1)}).message(), "out of bounds memory access");
  EXPECT_EQ(e.trap("last_byte", {I32(0), I32(1)}).message(), "out of bounds memory access");
  EXPECT_EQ(e.trap("idx", {I32(65533), I32(0)}).message(), "out of bounds memory access");
  EXPECT_EQ(e.trap("addi", {I32(-4)}).message(), "out of bounds memory access");  // 0xffffffff + 2
  EXPECT_EQ(e.trap("addi_neg", {I32(0)}).message(), "out of bounds memory access");
  Error err = e.trap("idx", {I32(65536), I32(0)});
  EXPECT_NE(err.where().offset, vivarium::Location::kNone);
}

}  // namespace
}  // namespace vivarium::engine::test
