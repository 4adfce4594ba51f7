// The binary decoder, one rule per test, on hand-written modules.
#include "engine/decoder/decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vivarium::engine {
namespace {

using Bytes = std::vector<uint8_t>;

void put_u32(Bytes& b, uint32_t v) {
  do {
    uint8_t x = v & 0x7F;
    v >>= 7;
    b.push_back(v ? (x | 0x80) : x);
  } while (v);
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A section with its size computed.
Bytes sec(uint8_t id, const Bytes& contents) {
  Bytes b = {id};
  put_u32(b, static_cast<uint32_t>(contents.size()));
  b.insert(b.end(), contents.begin(), contents.end());
  return b;
}

Bytes str(const std::string& s) {
  Bytes b;
  put_u32(b, static_cast<uint32_t>(s.size()));
  b.insert(b.end(), s.begin(), s.end());
  return b;
}

const Bytes kHeader = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
Bytes mod(std::initializer_list<Bytes> sections) {
  Bytes out = kHeader;
  for (const Bytes& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

// Common pieces: one type () -> (), one function of it, its code.
const Bytes kType = sec(1, {0x01, 0x60, 0x00, 0x00});
const Bytes kFunc1 = sec(3, {0x01, 0x00});
Bytes code(std::initializer_list<Bytes> bodies) {
  Bytes c;
  put_u32(c, static_cast<uint32_t>(bodies.size()));
  for (const Bytes& body : bodies) {
    put_u32(c, static_cast<uint32_t>(body.size()));
    c.insert(c.end(), body.begin(), body.end());
  }
  return sec(10, c);
}
const Bytes kEmptyBody = {0x00, 0x0B};

Result<std::unique_ptr<ModuleIR>> dec(const Bytes& b) { return decode(b); }

std::string err(const Bytes& b) {
  auto r = decode(b);
  if (r.ok()) return "<ok>";
  EXPECT_EQ(r.error().phase(), vivarium::Phase::Malformed) << r.error().message();
  return r.error().message();
}

TEST(DecoderHeader, MagicAndVersion) {
  EXPECT_EQ(err({}), "unexpected end");
  EXPECT_EQ(err({0x00, 0x61, 0x73}), "unexpected end");
  EXPECT_EQ(err({0x00, 0x61, 0x73, 0x6E, 0x01, 0, 0, 0}), "magic header not detected");
  EXPECT_EQ(err({0xEF, 0xBB, 0xBF, 0x00, 0x61, 0x73, 0x6D}), "magic header not detected");
  EXPECT_EQ(err({0x00, 0x61, 0x73, 0x6D, 0x01, 0x00}), "unexpected end");
  EXPECT_EQ(err({0x00, 0x61, 0x73, 0x6D, 0x02, 0, 0, 0}), "unknown binary version");
  EXPECT_EQ(err({0x00, 0x61, 0x73, 0x6D, 0x0D, 0, 0x01, 0}), "unknown binary version");  // a component
  auto r = dec(kHeader);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)->sections.empty());
  EXPECT_EQ((*r)->bytes, kHeader);
}

TEST(DecoderSections, IdsSizesAndInfo) {
  auto r = dec(mod({kType, kFunc1, code({kEmptyBody})}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto& s = (*r)->sections;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].name, "type");
  EXPECT_EQ(s[0].id, 1);
  EXPECT_EQ(s[0].offset, 10u);
  EXPECT_EQ(s[0].size, 4u);
  EXPECT_EQ(s[2].name, "code");

  EXPECT_EQ(err(mod({sec(13, {})})), "malformed section id");
  EXPECT_EQ(err(mod({{0x7F, 0x00}})), "malformed section id");
  // Declared size past the end of the module.
  EXPECT_EQ(err(mod({{0x01, 0x05, 0x00}})), "length out of bounds");
  // Contents shorter / longer than declared.
  EXPECT_EQ(err(mod({sec(1, {0x01, 0x60, 0x00, 0x00, 0x00})})), "section size mismatch");
  EXPECT_EQ(err(mod({sec(1, {0x02, 0x60, 0x00, 0x00})})), "unexpected end of section or function");
  // Like the reference interpreter, an entry that overruns its section reads
  // on into the next section; the result is whatever those bytes say.
  EXPECT_EQ(err(mod({sec(1, {0x02, 0x60, 0x00, 0x00}), kFunc1})), "malformed function type");
  // A section header cut off.
  EXPECT_EQ(err(mod({{0x01}})), "unexpected end of section or function");
}

TEST(DecoderSections, Order) {
  const Bytes dc = sec(12, {0x00});
  EXPECT_EQ(err(mod({kFunc1, kType})), "unexpected content after last section");
  EXPECT_EQ(err(mod({kType, kType})), "unexpected content after last section");
  // Data count sits between element and code.
  EXPECT_EQ(err(mod({kType, kFunc1, dc, sec(9, {0x00}), code({kEmptyBody})})),
            "unexpected content after last section");
  EXPECT_EQ(err(mod({kType, kFunc1, code({kEmptyBody}), dc})), "unexpected content after last section");
  auto ok = dec(mod({sec(0, str("a")), kType, sec(0, str("b")), kFunc1, sec(9, {0x00}), dc,
                     code({kEmptyBody}), sec(11, {0x00}), sec(0, str("c"))}));
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ((*ok)->sections.size(), 9u);
  EXPECT_EQ((*ok)->sections[0].name, "custom:a");
  EXPECT_EQ((*ok)->sections[0].id, 0);
}

TEST(DecoderSections, CustomSectionNames) {
  EXPECT_EQ(err(mod({sec(0, {})})), "unexpected end of section or function");
  EXPECT_EQ(err(mod({sec(0, {0x02, 0xC0, 0x80})})), "malformed UTF-8 encoding");
  // Name longer than the section, though the module has the bytes.
  EXPECT_EQ(err(mod({sec(0, {0x03, 'a'}), sec(0, {0x00})})), "length out of bounds");
  auto r = dec(mod({sec(0, cat({str("x"), Bytes{0xFF, 0xFF, 0x00}}))}));  // opaque payload
  ASSERT_TRUE(r.ok());
}

TEST(DecoderErrors, CarrySectionAndOffset) {
  Bytes m = mod({kType, sec(2, cat({Bytes{0x01}, str("m"), str("n"), Bytes{0x04}}))});
  auto r = dec(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "malformed import kind");
  EXPECT_EQ(r.error().where().section, "import");
  EXPECT_EQ(r.error().where().offset, m.size() - 1);
  EXPECT_EQ(r.error().code(), ErrorCode::Malformed);
}

TEST(DecoderTypes, FuncTypes) {
  auto r = dec(mod({sec(1, {0x02, 0x60, 0x02, 0x7F, 0x7B, 0x01, 0x6F, 0x60, 0x00, 0x00})}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto& t = (*r)->types;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].params, (std::vector<ValType>{ValType::I32, ValType::V128}));
  EXPECT_EQ(t[0].results, (std::vector<ValType>{ValType::ExternRef}));
  EXPECT_TRUE(t[1].params.empty());
  EXPECT_EQ(err(mod({sec(1, {0x01, 0x61, 0x00, 0x00})})), "malformed function type");
  EXPECT_EQ(err(mod({sec(1, {0x01, 0xE0, 0x7F, 0x00, 0x00})})), "integer representation too long");
  EXPECT_EQ(err(mod({sec(1, {0x01, 0x60, 0x01, 0x40, 0x00})})), "malformed value type");
}

TEST(DecoderCounts, HostileCountsFailWithoutAllocating) {
  // 2^32-1 types/imports/functions/params in a few bytes: each must fail on
  // the missing bytes, quickly, rather than reserve gigabytes first.
  const Bytes huge = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  for (uint8_t id : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11}) {
    std::string e = err(mod({sec(id, cat({huge, Bytes{0x00}}))}));
    EXPECT_TRUE(e.rfind("unexpected end", 0) == 0 || e == "length out of bounds" ||
                e == "function and code section have inconsistent lengths" || e == "integer representation too long" ||
                e.rfind("malformed", 0) == 0)
        << int(id) << ": " << e;
  }
  EXPECT_EQ(err(mod({sec(1, cat({Bytes{0x01, 0x60}, huge}))})), "unexpected end of section or function");
}

TEST(DecoderImports, AllKindsAndIndexSpaces) {
  Bytes imports = {0x04};
  auto add = [&](const std::string& n, Bytes desc) {
    auto s = cat({str("env"), str(n), desc});
    imports.insert(imports.end(), s.begin(), s.end());
  };
  add("t", {0x01, 0x70, 0x01, 0x01, 0x02});  // table funcref 1..2
  add("f", {0x00, 0x00});                    // func type 0
  add("m", {0x02, 0x00, 0x03});              // memory 3..
  add("g", {0x03, 0x7E, 0x01});              // global mut i64
  auto r = dec(mod({kType, sec(2, imports), kFunc1, code({kEmptyBody})}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  const ModuleIR& m = **r;
  EXPECT_EQ(m.num_imported_funcs, 1u);
  EXPECT_EQ(m.num_imported_tables, 1u);
  EXPECT_EQ(m.num_imported_memories, 1u);
  EXPECT_EQ(m.num_imported_globals, 1u);
  EXPECT_EQ(m.total_funcs(), 2u);
  EXPECT_EQ(m.imports[1].name, "f");
  EXPECT_EQ(m.table_type(0).limits.max, 2u);
  EXPECT_TRUE(m.table_type(0).limits.has_max);
  EXPECT_EQ(m.memory_type(0).limits.min, 3u);
  EXPECT_FALSE(m.memory_type(0).limits.has_max);
  EXPECT_EQ(m.global_type(0).type, ValType::I64);
  EXPECT_TRUE(m.global_type(0).mut);
  EXPECT_EQ(&m.func_type(0), &m.types[0]);
  EXPECT_EQ(&m.func_type(1), &m.types[0]);

  EXPECT_EQ(err(mod({sec(2, cat({Bytes{0x01}, str("a"), str("b"), Bytes{0x04, 0x00}}))})), "malformed import kind");
  EXPECT_EQ(err(mod({sec(2, cat({Bytes{0x01}, str("a"), str("b"), Bytes{0x03, 0x7F, 0x02}}))})),
            "malformed mutability");
  EXPECT_EQ(err(mod({sec(2, cat({Bytes{0x01}, Bytes{0x01, 0xFF}, str("b"), Bytes{0x00, 0x00}}))})),
            "malformed UTF-8 encoding");
  EXPECT_EQ(err(mod({sec(2, cat({Bytes{0x01}, str("a"), str("b"), Bytes{0x01, 0x7F, 0x00, 0x00}}))})),
            "malformed reference type");
}

TEST(DecoderImports, AccessorsWithoutSlotIndexScanImports) {
  // A ModuleIR built by hand (no import_slots) still resolves through imports.
  ModuleIR m;
  m.types.push_back(FuncType{{ValType::I32}, {}});
  m.types.push_back(FuncType{{}, {ValType::F64}});
  Import g;
  g.kind = ExternKind::Global;
  g.global = GlobalType{ValType::F32, false};
  Import f;
  f.kind = ExternKind::Func;
  f.type_index = 1;
  m.imports = {g, f};
  m.num_imported_funcs = 1;
  m.num_imported_globals = 1;
  m.funcs.push_back(FuncDef{});
  m.globals.push_back(Global{GlobalType{ValType::I64, true}, {}});
  EXPECT_EQ(m.func_type(0).results.size(), 1u);
  EXPECT_EQ(m.func_type(1).params.size(), 1u);
  EXPECT_EQ(m.global_type(0).type, ValType::F32);
  EXPECT_EQ(m.global_type(1).type, ValType::I64);
}

TEST(DecoderLimits, Flags) {
  auto r = dec(mod({sec(5, {0x02, 0x00, 0x01, 0x01, 0x02, 0x80, 0x02})}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ((*r)->memories[0].limits.min, 1u);
  EXPECT_EQ((*r)->memories[1].limits.min, 2u);
  EXPECT_EQ((*r)->memories[1].limits.max, 256u);
  EXPECT_EQ(err(mod({sec(5, {0x01, 0x02, 0x00})})), "integer too large");  // shared flag: threads, not 2.0
  EXPECT_EQ(err(mod({sec(5, {0x01, 0x81, 0x00})})), "integer representation too long");
  EXPECT_EQ(err(mod({sec(4, {0x01, 0x70, 0x04, 0x00})})), "integer too large");  // memory64-style flag
  EXPECT_EQ(err(mod({sec(5, {0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F})})), "integer too large");
}

TEST(DecoderGlobals, TypesAndInitExpressions) {
  Bytes m = mod({sec(6, {0x02, 0x7F, 0x00, 0x41, 0x2A, 0x0B, 0x7C, 0x01, 0x44, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x0B})});
  auto r = dec(m);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto& g = (*r)->globals;
  ASSERT_EQ(g.size(), 2u);
  EXPECT_FALSE(g[0].type.mut);
  EXPECT_TRUE(g[1].type.mut);
  EXPECT_EQ(g[1].type.type, ValType::F64);
  auto code0 = (*r)->span(g[0].init.code);
  EXPECT_EQ(Bytes(code0.begin(), code0.end()), (Bytes{0x41, 0x2A, 0x0B}));
  EXPECT_EQ(g[1].init.code.size(), 10u);
  EXPECT_EQ(err(mod({sec(6, {0x01, 0x7F, 0x02, 0x41, 0x00, 0x0B})})), "malformed mutability");
  // Missing END: reading runs into the next byte (the spec's "illegal opcode").
  EXPECT_EQ(err(mod({sec(6, {0x01, 0x7F, 0x00, 0x41, 0x00}), sec(10, {0x00})})), "illegal opcode");
  // Ill-formed instruction inside an init expression.
  EXPECT_EQ(err(mod({sec(6, {0x01, 0x7F, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0B})})),
            "integer representation too long");
}

TEST(DecoderExports, KindsAndNames) {
  auto r = dec(mod({sec(7, cat({Bytes{0x02}, str("f"), Bytes{0x00, 0x05}, str("mem"), Bytes{0x02, 0x00}}))}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ((*r)->exports.size(), 2u);
  EXPECT_EQ((*r)->exports[0].index, 5u);
  EXPECT_EQ((*r)->exports[1].kind, ExternKind::Memory);
  EXPECT_EQ(err(mod({sec(7, cat({Bytes{0x01}, str("f"), Bytes{0x04, 0x00}}))})), "malformed export kind");
}

TEST(DecoderStart, Index) {
  auto r = dec(mod({sec(8, {0x80, 0x01})}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->start, 128u);
  EXPECT_EQ(err(mod({sec(8, {0x00, 0x00})})), "section size mismatch");
}

TEST(DecoderElements, AllEightEncodings) {
  const Bytes off = {0x41, 0x00, 0x0B};          // i32.const 0
  const Bytes rf = {0xD2, 0x00, 0x0B};           // ref.func 0
  const Bytes rn = {0xD0, 0x6F, 0x0B};           // ref.null extern
  Bytes seg = {0x08};
  auto add = [&](Bytes b) { seg.insert(seg.end(), b.begin(), b.end()); };
  add(cat({{0x00}, off, {0x02, 0x00, 0x01}}));                 // 0: active t0, funcidx
  add({0x01, 0x00, 0x01, 0x00});                               // 1: passive, elemkind, funcidx
  add(cat({{0x02, 0x03}, off, {0x00, 0x01, 0x00}}));           // 2: active table 3, elemkind
  add({0x03, 0x00, 0x01, 0x00});                               // 3: declarative, elemkind
  add(cat({{0x04}, off, {0x01}, rf}));                         // 4: active t0, exprs
  add(cat({{0x05, 0x6F, 0x01}, rn}));                          // 5: passive, reftype, exprs
  add(cat({{0x06, 0x01}, off, {0x70, 0x02}, rf, rf}));         // 6: active table 1, reftype, exprs
  add(cat({{0x07, 0x70, 0x01}, rf}));                          // 7: declarative, reftype, exprs
  auto r = dec(mod({kType, kFunc1, sec(9, seg), code({kEmptyBody})}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto& e = (*r)->elems;
  ASSERT_EQ(e.size(), 8u);
  using M = ElemSegment;
  const M::Mode modes[] = {M::Active, M::Passive, M::Active, M::Declarative,
                           M::Active, M::Passive, M::Active, M::Declarative};
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(e[i].mode, modes[i]) << i;
    EXPECT_EQ(e[i].uses_exprs, i >= 4) << i;
  }
  EXPECT_EQ(e[0].size(), 2u);
  EXPECT_EQ(e[0].func_indices[1], 1u);
  EXPECT_EQ(e[2].table, 3u);
  EXPECT_EQ(e[6].table, 1u);
  EXPECT_EQ(e[6].size(), 2u);
  EXPECT_EQ(e[5].type, ValType::ExternRef);
  EXPECT_EQ(e[4].type, ValType::FuncRef);
  EXPECT_EQ(e[0].offset.code.size(), 3u);
  EXPECT_EQ(e[6].exprs[1].code.size(), 3u);

  EXPECT_EQ(err(mod({sec(9, {0x01, 0x08, 0x00})})), "malformed elements segment kind");
  EXPECT_EQ(err(mod({sec(9, {0x01, 0x01, 0x01, 0x00})})), "malformed element kind");
  EXPECT_EQ(err(mod({sec(9, {0x01, 0x05, 0x7F, 0x00})})), "malformed reference type");
  EXPECT_EQ(err(mod({sec(9, {0x01, 0x05, 0x70, 0x01, 0xF3, 0x00, 0x0B})})), "illegal opcode");
}

TEST(DecoderData, ThreeEncodingsAndDataCount) {
  Bytes data = cat({{0x03, 0x00, 0x41, 0x08, 0x0B}, str("ab"), {0x01}, str("xyz"), {0x02, 0x00, 0x41, 0x00, 0x0B},
                    str("")});
  auto r = dec(mod({sec(12, {0x03}), sec(11, data)}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto& d = (*r)->datas;
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].mode, DataSegment::Active);
  EXPECT_EQ(d[1].mode, DataSegment::Passive);
  EXPECT_EQ(d[2].mode, DataSegment::Active);
  auto init = (*r)->span(d[1].init);
  EXPECT_EQ(std::string(init.begin(), init.end()), "xyz");
  EXPECT_EQ(d[2].init.size(), 0u);
  EXPECT_EQ((*r)->data_count, 3u);

  EXPECT_EQ(err(mod({sec(11, {0x01, 0x03, 0x00})})), "malformed data segment kind");
  EXPECT_EQ(err(mod({sec(12, {0x02}), sec(11, data)})), "data count and data section have inconsistent lengths");
  EXPECT_EQ(err(mod({sec(12, {0x01})})), "data count and data section have inconsistent lengths");
  EXPECT_TRUE(dec(mod({sec(12, {0x00})})).ok());
  EXPECT_EQ(err(mod({sec(11, {0x01, 0x01, 0x05, 'a'})})), "unexpected end of section or function");
  EXPECT_EQ(err(mod({sec(11, {0x02, 0x01, 0x01, 'a'})})), "unexpected end of section or function");
}

TEST(DecoderCode, FunctionAndCodeCountsAgree) {
  EXPECT_EQ(err(mod({kType, kFunc1})), "function and code section have inconsistent lengths");
  EXPECT_EQ(err(mod({kType, code({kEmptyBody})})), "function and code section have inconsistent lengths");
  EXPECT_EQ(err(mod({kType, sec(3, {0x02, 0x00, 0x00}), code({kEmptyBody})})),
            "function and code section have inconsistent lengths");
  EXPECT_TRUE(dec(mod({kType, sec(3, {0x00}), sec(10, {0x00})})).ok());
}

TEST(DecoderCode, LocalsAndBody) {
  Bytes body = {0x02, 0x03, 0x7F, 0x80, 0x01, 0x7C, 0x41, 0x01, 0x1A, 0x0B};
  auto r = dec(mod({kType, kFunc1, code({body})}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  const FuncDef& f = (*r)->funcs[0];
  ASSERT_EQ(f.local_groups.size(), 2u);
  EXPECT_EQ(f.local_groups[1], std::make_pair(uint32_t{128}, ValType::F64));
  EXPECT_EQ(f.num_locals, 131u);
  auto b = (*r)->span(f.body);
  EXPECT_EQ(Bytes(b.begin(), b.end()), (Bytes{0x41, 0x01, 0x1A, 0x0B}));
  EXPECT_EQ(f.whole.size(), body.size());

  // The sum of counts may not exceed 2^32-1.
  EXPECT_EQ(err(mod({kType, kFunc1, code({{0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x01, 0x7E, 0x0B}})})),
            "too many locals");
  EXPECT_TRUE(dec(mod({kType, kFunc1, code({{0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0E, 0x7F, 0x01, 0x7E, 0x0B}})})).ok());
  EXPECT_EQ(err(mod({kType, kFunc1, code({{0x01, 0x01, 0x40, 0x0B}})})), "malformed value type");
}

TEST(DecoderCode, StructuralScan) {
  auto body_err = [](Bytes body) { return err(mod({kType, kFunc1, code({body})})); };
  // Nested blocks, if/else, br_table, SIMD: all well-formed.
  EXPECT_EQ(body_err({0x00, 0x02, 0x40, 0x03, 0x40, 0x41, 0x00, 0x04, 0x40, 0x05, 0x0B, 0x0B, 0x0B,
                      0xFD, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1A, 0x0B}),
            "<ok>");
  // Missing final END at the end of the module.
  EXPECT_EQ(body_err({0x00, 0x41, 0x01, 0x1A}), "unexpected end of section or function");
  // Block left open.
  EXPECT_EQ(body_err({0x00, 0x02, 0x40, 0x0B}), "unexpected end of section or function");
  // else outside if, and a second else.
  EXPECT_EQ(body_err({0x00, 0x05, 0x0B}), "END opcode expected");
  EXPECT_EQ(body_err({0x00, 0x02, 0x40, 0x05, 0x0B, 0x0B}), "END opcode expected");
  EXPECT_EQ(body_err({0x00, 0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0B, 0x0B}), "END opcode expected");
  // Errors in a body name the function.
  auto r = dec(mod({kType, kFunc1, code({{0x00, 0x06, 0x0B}})}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().where().function, "func[0]");
  EXPECT_EQ(r.error().where().section, "code");
  // header 8, type 6, function 4; code: id, size, count, entry size, locals
  EXPECT_EQ(r.error().where().offset, 8u + 6u + 4u + 5u);
  // Bytes after the final END inside the entry.
  EXPECT_EQ(body_err({0x00, 0x0B, 0x01}), "section size mismatch");
  // Bad instructions inside a body.
  EXPECT_EQ(body_err({0x00, 0x06, 0x0B}), "illegal opcode");
  EXPECT_EQ(body_err({0x00, 0x3F, 0x01, 0x1A, 0x0B}), "zero byte expected");
  EXPECT_EQ(body_err({0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0B}), "integer representation too long");
}

TEST(DecoderCode, SpecMissingEndCases) {
  // binary.wast: a body without END followed by another entry, whose size
  // byte reads as `else`.
  EXPECT_EQ(err(mod({kType, sec(3, {0x02, 0x00, 0x00}),
                     sec(10, {0x02, 0x04, 0x00, 0x41, 0x01, 0x1A, 0x05, 0x00, 0x41, 0x01, 0x1A, 0x0B})})),
            "END opcode expected");
  // ... and one whose END is borrowed from the next section's id byte.
  EXPECT_EQ(err(mod({kType, kFunc1, sec(10, {0x01, 0x04, 0x00, 0x41, 0x01, 0x1A}), {0x0B, 0x03, 0x01, 0x01, 0x00}})),
            "section size mismatch");
}

TEST(DecoderCode, DataCountRequiredByMemoryInitAndDataDrop) {
  const Bytes mem = sec(5, {0x01, 0x00, 0x01});
  const Bytes data = sec(11, {0x01, 0x01, 0x00});
  const Bytes drop = {0x00, 0xFC, 0x09, 0x00, 0x0B};
  const Bytes init = {0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00, 0x0B};
  EXPECT_EQ(err(mod({kType, kFunc1, mem, code({drop}), data})), "data count section required");
  EXPECT_EQ(err(mod({kType, kFunc1, mem, code({init}), data})), "data count section required");
  EXPECT_TRUE(dec(mod({kType, kFunc1, mem, sec(12, {0x01}), code({drop}), data})).ok());
  EXPECT_TRUE(dec(mod({kType, kFunc1, mem, code({kEmptyBody}), data})).ok());
}

Bytes name_section(const Bytes& subsections) { return sec(0, cat({str("name"), subsections})); }

TEST(DecoderNames, ModuleFunctionAndLocalNames) {
  Bytes sub0 = sec(0, str("mod"));
  Bytes sub1 = sec(1, cat({{0x01, 0x00}, str("main")}));
  Bytes sub2 = sec(2, cat({{0x01, 0x00, 0x02, 0x00}, str("a"), {0x01}, str("b")}));
  auto r = dec(mod({kType, kFunc1, code({kEmptyBody}), name_section(cat({sub0, sub1, sub2}))}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  const ModuleIR& m = **r;
  EXPECT_EQ(m.module_name, "mod");
  EXPECT_EQ(m.func_names.at(0), "main");
  EXPECT_EQ(m.local_names.at(0).at(1), "b");
  EXPECT_EQ(m.func_display_name(0), "$main");
  EXPECT_EQ(m.func_display_name(7), "func[7]");
  EXPECT_EQ(m.sections.back().name, "custom:name");
}

TEST(DecoderNames, MalformedNameSectionIsIgnored) {
  Bytes good = sec(1, cat({{0x01, 0x00}, str("main")}));
  const Bytes bad_cases[] = {
      cat({good, Bytes{0x02, 0x05, 0x01}}),              // truncated local subsection
      cat({good, sec(1, cat({{0x01, 0x00}, str("x")}))}),  // duplicate subsection
      sec(1, cat({{0x01, 0x00}, Bytes{0x01, 0xFF}})),     // bad UTF-8
      sec(1, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F}),             // hostile count
      cat({good, Bytes{0x00}}),                           // subsection header cut off
  };
  for (const Bytes& bad : bad_cases) {
    auto r = dec(mod({kType, kFunc1, code({kEmptyBody}), name_section(bad)}));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_TRUE((*r)->func_names.empty());
    EXPECT_EQ((*r)->func_display_name(0), "func[0]");
  }
}

}  // namespace
}  // namespace vivarium::engine
