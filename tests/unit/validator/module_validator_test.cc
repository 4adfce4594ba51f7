#include <gtest/gtest.h>

#include "tests/unit/validator/builders.h"

namespace vivarium::engine::test {
namespace {

void expect_error(const Result<void>& r, ErrorCode code, const std::string& text) {
  ASSERT_FALSE(r.ok()) << "expected failure: " << text;
  EXPECT_EQ(r.error().code(), code) << r.error().to_string();
  EXPECT_NE(r.error().message().find(text), std::string::npos) << r.error().to_string();
}

struct ModuleValidatorTest : ::testing::Test {
  ModuleIR m;
  // Appends raw bytes to the module and returns their span (for constant
  // expressions and function bodies).
  Span bytes(std::initializer_list<uint8_t> b) {
    Span s;
    s.begin = static_cast<uint32_t>(m.bytes.size());
    m.bytes.insert(m.bytes.end(), b);
    s.end = static_cast<uint32_t>(m.bytes.size());
    return s;
  }
  ConstExpr expr(std::initializer_list<uint8_t> b) { return ConstExpr{bytes(b)}; }
  void import_global(ValType t, bool mut) {
    Import im;
    im.kind = ExternKind::Global;
    im.global = GlobalType{t, mut};
    m.imports.push_back(im);
    ++m.num_imported_globals;
  }
  Result<void> validate() { return validate_module(m, true); }
};

TEST_F(ModuleValidatorTest, EmptyModuleIsValid) { EXPECT_TRUE(validate().ok()); }

TEST_F(ModuleValidatorTest, MemoryLimits) {
  m.memories.push_back(MemoryType{Limits{65537, false, 0}});
  expect_error(validate(), ErrorCode::Invalid, "memory size must be at most 65536 pages (4GiB)");
  m.memories[0] = MemoryType{Limits{1, true, 65537}};
  expect_error(validate(), ErrorCode::Invalid, "memory size must be at most 65536 pages (4GiB)");
  m.memories[0] = MemoryType{Limits{2, true, 1}};
  expect_error(validate(), ErrorCode::Invalid, "size minimum must not be greater than maximum");
  m.memories[0] = MemoryType{Limits{65536, true, 65536}};
  EXPECT_TRUE(validate().ok());
}

TEST_F(ModuleValidatorTest, TableLimitsAndImportedLimits) {
  m.tables.push_back(TableType{funcref, Limits{3, true, 2}});
  expect_error(validate(), ErrorCode::Invalid, "size minimum must not be greater than maximum");
  m.tables.clear();
  Import im;
  im.kind = ExternKind::Memory;
  im.memory = MemoryType{Limits{0, true, 70000}};
  im.offset = 42;
  m.imports.push_back(im);
  m.num_imported_memories = 1;
  auto r = validate();
  expect_error(r, ErrorCode::Invalid, "memory size must be at most 65536 pages");
  EXPECT_EQ(r.error().where().offset, 42u);
}

TEST_F(ModuleValidatorTest, MultipleMemories) {
  Import im;
  im.kind = ExternKind::Memory;
  m.imports.push_back(im);
  m.num_imported_memories = 1;
  m.memories.push_back(MemoryType{});
  expect_error(validate(), ErrorCode::Invalid, "multiple memories");
}

TEST_F(ModuleValidatorTest, TypeIndicesOfImportsAndFunctions) {
  Import im;
  im.kind = ExternKind::Func;
  im.type_index = 0;
  m.imports.push_back(im);
  m.num_imported_funcs = 1;
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown type 0");
  add_type(m, {}, {});
  EXPECT_TRUE(validate().ok());
  add_func(m, 5);
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown type 5");
}

TEST_F(ModuleValidatorTest, Exports) {
  uint32_t t = add_type(m, {}, {});
  uint32_t f = add_func(m, t);
  m.funcs[f].body = bytes({0x0B});
  m.exports.push_back(Export{"a", ExternKind::Func, 0});
  m.exports.push_back(Export{"b", ExternKind::Func, 0});
  EXPECT_TRUE(validate().ok());
  m.exports.push_back(Export{"a", ExternKind::Func, 0});
  expect_error(validate(), ErrorCode::Invalid, "duplicate export name");
  m.exports.pop_back();
  m.exports.push_back(Export{"c", ExternKind::Func, 1});
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown function 1");
  m.exports.back() = Export{"c", ExternKind::Memory, 0};
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown memory 0");
  m.exports.back() = Export{"c", ExternKind::Global, 0};
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown global 0");
  m.exports.back() = Export{"c", ExternKind::Table, 0};
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown table 0");
}

TEST_F(ModuleValidatorTest, StartFunction) {
  uint32_t t = add_type(m, {i32}, {});
  add_func(m, t);
  m.funcs[0].body = bytes({0x0B});
  m.start = 0;
  expect_error(validate(), ErrorCode::Invalid, "start function");
  m.start = 1;
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown function 1");
  m.types[t].params.clear();
  m.start = 0;
  EXPECT_TRUE(validate().ok());
}

TEST_F(ModuleValidatorTest, GlobalInitializers) {
  m.globals.push_back(Global{GlobalType{i32, false}, expr({0x41, 0x00, 0x0B})});  // i32.const 0
  EXPECT_TRUE(validate().ok());
  m.globals[0].init = expr({0x42, 0x00, 0x0B});  // i64.const 0
  expect_error(validate(), ErrorCode::TypeMismatch, "type mismatch");
  m.globals[0].init = expr({0x0B});  // empty
  expect_error(validate(), ErrorCode::TypeMismatch, "type mismatch");
  m.globals[0].init = expr({0x41, 0x00, 0x41, 0x00, 0x0B});  // two values
  expect_error(validate(), ErrorCode::TypeMismatch, "type mismatch");
  m.globals[0].init = expr({0x41, 0x00, 0x41, 0x00, 0x6A, 0x0B});  // i32.add
  expect_error(validate(), ErrorCode::Invalid, "constant expression required");
  m.globals[0].init = expr({0x23, 0x00, 0x0B});  // global.get 0: itself, not imported
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown global 0");
}

TEST_F(ModuleValidatorTest, GlobalGetOfImportedGlobals) {
  import_global(i32, false);
  import_global(i32, true);
  m.globals.push_back(Global{GlobalType{i32, false}, expr({0x23, 0x00, 0x0B})});
  EXPECT_TRUE(validate().ok());
  m.globals[0].init = expr({0x23, 0x01, 0x0B});
  expect_error(validate(), ErrorCode::Invalid, "constant expression required");
  m.globals[0].init = expr({0x23, 0x02, 0x0B});  // the defined global itself
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown global 2");
}

TEST_F(ModuleValidatorTest, RefFuncInitializerAndDeclaration) {
  uint32_t t = add_type(m, {}, {});
  add_func(m, t);
  // Function 0 takes a reference to itself: declared by the global below.
  m.funcs[0].body = bytes({0xD2, 0x00, 0x1A, 0x0B});  // ref.func 0; drop; end
  expect_error(validate(), ErrorCode::Invalid, "undeclared function reference");
  m.globals.push_back(Global{GlobalType{funcref, false}, expr({0xD2, 0x00, 0x0B})});
  EXPECT_TRUE(validate().ok());
  m.globals[0].init = expr({0xD2, 0x07, 0x0B});
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown function 7");
}

TEST_F(ModuleValidatorTest, ElementSegments) {
  uint32_t t = add_type(m, {}, {});
  add_func(m, t);
  m.funcs[0].body = bytes({0x0B});
  ElemSegment seg;
  seg.offset = expr({0x41, 0x00, 0x0B});
  seg.func_indices = {0};
  m.elems.push_back(seg);
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown table 0");
  m.tables.push_back(TableType{externref, {}});
  expect_error(validate(), ErrorCode::TypeMismatch, "type mismatch");
  m.tables[0].elem = funcref;
  EXPECT_TRUE(validate().ok());
  m.elems[0].func_indices = {1};
  expect_error(validate(), ErrorCode::UnknownIndex, "unknown function 1");
  m.elems[0].func_indices = {0};
  m.elems[0].offset = expr({0x42, 0x00, 0x0B});
  expect_error(validate(), ErrorCode::TypeMismatch, "type mismatch");
  // Expression elements must have the segment's type.
  ElemSegment pass;
  pass.mode = ElemSegment::Passive;
  pass.type = externref;
  pass.uses_exprs = true;
  pass.exprs = {expr({0xD0, 0x6F, 0x0B})};  // ref.null extern
  m.elems[0].offset = expr({0x41, 0x00, 0x0B});
  m.elems.push_back(pass);
  EXPECT_TRUE(validate().ok());
  m.elems[1].exprs.push_back(expr({0xD2, 0x00, 0x0B}));  // ref.func 0 is a funcref
  expect_error(validate(), ErrorCode::TypeMismatch, "type mismatch");
}

TEST_F(ModuleValidatorTest, DataSegments) {
  DataSegment d;
  d.offset = expr({0x41, 0x00, 0x0B});
  d.offset_in_module = 77;
  m.datas.push_back(d);
  auto r = validate();
  expect_error(r, ErrorCode::UnknownIndex, "unknown memory 0");
  EXPECT_EQ(r.error().where().offset, 77u);
  m.memories.push_back(MemoryType{});
  EXPECT_TRUE(validate().ok());
  m.datas[0].offset = expr({0x43, 0, 0, 0, 0, 0x0B});  // f32.const
  expect_error(validate(), ErrorCode::TypeMismatch, "type mismatch");
  m.datas[0].mode = DataSegment::Passive;  // passive segments have no offset
  EXPECT_TRUE(validate().ok());
}

TEST_F(ModuleValidatorTest, BodiesAreValidatedOnlyWhenAsked) {
  uint32_t t = add_type(m, {}, {});
  add_func(m, t);
  m.funcs[0].body = bytes({0x20, 0x00, 0x1A, 0x0B});  // local.get 0; drop; end
  EXPECT_TRUE(validate_module(m, false).ok());
  auto r = validate_module(m, true);
  expect_error(r, ErrorCode::UnknownIndex, "unknown local 0");
  EXPECT_EQ(r.error().where().offset, m.funcs[0].body.begin);
  EXPECT_EQ(r.error().where().function, m.func_display_name(0));
}

}  // namespace
}  // namespace vivarium::engine::test
