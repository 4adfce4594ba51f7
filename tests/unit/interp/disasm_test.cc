// The layout-driven disassembler (engine/interp/disasm.h): the catalog names
// every handler with one layout, and the walk over every lowered function of
// every spec-suite module names each instruction and lands exactly on the
// function's end (a catalog entry or a layouts.def row whose length is not
// what the encoder wrote fails it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/decoder/decoder.h"
#include "engine/interp/disasm.h"
#include "engine/interp/interp.h"
#include "engine/text/wast.h"
#include "lowering_test_util.h"

namespace fs = std::filesystem;
using namespace vivarium::engine;

namespace {

fs::path spec_dir() {
  if (const char* e = std::getenv("VIVARIUM_SPEC_DIR")) return e;
  return fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path().parent_path() / "shared" /
         "wasm-spec-2.0";
}

TEST(InterpDisasm, CatalogHasOneLayoutPerHandler) {
  EXPECT_GT(interp::handler_catalog_size(), 500u);
  for (const std::string& c : interp::handler_catalog_conflicts()) ADD_FAILURE() << "conflict: " << c;
}

TEST(InterpDisasm, BrTableTargetsAreWalked) {
  const CompiledFuncPtr cf = test::lower_wat(R"((module (func (param i32) (result i32)
    (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 1))) (return (i32.const 2)))
    (i32.const 3))))",
                                             0);
  ASSERT_TRUE(cf);
  auto lines = interp::disassemble(*cf);
  ASSERT_TRUE(lines.ok()) << lines.error().to_string();
  ASSERT_FALSE(lines->empty());
  EXPECT_EQ((*lines)[0].info->name, "br_table");
  EXPECT_EQ((*lines)[0].words, 3u + 3u);  // the row, then n + 1 = 3 targets
  EXPECT_NE((*lines)[0].fields.find("n=2 ["), std::string::npos) << (*lines)[0].fields;
  EXPECT_EQ(lines->back().at + lines->back().words, cf->code_words);
}

TEST(InterpDisasm, EverySpecFunctionWalksToItsEnd) {
  const fs::path dir = spec_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "spec suite not found at " << dir << " (set VIVARIUM_SPEC_DIR)";
  size_t funcs = 0, instructions = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".wast") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto script = parse_wast(ss.str(), e.path().string());
    ASSERT_TRUE(script.ok()) << script.error().to_string();
    for (const Command& c : script->commands) {
      if (c.form == Command::None || c.form == Command::Quote || c.encode_failed) continue;
      if (c.kind != Command::Module && c.kind != Command::AssertUnlinkable && c.kind != Command::AssertUninstantiable &&
          c.kind != Command::AssertTrap)
        continue;
      auto m = decode(c.binary);
      if (!m.ok()) continue;
      for (uint32_t i = 0; i < (*m)->funcs.size(); ++i) {
        auto cf = lower_function(**m, i);
        if (!cf.ok()) continue;  // invalid or unsupported: nothing to walk
        auto lines = interp::disassemble(**cf);
        ASSERT_TRUE(lines.ok()) << e.path().filename() << ":" << c.line << ": " << lines.error().to_string();
        uint32_t end = 0;
        for (const interp::DisasmLine& l : *lines) {
          ASSERT_EQ(l.at, end);
          end += l.words;
        }
        ASSERT_EQ(end, (*cf)->code_words) << e.path().filename() << ":" << c.line << " function " << i;
        ++funcs;
        instructions += lines->size();
      }
    }
  }
  EXPECT_GT(funcs, 5000u);
  std::printf("walked %zu functions, %zu instructions\n", funcs, instructions);
}

}  // namespace
