// Printer round trip over the spec suite: every function of every text module
// is printed, reassembled with wat_to_binary, and must encode to the same code
// bytes. Exercises the printer and the parser on each instruction form the
// suite uses. Skips when the suite is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/decoder/decoder.h"
#include "engine/text/printer.h"
#include "engine/text/wast.h"
#include "engine/text/wat.h"

namespace fs = std::filesystem;

namespace {

fs::path spec_dir() {
  if (const char* e = std::getenv("VIVARIUM_SPEC_DIR")) return e;
  return fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path().parent_path() / "shared" /
         "wasm-spec-2.0";
}

std::string functype_text(const vivarium::FuncType& ft) {
  std::string s = "(func";
  if (!ft.params.empty()) {
    s += " (param";
    for (auto t : ft.params) s += std::string(" ") + vivarium::to_string(t);
    s += ")";
  }
  if (!ft.results.empty()) {
    s += " (result";
    for (auto t : ft.results) s += std::string(" ") + vivarium::to_string(t);
    s += ")";
  }
  return s + ")";
}

// Types and function imports (by name, so `call $f` resolves), then every
// defined function as printed.
std::string reassemble(const vivarium::engine::ModuleIR& m) {
  std::string s = "(module\n";
  for (const auto& ft : m.types) s += "(type " + functype_text(ft) + ")\n";
  uint32_t fi = 0;
  for (const auto& im : m.imports) {
    if (im.kind != vivarium::ExternKind::Func) continue;
    std::string name;
    auto it = m.func_names.find(fi);
    if (it != m.func_names.end()) {
      bool ok = !it->second.empty();
      for (unsigned char c : it->second) ok &= c > 0x20 && c < 0x7F && c != '"' && c != '(' && c != ')' && c != ';' && c != ',';
      if (ok) name = " $" + it->second;
    }
    s += "(import \"m\" \"f\" (func" + name + " (type " + std::to_string(im.type_index) + ")))\n";
    ++fi;
  }
  for (uint32_t i = 0; i < m.funcs.size(); ++i) s += vivarium::engine::print_function(m, i);
  return s + ")\n";
}

}  // namespace

TEST(PrinterRoundTrip, SpecSuiteFunctionsReassembleIdentically) {
  fs::path dir = spec_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "spec suite not found at " << dir;
  size_t funcs = 0, modules = 0;
  for (auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".wast") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto script = vivarium::engine::parse_wast(ss.str(), e.path().string());
    ASSERT_TRUE(script.ok()) << script.error().to_string();
    for (const auto& c : script->commands) {
      if (c.form != vivarium::engine::Command::Text || c.encode_failed) continue;
      auto m = vivarium::engine::decode(c.binary);
      if (!m.ok()) continue;
      const vivarium::engine::ModuleIR& mod = **m;
      std::string text = reassemble(mod);
      auto again_bin = vivarium::engine::wat_to_binary(text, "reprinted.wat");
      if (!again_bin.ok()) {
        ADD_FAILURE() << e.path().filename() << ":" << c.line << ": reprinted module does not parse: "
                      << again_bin.error().to_string() << "\n" << text.substr(0, 2000);
        continue;
      }
      auto again = vivarium::engine::decode(again_bin.value());
      ASSERT_TRUE(again.ok()) << again.error().to_string();
      ASSERT_EQ((*again)->funcs.size(), mod.funcs.size());
      ++modules;
      for (size_t i = 0; i < mod.funcs.size(); ++i) {
        auto a = mod.span(mod.funcs[i].body);
        auto b = (*again)->span((*again)->funcs[i].body);
        ++funcs;
        if (!std::equal(a.begin(), a.end(), b.begin(), b.end())) {
          ADD_FAILURE() << e.path().filename() << ":" << c.line << ": function " << i << " differs after printing:\n"
                        << vivarium::engine::print_function(mod, static_cast<uint32_t>(i));
        }
      }
    }
  }
  std::printf("printer round trip: %zu functions in %zu modules\n", funcs, modules);
  EXPECT_GT(funcs, 0u);
}
