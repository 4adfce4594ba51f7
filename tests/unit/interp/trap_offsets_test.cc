// Trap locations: every trapping instruction reports its own wasm byte
// offset, and each caller frame of the backtrace the offset of its call. The
// interpreter keeps these in a compact side table (compiled.h); the expected
// offsets here come from decoding the same binary independently.
#include <string>

#include "engine/binary/instr.h"
#include "engine/decoder/decoder.h"
#include "engine/text/wat.h"
#include "tests/unit/interp/interp_test_util.h"
#include "tests/unit/interp/lowering_test_util.h"

namespace vivarium::engine::test {
namespace {

// $pad makes the later functions' offsets need multi-byte deltas; $many has
// hundreds of trapping instructions before its last one, so the table's
// entries are many and their deltas varied.
std::string module_text() {
  std::string pad, many;
  for (int i = 0; i < 3000; ++i) pad += "(drop (i32.add (local.get 0) (i32.const 100000)))\n";
  for (int i = 0; i < 300; ++i) many += "(drop (i32.load offset=" + std::to_string(i * 1000) + " (i32.const 0)))\n";
  return R"((module
  (memory 1)
  (func $pad (param i32) )" + pad + R"()
  (func $div (export "div") (param i32) (result i32) (i32.div_u (i32.const 7) (local.get 0)))
  (func $load (export "load") (param i32) (result i32) (i32.load offset=8 (local.get 0)))
  (func $lane (export "lane") (param i32) (result v128)
    (v128.load8_lane 3 (local.get 0) (v128.const i64x2 0 0)))
  (func $many (export "many") (param i32) (result i32) )" + many + R"(
    (i32.div_s (i32.const 1) (local.get 0)))
  (func $caller (export "caller") (param i32) (result i32)
    (i32.add (i32.const 1) (call $div (local.get 0))))
))";
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

TEST(InterpTrapOffsets, EachTrapNamesItsInstruction) {
  const std::string text = module_text();
  auto bytes = vivarium::engine::wat_to_binary(text);
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  Env e(text);

  Error div = e.trap("div", {I32(0)});
  EXPECT_EQ(div.code(), ErrorCode::IntegerDivideByZero);
  EXPECT_EQ(div.where().offset, offset_of(*bytes, 1, Op::i32_div_u));
  EXPECT_EQ(div.where().function, "$div");

  Error load = e.trap("load", {I32(65535)});
  EXPECT_EQ(load.code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(load.where().offset, offset_of(*bytes, 2, Op::i32_load));

  Error lane = e.trap("lane", {I32(65536)});
  EXPECT_EQ(lane.code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(lane.where().offset, offset_of(*bytes, 3, Op::v128_load8_lane));

  // Loads 0..64 stay in bounds (offsets below 65536); load 66 is the first out.
  Error many = e.trap("many", {I32(0)});
  EXPECT_EQ(many.where().offset, offset_of(*bytes, 4, Op::i32_load, 66));
  EXPECT_GT(many.where().offset, 3000u * 8);  // past $pad: multi-byte deltas
}

TEST(InterpTrapOffsets, BacktraceNamesEachCall) {
  const std::string text = module_text();
  auto bytes = vivarium::engine::wat_to_binary(text);
  ASSERT_TRUE(bytes.ok());
  Env e(text);
  Error err = e.trap("caller", {I32(0)});
  EXPECT_EQ(err.where().offset, offset_of(*bytes, 1, Op::i32_div_u));
  const std::string& bt = err.backtrace();
  EXPECT_NE(bt.find("$div (offset " + hex(offset_of(*bytes, 1, Op::i32_div_u)) + ")"), std::string::npos) << bt;
  EXPECT_NE(bt.find("$caller (offset " + hex(offset_of(*bytes, 5, Op::call)) + ")"), std::string::npos) << bt;
}

}  // namespace
}  // namespace vivarium::engine::test
