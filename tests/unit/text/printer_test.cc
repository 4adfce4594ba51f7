// The printer: mnemonics and immediates from the opcode table, names from the
// name section, and text that parses back to the same code.
#include "engine/text/printer.h"

#include <gtest/gtest.h>

#include "engine/decoder/decoder.h"
#include "engine/text/wat.h"

namespace {

std::unique_ptr<vivarium::engine::ModuleIR> module(const std::string& text) {
  auto bin = vivarium::engine::wat_to_binary(text, "p.wat");
  EXPECT_TRUE(bin.ok()) << (bin.ok() ? "" : bin.error().to_string());
  if (!bin.ok()) return nullptr;
  auto m = vivarium::engine::decode(bin.value());
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().to_string());
  return m.ok() ? std::move(m).value() : nullptr;
}

TEST(Printer, PrintsStructuredCodeWithNames) {
  auto m = module(
      "(module $demo (import \"env\" \"log\" (func $log (param i32)))"
      " (memory 1)"
      " (func $main (param $n i32) (result i32) (local $acc i64)"
      "  (block $done (loop $again"
      "    (br_if $done (i32.eqz (local.get $n)))"
      "    (call $log (local.get $n))"
      "    (i32.store offset=8 align=2 (i32.const 0) (local.get $n))"
      "    (br $again)))"
      "  (if (result i32) (local.get $n) (then (i32.const -5)) (else (i32.const 7)))))");
  ASSERT_NE(m, nullptr);
  // The name section we emit is the one the decoder reads back.
  EXPECT_EQ(m->module_name, "demo");
  EXPECT_EQ(m->func_names.at(0), "log");
  EXPECT_EQ(m->func_names.at(1), "main");
  EXPECT_EQ(m->local_names.at(1).at(1), "acc");
  std::string body = vivarium::engine::print_function_body(*m, 0);
  EXPECT_EQ(body,
            "block\n"
            "  loop\n"
            "    local.get $n\n"
            "    i32.eqz\n"
            "    br_if 1\n"
            "    local.get $n\n"
            "    call $log\n"
            "    i32.const 0\n"
            "    local.get $n\n"
            "    i32.store offset=8 align=2\n"
            "    br 0\n"
            "  end\n"
            "end\n"
            "local.get $n\n"
            "if (result i32)\n"
            "  i32.const -5\n"
            "else\n"
            "  i32.const 7\n"
            "end\n");
  std::string f = vivarium::engine::print_function(*m, 0);
  EXPECT_EQ(f.substr(0, f.find('\n')), "(func $main (type 1) (param $n i32) (result i32)");
  EXPECT_NE(f.find("(local $acc i64)"), std::string::npos);
  EXPECT_EQ(vivarium::engine::print_function_body(*m, 1), "");
}

TEST(Printer, ConstantsAndSimdReadBack) {
  const std::string code =
      "(f32.const -0x1.8p-3) drop (f64.const 0.1) drop (f32.const nan:0x123) drop (f64.const -inf) drop"
      " (i64.const -9223372036854775808) drop"
      " (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i32x4 1 2 3 4) (v128.const f32x4 1 2 3 4))"
      " (i32x4.extract_lane 3) drop"
      " (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)) drop (ref.null extern) drop"
      " (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)) (v128.load32_lane offset=4 2 (i32.const 0) (v128.const i64x2 0 0)) drop";
  auto m = module("(module (memory 1) (func " + code + "))");
  ASSERT_NE(m, nullptr);
  std::string printed = vivarium::engine::print_function_body(*m, 0);
  // Reassemble from the printed text: the code must be byte-identical.
  auto again = module("(module (memory 1) (func\n" + printed + "))");
  ASSERT_NE(again, nullptr) << printed;
  EXPECT_EQ(std::vector<uint8_t>(m->span(m->funcs[0].body).begin(), m->span(m->funcs[0].body).end()),
            std::vector<uint8_t>(again->span(again->funcs[0].body).begin(), again->span(again->funcs[0].body).end()))
      << printed;
  EXPECT_NE(printed.find("f32.const -0.1875"), std::string::npos) << printed;
  EXPECT_NE(printed.find("f32.const nan:0x123"), std::string::npos) << printed;
  EXPECT_NE(printed.find("select (result i32)"), std::string::npos) << printed;
}

TEST(Printer, MalformedCodeShowsError) {
  // A ModuleIR made by hand: the printer must not trust that code is well formed.
  vivarium::engine::ModuleIR m;
  m.bytes = {0x41, 0x05, 0x41, 0xFF};  // i32.const 5; i32.const <truncated LEB>
  m.types.push_back({});
  vivarium::engine::FuncDef f;
  f.body = {0, 4};
  m.funcs.push_back(f);
  std::string s = vivarium::engine::print_function_body(m, 0);
  EXPECT_EQ(s.substr(0, s.find('\n')), "i32.const 5");
  EXPECT_NE(s.find("(; error: unexpected end"), std::string::npos) << s;
}

}  // namespace
