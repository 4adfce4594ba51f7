// Memory and table instructions: bounds checks computed without wrapping,
// 2.0 bulk-operation semantics (nothing written when out of bounds), grow.
#include "tests/unit/interp/interp_test_util.h"

namespace vivarium::engine::test {
namespace {

constexpr std::string_view kWat = R"((module
  (memory (export "mem") 1 3)
  (data $d "\01\02\03\04")
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load_off") (param i32) (result i32) (i32.load offset=4294967295 (local.get 0)))
  (func (export "load8_s") (param i32) (result i32) (i32.load8_s (local.get 0)))
  (func (export "load16_u64") (param i32) (result i64) (i64.load16_u (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store8") (param i32 i64) (i64.store8 (local.get 0) (local.get 1)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (data.drop $d))

  (table $t 2 10 funcref)
  (elem $e func $f1 $f2)
  (func $f1 (result i32) (i32.const 1))
  (func $f2 (result i32) (i32.const 2))
  (type $ret_i32 (func (result i32)))
  (func (export "tinit") (param i32 i32 i32) (table.init $t $e (local.get 0) (local.get 1) (local.get 2)))
  (func (export "tcall") (param i32) (result i32) (call_indirect $t (type $ret_i32) (local.get 0)))
  (func (export "tsize") (result i32) (table.size $t))
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "tfill") (param i32 i32) (table.fill $t (local.get 0) (ref.func $f2) (local.get 1)))
  (func (export "tcopy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "tisnull") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "tset_null") (param i32) (table.set $t (local.get 0) (ref.null func)))
  (func (export "edrop") (elem.drop $e))
))";

TEST(InterpMemory, LoadStoreBounds) {
  Env e(kWat);
  e.call("store", {I32(65532), I32(0x11223344)}).value();
  EXPECT_EQ(e.i32("load", {I32(65532)}), 0x11223344);
  EXPECT_EQ(e.i32("load8_s", {I32(65535)}), 0x11);
  EXPECT_EQ(e.i64("load16_u64", {I32(65534)}), 0x1122);
  Error oob = e.trap("load", {I32(65533)});
  EXPECT_EQ(oob.code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(oob.message(), "out of bounds memory access");
  // u32 address + u32 offset must not wrap around to a small address.
  EXPECT_EQ(e.trap("load_off", {I32(1)}).code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(e.trap("load", {I32(-1)}).code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(e.trap("store8", {I32(65536), I64(1)}).code(), ErrorCode::MemoryOutOfBounds);
}

TEST(InterpMemory, Grow) {
  Env e(kWat);
  EXPECT_EQ(e.i32("size"), 1);
  EXPECT_EQ(e.trap("load", {I32(65536)}).code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(e.i32("grow", {I32(1)}), 1);
  EXPECT_EQ(e.i32("size"), 2);
  EXPECT_EQ(e.i32("load", {I32(65536)}), 0);  // new pages are zero and reachable
  EXPECT_EQ(e.i32("grow", {I32(2)}), -1);     // beyond the maximum of 3
  EXPECT_EQ(e.i32("grow", {I32(0)}), 2);
}

TEST(InterpMemory, BulkOperations) {
  Env e(kWat);
  e.call("fill", {I32(10), I32(0xAB), I32(4)}).value();
  EXPECT_EQ(e.i32("load", {I32(10)}), static_cast<int32_t>(0xABABABABu));
  // Out of bounds: trap and write nothing (2.0 semantics).
  EXPECT_EQ(e.trap("fill", {I32(65534), I32(0xCD), I32(4)}).code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(e.i32("load8_s", {I32(65534)}), 0);
  e.call("copy", {I32(11), I32(10), I32(4)}).value();  // overlapping
  EXPECT_EQ(e.i32("load", {I32(11)}), static_cast<int32_t>(0xABABABABu));
  EXPECT_EQ(e.trap("copy", {I32(0), I32(65535), I32(2)}).code(), ErrorCode::MemoryOutOfBounds);
  e.call("init", {I32(100), I32(1), I32(3)}).value();
  EXPECT_EQ(e.i32("load", {I32(100)}), 0x00040302);
  EXPECT_EQ(e.trap("init", {I32(0), I32(2), I32(3)}).code(), ErrorCode::MemoryOutOfBounds);
  e.call("drop").value();
  e.call("init", {I32(0), I32(0), I32(0)}).value();  // empty init of a dropped segment is fine
  EXPECT_EQ(e.trap("init", {I32(0), I32(0), I32(1)}).code(), ErrorCode::MemoryOutOfBounds);
}

TEST(InterpTable, Operations) {
  Env e(kWat);
  EXPECT_EQ(e.i32("tsize"), 2);
  Error un = e.trap("tcall", {I32(0)});
  EXPECT_EQ(un.code(), ErrorCode::UninitializedElement);
  EXPECT_EQ(un.message(), "uninitialized element");
  Error undef = e.trap("tcall", {I32(2)});
  EXPECT_EQ(undef.code(), ErrorCode::UndefinedElement);
  EXPECT_EQ(undef.message(), "undefined element");
  e.call("tinit", {I32(0), I32(0), I32(2)}).value();
  EXPECT_EQ(e.i32("tcall", {I32(0)}), 1);
  EXPECT_EQ(e.i32("tcall", {I32(1)}), 2);
  EXPECT_EQ(e.trap("tinit", {I32(1), I32(0), I32(2)}).code(), ErrorCode::TableOutOfBounds);
  EXPECT_EQ(e.i32("tgrow", {I32(3)}), 2);
  EXPECT_EQ(e.i32("tsize"), 5);
  EXPECT_EQ(e.i32("tgrow", {I32(100)}), -1);
  e.call("tfill", {I32(2), I32(3)}).value();
  EXPECT_EQ(e.i32("tcall", {I32(4)}), 2);
  EXPECT_EQ(e.trap("tfill", {I32(4), I32(2)}).code(), ErrorCode::TableOutOfBounds);
  e.call("tset_null", {I32(0)}).value();
  EXPECT_EQ(e.i32("tisnull", {I32(0)}), 1);
  e.call("tcopy", {I32(0), I32(1), I32(2)}).value();
  EXPECT_EQ(e.i32("tcall", {I32(0)}), 2);
  EXPECT_EQ(e.trap("tisnull", {I32(5)}).code(), ErrorCode::TableOutOfBounds);
  e.call("edrop").value();
  EXPECT_EQ(e.trap("tinit", {I32(0), I32(0), I32(1)}).code(), ErrorCode::TableOutOfBounds);
}

}  // namespace
}  // namespace vivarium::engine::test
