#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "fixtures.h"
#include "test_util.h"

namespace vivarium::testing {
namespace {

TEST(Module, CompileDescribesImportsAndExports) {
  Module m = compile_or_die(kHost);
  ASSERT_EQ(m.imports().size(), 3u);
  EXPECT_EQ(m.imports()[0].module, "env");
  EXPECT_EQ(m.imports()[0].name, "add");
  EXPECT_EQ(m.imports()[0].kind, ExternKind::Func);
  EXPECT_EQ(m.imports()[0].func.to_string(), "(i32, i32) -> (i32)");
  EXPECT_EQ(m.imports()[1].func.to_string(), "() -> (i64, f32)");
  ASSERT_EQ(m.exports().size(), 3u);
  EXPECT_EQ(m.exports()[1].name, "call_pair");
  EXPECT_EQ(m.exports()[1].index, 4u);  // after three imported functions
  EXPECT_EQ(m.exports()[1].func.to_string(), "() -> (i64, f32)");
}

TEST(Module, ExportTypesOfEveryKind) {
  Module m = compile_or_die(kPassive);
  bool saw_table = false, saw_mem = false;
  for (const ExportDesc& e : m.exports()) {
    if (e.name == "t") {
      saw_table = true;
      EXPECT_EQ(e.kind, ExternKind::Table);
      EXPECT_EQ(e.table.limits.min, 3u);
    }
    if (e.name == "mem") {
      saw_mem = true;
      EXPECT_EQ(e.kind, ExternKind::Memory);
      EXPECT_EQ(e.memory.limits.min, 1u);
    }
  }
  EXPECT_TRUE(saw_table && saw_mem);
}

TEST(Module, FunctionNamesComeFromTheNameSection) {
  Module m = compile_or_die(kNames);
  EXPECT_EQ(m.function_name(0), "alpha");
  EXPECT_EQ(m.function_name(1), "beta");
  EXPECT_EQ(m.function_name(7), "");
}

TEST(Module, MalformedErrorsCarryTheFileName) {
  std::vector<uint8_t> bad(std::begin(kAdd), std::end(kAdd));
  bad[1] = 'X';  // breaks the magic
  CompileOptions opts;
  opts.file = "bad.wasm";
  auto m = Module::compile(bad, opts);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().phase(), Phase::Malformed);
  EXPECT_EQ(m.error().where().file, "bad.wasm");
  EXPECT_NE(m.error().to_string().find("bad.wasm"), std::string::npos);
}

TEST(Module, InvalidBodyFailsCompileAndValidate) {
  // kAdd with i32.add (0x6a) replaced by i64.add (0x7c): a type mismatch.
  std::vector<uint8_t> bad(std::begin(kAdd), std::end(kAdd));
  bool patched = false;
  for (size_t i = 0; i + 1 < bad.size(); ++i) {
    if (bad[i] == 0x6a && bad[i + 1] == 0x0b) {
      bad[i] = 0x7c;
      patched = true;
      break;
    }
  }
  ASSERT_TRUE(patched);
  auto m = Module::compile(bad, {.file = "t.wasm"});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().phase(), Phase::Invalid);
  EXPECT_EQ(m.error().where().file, "t.wasm");
  auto v = Module::validate(bad);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().phase(), Phase::Invalid);
  EXPECT_TRUE(Module::validate(kAdd).ok());
}

TEST(Module, LoadFileSniffsBinary) {
  std::string path = ::testing::TempDir() + "/viv_module_test.wasm";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(kAdd), sizeof kAdd);
  }
  auto m = Module::load_file(path);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->exports().size(), 1u);
  EXPECT_EQ(m->bytes().size(), sizeof kAdd);
  std::remove(path.c_str());
}

TEST(Module, LoadFileParsesTextWhenThereIsNoMagic) {
  std::string path = ::testing::TempDir() + "/viv_module_test.wat";
  {
    std::ofstream out(path);
    out << "(module (func (export \"seven\") (result i32) i32.const 7))\n";
  }
  auto m = Module::load_file(path);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  Store store;
  Instance inst = value_or_die(Linker().instantiate(store, *m));
  EXPECT_EQ(call_or_die(inst, "seven")[0].i32(), 7);
  std::remove(path.c_str());
}

TEST(Module, TextErrorsCarryFileLineAndColumn) {
  auto m = Module::from_text("(module\n  (func (bogus)))", {.file = "x.wat"});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().phase(), Phase::Malformed);
  EXPECT_EQ(m.error().where().file, "x.wat");
  EXPECT_EQ(m.error().where().line, 2u);
  EXPECT_GT(m.error().where().column, 0u);
}

TEST(Module, LoadFileMissingIsNotFound) {
  auto m = Module::load_file("/nonexistent/dir/x.wasm");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), ErrorCode::NotFound);
  EXPECT_EQ(m.error().where().file, "/nonexistent/dir/x.wasm");
}

TEST(Module, SectionsAreListed) {
  Module m = compile_or_die(kAdd);
  bool has_code = false;
  for (const SectionInfo& s : m.sections()) has_code |= s.name == "code";
  EXPECT_TRUE(has_code);
}

}  // namespace
}  // namespace vivarium::testing
