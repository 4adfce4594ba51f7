#include "engine/text/wast.h"

#include <gtest/gtest.h>

namespace {

using vivarium::engine::Command;
using vivarium::engine::Expected;

vivarium::engine::Script parse(const std::string& text) {
  auto r = vivarium::engine::parse_wast(text, "t.wast");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return r.ok() ? std::move(r).value() : vivarium::engine::Script{};
}

TEST(Wast, ModuleForms) {
  vivarium::engine::Script s = parse(
      "(module $M (func (export \"f\")))\n"
      "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
      "(module $Q quote \"(func\" \" )\")\n"
      "(register \"m\" $M)\n");
  ASSERT_EQ(s.commands.size(), 4u);
  EXPECT_EQ(s.commands[0].kind, Command::Module);
  EXPECT_EQ(s.commands[0].form, Command::Text);
  EXPECT_EQ(s.commands[0].module_id, "$M");
  EXPECT_GT(s.commands[0].binary.size(), 8u);
  EXPECT_EQ(s.commands[1].form, Command::Binary);
  EXPECT_EQ(s.commands[1].binary, (std::vector<uint8_t>{0, 'a', 's', 'm', 1, 0, 0, 0}));
  EXPECT_EQ(s.commands[1].line, 2u);
  EXPECT_EQ(s.commands[2].form, Command::Quote);
  EXPECT_EQ(s.commands[2].quote, "(func )");
  EXPECT_EQ(s.commands[3].kind, Command::Register);
  EXPECT_EQ(s.commands[3].register_name, "m");
  EXPECT_EQ(s.commands[3].module_id, "$M");
}

TEST(Wast, BadTextModuleIsRecordedNotFatal) {
  vivarium::engine::Script s = parse(
      "(assert_malformed (module (func (i32.const 1 2))) \"unexpected token\")\n"
      "(assert_invalid (module (func (result i32))) \"type mismatch\")\n");
  ASSERT_EQ(s.commands.size(), 2u);
  EXPECT_TRUE(s.commands[0].encode_failed);
  EXPECT_EQ(s.commands[0].encode_error.message(), "unexpected token");
  EXPECT_EQ(s.commands[0].message, "unexpected token");
  EXPECT_FALSE(s.commands[1].encode_failed);
  EXPECT_EQ(s.commands[1].kind, Command::AssertInvalid);
}

// Regression: the parser kept a view of the file name and then moved the
// string away; a short (in-place) name came back as garbage in locations.
TEST(Wast, ErrorLocationsKeepAShortFileName) {
  auto r = vivarium::engine::parse_wast("(module (func i32.addd))", "x.wast");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->commands.size(), 1u);
  ASSERT_TRUE(r->commands[0].encode_failed);
  EXPECT_EQ(r->commands[0].encode_error.where().file, "x.wast");
  EXPECT_EQ(r->commands[0].encode_error.to_string().rfind("x.wast:1:", 0), 0u)
      << r->commands[0].encode_error.to_string();
  EXPECT_EQ(r->file, "x.wast");
}

TEST(Wast, ActionsAndResults) {
  vivarium::engine::Script s = parse(
      "(assert_return (invoke $M \"f\" (i32.const -1) (f64.const 0x1p-1) (ref.extern 7) (ref.null func))"
      "  (i64.const 5) (f32.const nan:canonical) (f64.const nan:arithmetic) (ref.null extern) (ref.extern 3) (ref.func))\n"
      "(assert_return (get \"g\") (v128.const f32x4 1 nan:canonical -0 nan:arithmetic))\n"
      "(assert_return (invoke \"h\" (v128.const i16x8 1 2 3 4 5 6 7 -1)) (v128.const i64x2 1 2))\n"
      "(assert_trap (invoke \"t\") \"unreachable\")\n"
      "(assert_trap (module (func $s unreachable) (start $s)) \"unreachable\")\n"
      "(assert_exhaustion (invoke \"loop\") \"call stack exhausted\")\n"
      "(assert_unlinkable (module (import \"x\" \"y\" (func))) \"unknown import\")\n"
      "(assert_uninstantiable (module (func $s unreachable) (start $s)) \"unreachable\")\n"
      "(invoke \"bare\")\n");
  ASSERT_EQ(s.commands.size(), 9u);
  const Command& c = s.commands[0];
  EXPECT_EQ(c.action.module_id, "$M");
  ASSERT_EQ(c.action.args.size(), 4u);
  EXPECT_EQ(c.action.args[0].value.i32(), -1);
  EXPECT_EQ(c.action.args[1].value.f64_bits(), 0x3FE0000000000000ull);
  EXPECT_TRUE(c.action.args[2].is_extern);
  EXPECT_EQ(c.action.args[2].extern_id, 7u);
  EXPECT_EQ(c.action.args[3].value.type(), vivarium::ValType::FuncRef);
  ASSERT_EQ(c.expected.size(), 6u);
  EXPECT_EQ(c.expected[0].value.i64(), 5);
  EXPECT_EQ(c.expected[1].kind, Expected::NanCanonical);
  EXPECT_EQ(c.expected[1].type, vivarium::ValType::F32);
  EXPECT_EQ(c.expected[2].kind, Expected::NanArithmetic);
  EXPECT_EQ(c.expected[2].type, vivarium::ValType::F64);
  EXPECT_EQ(c.expected[3].kind, Expected::RefNull);
  EXPECT_EQ(c.expected[3].type, vivarium::ValType::ExternRef);
  EXPECT_EQ(c.expected[4].kind, Expected::RefExtern);
  EXPECT_EQ(c.expected[4].extern_id, 3u);
  EXPECT_EQ(c.expected[5].kind, Expected::RefFunc);

  const Expected& v = s.commands[1].expected[0];
  EXPECT_EQ(s.commands[1].action.kind, vivarium::engine::Action::Get);
  EXPECT_EQ(v.kind, Expected::V128Lanes);
  EXPECT_EQ(v.lane_bits, 32);
  EXPECT_TRUE(v.lane_float);
  ASSERT_EQ(v.lanes.size(), 4u);
  EXPECT_EQ(v.lanes[0].bits, 0x3F800000u);
  EXPECT_EQ(v.lanes[1].kind, vivarium::engine::ExpectedLane::NanCanonical);
  EXPECT_EQ(v.lanes[2].bits, 0x80000000u);
  EXPECT_EQ(v.lanes[3].kind, vivarium::engine::ExpectedLane::NanArithmetic);

  EXPECT_EQ(s.commands[2].action.args[0].value.v128().bytes[14], 0xFF);
  EXPECT_EQ(s.commands[2].expected[0].kind, Expected::Exact);
  EXPECT_EQ(s.commands[2].expected[0].value.v128().bytes[8], 2);

  EXPECT_EQ(s.commands[3].kind, Command::AssertTrap);
  EXPECT_TRUE(s.commands[3].has_action);
  EXPECT_EQ(s.commands[3].message, "unreachable");
  EXPECT_EQ(s.commands[4].kind, Command::AssertTrap);
  EXPECT_FALSE(s.commands[4].has_action);
  EXPECT_EQ(s.commands[4].form, Command::Text);
  EXPECT_EQ(s.commands[5].kind, Command::AssertExhaustion);
  EXPECT_EQ(s.commands[6].kind, Command::AssertUnlinkable);
  EXPECT_EQ(s.commands[7].kind, Command::AssertUninstantiable);
  EXPECT_EQ(s.commands[8].kind, Command::PerformAction);
  EXPECT_EQ(s.commands[8].action.field, "bare");
}

TEST(Wast, ScriptSyntaxErrorsHaveLocations) {
  auto r = vivarium::engine::parse_wast("(module)\n  (assert_return (invoke \"f\" (i32.const x)))", "s.wast");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where().line, 2u);
  EXPECT_EQ(r.error().where().column, 41u);
  r = vivarium::engine::parse_wast("(frobnicate)", "s.wast");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "unknown command frobnicate");
}

TEST(Wast, BareModuleScript) {
  vivarium::engine::Script s = parse("(func) (memory 0) (func (export \"f\"))");
  ASSERT_EQ(s.commands.size(), 1u);
  EXPECT_EQ(s.commands[0].kind, Command::Module);
  EXPECT_GT(s.commands[0].binary.size(), 8u);
}

}  // namespace
