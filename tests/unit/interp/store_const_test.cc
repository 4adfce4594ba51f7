// Store of a constant (engine/interp/ops_store_const.cc): the constant is
// the instruction's immediate. Every width must write the constant's low
// bytes (i64.store32 of a negative i64, NaN bits of f32/f64 constants), trap
// at the store writing nothing, and work with an address slot past 65535.
#include <bit>
#include <cstdint>
#include <string>

#include "engine/interp/compiled.h"
#include "engine/interp/fused_mem.h"
#include "engine/interp/interp.h"
#include "engine/text/wat.h"
#include "tests/unit/interp/interp_test_util.h"
#include "tests/unit/interp/lowering_test_util.h"

namespace vivarium::engine::test {
namespace {

std::string module_text(const std::string& pad) {
  const std::string sig = " (param $p i32) (result i64) " + pad + " (local $q i32) (local.set $q (local.get $p))\n";
  const std::string rd = " (i64.load offset=3 (local.get $q)))\n";
  auto fn = [&](const std::string& name, const std::string& store) {
    return "(func (export \"" + name + "\")" + sig + store + rd;
  };
  return "(module (memory 1)\n" +
         fn("s8", "(i32.store8 offset=4 (local.get $q) (i32.const -3))") +
         fn("s16", "(i32.store16 offset=3 (local.get $q) (i32.const 0x12345))") +
         fn("s32", "(i32.store offset=3 (local.get $q) (i32.const 0x89abcdef))") +
         fn("l8", "(i64.store8 offset=5 (local.get $q) (i64.const 0x7f))") +
         fn("l32", "(i64.store32 offset=3 (local.get $q) (i64.const -2))") +
         fn("l64", "(i64.store offset=3 (local.get $q) (i64.const 0x0123456789abcdef))") +
         fn("f32", "(f32.store offset=3 (local.get $q) (f32.const nan:0x200001))") +
         fn("f64", "(f64.store offset=3 (local.get $q) (f64.const -nan:0x4000000000001))") + ")";
}

void check(const std::string& pad) {
  Env e(module_text(pad));
  EXPECT_EQ(e.i64("s8", {I32(0)}), 0xfd00);
  EXPECT_EQ(e.i64("s16", {I32(16)}), 0x2345);
  EXPECT_EQ(e.i64("s32", {I32(32)}), 0x89abcdef);
  EXPECT_EQ(e.i64("l8", {I32(48)}), 0x7f0000);
  EXPECT_EQ(e.i64("l32", {I32(64)}), 0xfffffffe);
  EXPECT_EQ(e.i64("l64", {I32(80)}), 0x0123456789abcdef);
  EXPECT_EQ(e.i64("f32", {I32(96)}), 0x7fa00001);
  EXPECT_EQ(uint64_t(e.i64("f64", {I32(112)})), 0xfff4000000000001ull);
  // the last bytes of memory, then one past them: the store's trap, nothing written
  EXPECT_EQ(e.i64("l64", {I32(65536 - 11)}), 0x0123456789abcdef);
  Error t = e.trap("l32", {I32(65536 - 6)});
  EXPECT_EQ(t.message(), "out of bounds memory access");
  EXPECT_EQ(e.i64("s8", {I32(65536 - 11)}), 0x0123456789abfdef);
  EXPECT_EQ(e.trap("s8", {I32(-4)}).message(), "out of bounds memory access");
}

TEST(InterpStoreConst, EveryWidthNarrow) { check(""); }
TEST(InterpStoreConst, EveryWidthWide) { check(wide_pad()); }

TEST(InterpStoreConst, LowersToOneInstructionAndTrapsAtTheStore) {
  constexpr std::string_view text = R"((module (memory 1)
    (func (export "z") (param $p i32) (i32.store16 offset=2 (local.get $p) (i32.const 7)))))";
  EXPECT_EQ(handler_at_word(text, 0), interp::store_const_handler(2));
  auto bytes = vivarium::engine::wat_to_binary(text);
  ASSERT_TRUE(bytes.ok());
  Env e(text);
  Error t = e.trap("z", {I32(65533)});
  EXPECT_EQ(t.where().offset, offset_of(*bytes, 0, Op::i32_store16));
}

}  // namespace
}  // namespace vivarium::engine::test
