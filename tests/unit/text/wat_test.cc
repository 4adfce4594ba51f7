// wat_to_binary: each abbreviation must encode exactly like its expansion,
// instructions follow the opcode table, and malformed text reports the spec
// suite's message at the right line:column.
#include "engine/text/wat.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using Bytes = std::vector<uint8_t>;

// Section bodies of a binary, keyed by id (custom sections by "0:name").
struct Sections {
  std::vector<std::pair<std::string, Bytes>> list;
  Bytes get(const std::string& id) const {
    for (auto& [k, v] : list)
      if (k == id) return v;
    return {};
  }
};

Sections sections(const Bytes& b) {
  Sections s;
  size_t i = 8;
  while (i < b.size()) {
    uint8_t id = b[i++];
    uint32_t size = 0;
    int shift = 0;
    for (;;) {
      uint8_t x = b[i++];
      size |= static_cast<uint32_t>(x & 0x7F) << shift;
      shift += 7;
      if (!(x & 0x80)) break;
    }
    Bytes body(b.begin() + i, b.begin() + i + size);
    std::string key = std::to_string(id);
    if (id == 0) {
      uint8_t n = body[0];
      key += ":" + std::string(body.begin() + 1, body.begin() + 1 + n);
    }
    s.list.emplace_back(key, body);
    i += size;
  }
  return s;
}

Bytes strip_custom(const Bytes& b) {
  Bytes out(b.begin(), b.begin() + 8);
  for (auto& [k, body] : sections(b).list) {
    if (k.rfind("0:", 0) == 0) continue;
    out.push_back(static_cast<uint8_t>(std::stoi(k)));
    uint32_t n = static_cast<uint32_t>(body.size());
    do {
      uint8_t x = n & 0x7F;
      n >>= 7;
      if (n) x |= 0x80;
      out.push_back(x);
    } while (n);
    out.insert(out.end(), body.begin(), body.end());
  }
  return out;
}

Bytes wat(const std::string& text) {
  auto r = vivarium::engine::wat_to_binary(text, "t.wat");
  EXPECT_TRUE(r.ok()) << text << "\n  -> " << (r.ok() ? "" : r.error().to_string());
  return r.ok() ? r.value() : Bytes{};
}

// The two texts must encode identically (custom sections aside).
void same(const std::string& a, const std::string& b) {
  EXPECT_EQ(strip_custom(wat(a)), strip_custom(wat(b))) << a << "\n  vs\n" << b;
}

vivarium::Error fails(const std::string& text) {
  auto r = vivarium::engine::wat_to_binary(text, "t.wat");
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code(), vivarium::ErrorCode::TextSyntax);
  return r.error();
}

void fails_with(const std::string& text, const std::string& prefix) {
  vivarium::Error e = fails(text);
  EXPECT_EQ(e.message().substr(0, prefix.size()), prefix) << text << "\n  -> " << e.message();
}

// The code section body of the only function, without the local declarations.
Bytes body_of(const std::string& func_text) {
  Bytes code = sections(wat("(module " + func_text + ")")).get("10");
  // count=1, size, locals-vec (assumed empty: 0x00), then instructions.
  EXPECT_GE(code.size(), 3u);
  size_t i = 1;
  while (code[i] & 0x80) ++i;
  ++i;
  EXPECT_EQ(code[i], 0x00) << "function has locals";
  return Bytes(code.begin() + i + 1, code.end());
}

TEST(Wat, EmptyModuleAndBareFields) {
  EXPECT_EQ(wat("(module)"), (Bytes{0, 'a', 's', 'm', 1, 0, 0, 0}));
  EXPECT_EQ(wat(""), (Bytes{0, 'a', 's', 'm', 1, 0, 0, 0}));
  same("(func)", "(module (func))");
}

TEST(Wat, BinaryAndQuoteModuleForms) {
  EXPECT_EQ(wat("(module $m binary \"\\00asm\" \"\\01\\00\\00\\00\")"), (Bytes{0, 'a', 's', 'm', 1, 0, 0, 0}));
  same("(module quote \"(func (export \\\"f\\\"))\")", "(module (func (export \"f\")))");
  fails_with("(module binary \"\" 1)", "unexpected token");
}

TEST(Wat, InlineExportAndImport) {
  same("(module (func (export \"a\") (export \"b\")))",
       "(module (func) (export \"a\" (func 0)) (export \"b\" (func 0)))");
  same("(module (func (import \"m\" \"f\") (param i32)))", "(module (import \"m\" \"f\" (func (param i32))))");
  same("(module (global (import \"m\" \"g\") (mut i64)))", "(module (import \"m\" \"g\" (global (mut i64))))");
  same("(module (table (export \"t\") (import \"m\" \"t\") 1 funcref))",
       "(module (import \"m\" \"t\" (table 1 funcref)) (export \"t\" (table 0)))");
  same("(module (memory (import \"m\" \"mem\") 1 2))", "(module (import \"m\" \"mem\" (memory 1 2)))");
}

TEST(Wat, TypeUsesFindOrAppendTypes) {
  // A type defined after its inline use is still the one used; no new type.
  same("(module (func (param i32)) (type (func (param i32))))", "(module (type (func (param i32))) (func (type 0)))");
  // No identical type: a new one is appended after the explicit ones.
  same("(module (func (result i64)) (type (func)))",
       "(module (type (func)) (type (func (result i64))) (func (type 1)))");
  // (type $t) plus matching inline declarations is fine.
  same("(module (type $t (func (param i32))) (func (type $t) (param i32)))",
       "(module (type (func (param i32))) (func (type 0)))");
  fails_with("(module (type $t (func (param i32))) (func (type $t) (param i64)))", "inline function type");
  fails_with("(module (type $t (func)) (func (type $t) (result i32) (i32.const 0)))", "inline function type");
  fails_with("(module (func (result i32) (param i32) (i32.const 0)))", "unexpected token");
}

TEST(Wat, InlineDataAndElemAbbreviations) {
  same("(module (memory (data \"ab\" \"c\")))", "(module (memory 1 1) (data (i32.const 0) \"abc\"))");
  same("(module (table funcref (elem 0 0)) (func))", "(module (table 2 2 funcref) (elem (i32.const 0) 0 0) (func))");
  same("(module (data (offset (i32.const 8)) \"x\") (memory 1))", "(module (memory 1) (data (i32.const 8) \"x\"))");
  same("(module (table 1 funcref) (elem (table 0) (offset i32.const 0) func 0) (func))",
       "(module (table 1 funcref) (elem (i32.const 0) 0) (func))");
  // Items that are all ref.func use the compact function-index form.
  same("(module (table 1 funcref) (elem (i32.const 0) funcref (ref.func 0) (item ref.func 0)) (func))",
       "(module (table 1 funcref) (elem (i32.const 0) 0 0) (func))");
}

TEST(Wat, ElementSegmentEncodings) {
  // passive: flags 1, elemkind 0
  EXPECT_EQ(sections(wat("(module (elem func 0) (func))")).get("9"), (Bytes{1, 0x01, 0x00, 1, 0}));
  // declarative
  EXPECT_EQ(sections(wat("(module (elem declare func 0) (func))")).get("9"), (Bytes{1, 0x03, 0x00, 1, 0}));
  // expressions with a null: flags 5, reftype funcref
  EXPECT_EQ(sections(wat("(module (elem funcref (ref.null func)))")).get("9"),
            (Bytes{1, 0x05, 0x70, 1, 0xD0, 0x70, 0x0B}));
  // active on table 1: flags 2, explicit table, elemkind
  EXPECT_EQ(sections(wat("(module (table 0 funcref) (table $t 0 funcref) (elem (table $t) (i32.const 0) func) )"))
                .get("9"),
            (Bytes{1, 0x02, 0x01, 0x41, 0x00, 0x0B, 0x00, 0}));
  // externref: always the expression form with an explicit table
  EXPECT_EQ(sections(wat("(module (table 1 externref) (elem (i32.const 0) externref (ref.null extern)))")).get("9"),
            (Bytes{1, 0x06, 0x00, 0x41, 0x00, 0x0B, 0x6F, 1, 0xD0, 0x6F, 0x0B}));
}

TEST(Wat, FoldedAndPlainInstructionsAgree) {
  same("(module (func (result i32) (i32.add (i32.const 1) (i32.const 2))))",
       "(module (func (result i32) i32.const 1 i32.const 2 i32.add))");
  same("(module (func (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))",
       "(module (func (param i32) (result i32) local.get 0 if (result i32) i32.const 1 else i32.const 2 end))");
  same("(module (func (block $a (loop $b (br_if $b (i32.const 0)) (br $a)))))",
       "(module (func block loop i32.const 0 br_if 0 br 1 end end))");
}

TEST(Wat, SymbolicIndicesInEverySpace) {
  same("(module (type $t (func)) (func $f (param $p i32) (local $l i64) (call $f (local.get $p)) (local.set $l (i64.const 0)))"
       " (global $g (mut i32) (i32.const 0)) (table $tab 1 funcref) (memory $m 1)"
       " (func (global.set $g (i32.const 1)) (call_indirect $tab (type $t) (i32.const 0))"
       "  (table.size $tab) drop (elem.drop $e) (data.drop $d)) (elem $e func $f) (data $d \"\"))",
       "(module (type (func)) (func (param i32) (local i64) (call 0 (local.get 0)) (local.set 1 (i64.const 0)))"
       " (global (mut i32) (i32.const 0)) (table 1 funcref) (memory 1)"
       " (func (global.set 0 (i32.const 1)) (call_indirect 0 (type 0) (i32.const 0))"
       "  (table.size 0) drop (elem.drop 0) (data.drop 0)) (elem func 0) (data \"\"))");
}

TEST(Wat, LabelsResolveToDepths) {
  Bytes b = body_of("(func block $outer block $inner br $outer br $inner end end)");
  EXPECT_EQ(b, (Bytes{0x02, 0x40, 0x02, 0x40, 0x0C, 0x01, 0x0C, 0x00, 0x0B, 0x0B, 0x0B}));
  // A label shadowed by an inner one of the same name.
  b = body_of("(func block $l block $l br $l end end)");
  EXPECT_EQ(b, (Bytes{0x02, 0x40, 0x02, 0x40, 0x0C, 0x00, 0x0B, 0x0B, 0x0B}));
  // br_table with a default.
  b = body_of("(func block $a block $b (br_table $a $b $a (i32.const 0)) end end)");
  EXPECT_EQ(b, (Bytes{0x02, 0x40, 0x02, 0x40, 0x41, 0x00, 0x0E, 0x02, 0x01, 0x00, 0x01, 0x0B, 0x0B, 0x0B}));
}

TEST(Wat, BlockTypes) {
  EXPECT_EQ(body_of("(func (block (result f64) (f64.const 0)) drop)")[1], 0x7C);
  // Two results need a type index (the type is appended: index 1).
  Bytes b = body_of("(func (block (result i32 i32) (i32.const 0) (i32.const 0)) drop drop)");
  EXPECT_EQ(b[1], 0x01);
  b = body_of("(func (i32.const 0) (block (param i32) drop))");
  EXPECT_EQ(b[3], 0x01);
}

TEST(Wat, NumericImmediates) {
  EXPECT_EQ(body_of("(func (i32.const 0xffffffff) drop)"), (Bytes{0x41, 0x7F, 0x1A, 0x0B}));
  EXPECT_EQ(body_of("(func (i32.const -2147483648) drop)"), (Bytes{0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x1A, 0x0B}));
  EXPECT_EQ(body_of("(func (i64.const -1) drop)"), (Bytes{0x42, 0x7F, 0x1A, 0x0B}));
  EXPECT_EQ(body_of("(func (f32.const -nan:0x1) drop)"), (Bytes{0x43, 0x01, 0x00, 0x80, 0xFF, 0x1A, 0x0B}));
  EXPECT_EQ(body_of("(func (f64.const 1) drop)"), (Bytes{0x44, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x1A, 0x0B}));
  fails_with("(func (i32.const 4294967296) drop)", "constant out of range");
  fails_with("(func (i32.const -2147483649) drop)", "constant out of range");
  fails_with("(func (f32.const 1e39) drop)", "constant out of range");
  fails_with("(func (i32.const 0x) drop)", "unknown operator");
  fails_with("(func (i32.const) drop)", "unexpected token");
  fails_with("(func (f32.const nan:canonical) drop)", "unexpected token");
}

TEST(Wat, MemArgs) {
  std::string mem = "(memory 1) ";
  EXPECT_EQ(body_of(mem + "(func (drop (i32.load (i32.const 0))))"), (Bytes{0x41, 0, 0x28, 0x02, 0x00, 0x1A, 0x0B}));
  EXPECT_EQ(body_of(mem + "(func (drop (i64.load8_u offset=0x10 align=1 (i32.const 0))))"),
            (Bytes{0x41, 0, 0x31, 0x00, 0x10, 0x1A, 0x0B}));
  EXPECT_EQ(body_of(mem + "(func (drop (i32.load offset=4294967295 (i32.const 0))))"),
            (Bytes{0x41, 0, 0x28, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x1A, 0x0B}));
  fails_with(mem + "(func (drop (i32.load align=3 (i32.const 0))))", "alignment");
  fails_with(mem + "(func (drop (i32.load align=0 (i32.const 0))))", "alignment");
  fails_with(mem + "(func (drop (i32.load offset=4294967296 (i32.const 0))))", "i32 constant");
  fails_with("(memory 0x1_0000_0000)", "i32 constant out of range");
}

TEST(Wat, SelectAndReferenceInstructions) {
  EXPECT_EQ(body_of("(func (select (i32.const 1) (i32.const 2) (i32.const 0)) drop)")[6], 0x1B);
  Bytes b = body_of("(func (select (result i64) (i64.const 1) (i64.const 2) (i32.const 0)) drop)");
  EXPECT_EQ(Bytes(b.begin() + 6, b.begin() + 9), (Bytes{0x1C, 0x01, 0x7E}));
  EXPECT_EQ(body_of("(func (drop (ref.null extern)))"), (Bytes{0xD0, 0x6F, 0x1A, 0x0B}));
  EXPECT_EQ(body_of("(func (drop (ref.is_null (ref.null func))))"), (Bytes{0xD0, 0x70, 0xD1, 0x1A, 0x0B}));
  // table.init with and without a table index; table.copy defaults.
  b = body_of("(table 1 funcref) (table 1 funcref) (elem $e func) (func (table.init 1 $e (i32.const 0) (i32.const 0) (i32.const 0)) (table.init $e (i32.const 0) (i32.const 0) (i32.const 0)) (table.copy (i32.const 0) (i32.const 0) (i32.const 0)))");
  EXPECT_EQ(Bytes(b.begin() + 6, b.begin() + 9), (Bytes{0xFC, 0x0C, 0x00}));
  EXPECT_EQ(b[9], 0x01);
  EXPECT_EQ(Bytes(b.begin() + 16, b.begin() + 20), (Bytes{0xFC, 0x0C, 0x00, 0x00}));
  EXPECT_EQ(Bytes(b.begin() + 26, b.begin() + 30), (Bytes{0xFC, 0x0E, 0x00, 0x00}));
}

TEST(Wat, BulkMemoryEmitsDataCount) {
  Sections s = sections(wat("(module (memory 1) (data \"a\") (func (data.drop 0)))"));
  EXPECT_EQ(s.get("12"), (Bytes{0x01}));
  s = sections(wat("(module (memory 1) (data \"a\"))"));
  EXPECT_TRUE(s.get("12").empty());
}

TEST(Wat, SimdInstructions) {
  Bytes b = body_of("(func (v128.const i32x4 1 2 3 -1) drop)");
  EXPECT_EQ(b, (Bytes{0xFD, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x1A, 0x0B}));
  b = body_of("(func (v128.const f32x4 1 -0 nan inf) drop)");
  EXPECT_EQ(Bytes(b.begin() + 2, b.begin() + 18),
            (Bytes{0, 0, 0x80, 0x3F, 0, 0, 0, 0x80, 0, 0, 0xC0, 0x7F, 0, 0, 0x80, 0x7F}));
  b = body_of("(func (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 255) drop)");
  EXPECT_EQ(b[17], 0xFF);
  b = body_of("(func (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i64x2 0 0) (v128.const i64x2 0 0)) drop)");
  EXPECT_EQ(Bytes(b.begin() + 36, b.begin() + 38), (Bytes{0xFD, 0x0D}));
  EXPECT_EQ(b[53], 31);
  b = body_of("(func (i16x8.extract_lane_u 7 (v128.const i64x2 0 0)) drop)");
  EXPECT_EQ(Bytes(b.begin() + 18, b.begin() + 21), (Bytes{0xFD, 0x19, 0x07}));
  // Prefixed opcodes above 0x7F take two LEB bytes.
  b = body_of("(func (f64x2.convert_low_i32x4_u (v128.const i64x2 0 0)) drop)");
  EXPECT_EQ(Bytes(b.begin() + 18, b.begin() + 21), (Bytes{0xFD, 0xFF, 0x01}));
  b = body_of("(memory 1) (func (v128.load16_lane offset=2 1 (i32.const 0) (v128.const i64x2 0 0)) drop)");
  EXPECT_EQ(Bytes(b.begin() + 20, b.begin() + 25), (Bytes{0xFD, 0x55, 0x01, 0x02, 0x01}));
  fails_with("(func (v128.const i32x4 1 2 3) drop)", "wrong number of lane literals");
  fails_with("(func (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0) drop)", "constant out of range");
  fails_with("(func (i8x16.shuffle 0 1 2 (v128.const i64x2 0 0) (v128.const i64x2 0 0)) drop)", "invalid lane length");
  fails_with("(func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0)) drop)", "malformed lane index");
  fails_with("(func (i8x16.extract_lane_s -1 (v128.const i64x2 0 0)) drop)", "unexpected token");
}

TEST(Wat, ErrorsCarryLineAndColumn) {
  vivarium::Error e = fails("(module\n  (func\n    (br $nowhere)))");
  EXPECT_EQ(e.message(), "unknown label $nowhere");
  EXPECT_EQ(e.where().line, 3u);
  EXPECT_EQ(e.where().column, 9u);
  EXPECT_EQ(e.where().file, "t.wat");
  e = fails("(module (func\n (i32.add2)))");
  EXPECT_EQ(e.message(), "unknown operator i32.add2");
  EXPECT_EQ(e.where().line, 2u);
  EXPECT_EQ(e.where().column, 3u);
}

TEST(Wat, MalformedModules) {
  fails_with("(module (func $f) (func $f))", "duplicate func");
  fails_with("(module (global $g i32 (i32.const 0)) (import \"a\" \"b\" (global $g i32)))", "duplicate global");
  fails_with("(module (func (param $x i32) (local $x i32)))", "duplicate local");
  fails_with("(module (memory $m 1) (memory $m 1))", "duplicate memory");
  fails_with("(module (func (call $nope)))", "unknown function");
  fails_with("(module (func (local.get $nope)))", "unknown local");
  fails_with("(module (func (global.get $nope)))", "unknown global");
  fails_with("(module (func block $a end $b))", "mismatching label");
  fails_with("(module (func (if $a (i32.const 0) (then)) if $a (result i32) i32.const 0 else $b i32.const 1 end))",
             "mismatching label");
  fails_with("(module (func block end $a))", "mismatching label");
  fails_with("(module (func) (import \"\" \"\" (func)))", "import after function");
  fails_with("(module (global i32 (i32.const 0)) (import \"\" \"\" (memory 1)))", "import after global");
  fails_with("(module (memory 0) (func (import \"\" \"\")))", "import after memory");
  fails_with("(module (func) (start 0) (start 0))", "multiple start sections");
  fails_with("(module (func (export \"\\ff\")))", "malformed UTF-8 encoding");
  fails_with("(module (func)", "unexpected end");
  fails_with("(module (func (nop)) ) x", "unexpected token");
  fails_with("(module (func (get_local 0)))", "unknown operator");
  fails_with("(module (func br 0drop))", "unknown operator");
  fails_with("(module (func (local i32) (param i32)))", "unexpected token");
  fails_with("(module (global $g anyfunc (ref.null func)))", "unknown operator");
  // A numeric index out of range is not a syntax error: it is left to validation.
  EXPECT_TRUE(vivarium::engine::wat_to_binary("(module (func (call 7)))").ok());
}

TEST(Wat, NameSectionHasFunctionAndLocalNames) {
  Bytes names = sections(wat("(module $mod (import \"m\" \"f\" (func $imp)) (func $main (param $a i32) (local $b i64)))"))
                    .get("0:name");
  ASSERT_FALSE(names.empty());
  std::string s(names.begin(), names.end());
  EXPECT_NE(s.find("mod"), std::string::npos);
  EXPECT_NE(s.find("imp"), std::string::npos);
  EXPECT_NE(s.find("main"), std::string::npos);
  // local names: func 1 has locals 0 "a" and 1 "b".
  Bytes want_locals{0x02, 0x09, 0x01, 0x01, 0x02, 0x00, 0x01, 'a', 0x01, 0x01, 'b'};
  EXPECT_NE(std::search(names.begin(), names.end(), want_locals.begin(), want_locals.end()), names.end());
}

}  // namespace

namespace {

// Nesting is parsed with an explicit stack: depth must not be limited by the
// native stack (recursion overflowed at a few thousand levels).
TEST(Wat, DeepNestingDoesNotUseNativeStack) {
  const int n = 100000;
  std::string folded, plain, operands;
  for (int i = 0; i < n; ++i) folded += "(block ";
  folded.append(n, ')');
  for (int i = 0; i < n; ++i) plain += "block ";
  for (int i = 0; i < n; ++i) plain += "end ";
  for (int i = 0; i < n; ++i) operands += "(i32.eqz ";
  operands += "(i32.const 0)";
  operands.append(n, ')');
  Bytes b = body_of("(func " + folded + ")");
  EXPECT_EQ(b.size(), 3u * n + 1);
  EXPECT_EQ(body_of("(func " + plain + ")"), b);
  b = body_of("(func (drop " + operands + "))");
  EXPECT_EQ(b.size(), 2u + n + 2);
  fails_with("(func " + folded.substr(0, folded.size() - 1) + ")", "unexpected end");
}

}  // namespace
