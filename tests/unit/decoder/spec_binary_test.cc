// Cross-checks the decoder against every binary module of the spec suite,
// converted by wabt's wast2json (a Debian package; the test skips without it):
// modules expected malformed must fail with the spec's message, all others
// (valid, invalid, unlinkable, ...) must decode. This does not depend on our
// own text parser, so it checks the decoder independently of it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/decoder/decoder.h"

namespace vivarium::engine {
namespace {

namespace fs = std::filesystem;

fs::path spec_dir() {
  if (const char* d = std::getenv("VIVARIUM_SPEC_DIR")) return d;
  // tests/unit/decoder/<this file> -> <repo>/../shared/wasm-spec-2.0
  std::error_code ec;
  const fs::path here = fs::absolute(fs::path(__FILE__), ec);
  return here.parent_path().parent_path().parent_path().parent_path().parent_path() / "shared" / "wasm-spec-2.0";
}

std::string find_wast2json() {
  const char* path = std::getenv("PATH");
  if (!path) return {};
  std::string p = path;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    fs::path cand = fs::path(p.substr(start, end - start)) / "wast2json";
    std::error_code ec;
    if (fs::is_regular_file(cand, ec)) return cand.string();
    start = end + 1;
  }
  return {};
}

std::vector<uint8_t> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(SpecBinary, MalformedModulesFailAndOthersDecode) {
  const fs::path dir = spec_dir();
  const std::string tool = find_wast2json();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "spec suite not found at " << dir << " (set VIVARIUM_SPEC_DIR)";
  if (tool.empty()) GTEST_SKIP() << "wast2json (Debian package wabt) not installed";

  const fs::path out = fs::temp_directory_path() / ("viv_spec_binary_" + std::to_string(::getpid()));
  fs::create_directories(out);
  int files = 0, unconvertible = 0, malformed_ok = 0, decoded_ok = 0;
  std::vector<std::string> failures;
  std::vector<fs::path> wasts;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wast") wasts.push_back(e.path());
  std::sort(wasts.begin(), wasts.end());

  for (const fs::path& wast : wasts) {
    const std::string stem = wast.stem().string();
    const fs::path sub = out / stem;
    fs::create_directories(sub);
    const fs::path json = sub / (stem + ".json");
    std::string cmd = "'" + tool + "' '" + wast.string() + "' -o '" + json.string() + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {  // a few files use syntax wabt cannot read
      ++unconvertible;
      continue;
    }
    ++files;
    std::ifstream in(json);
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << json;
    for (const auto& c : j["commands"]) {
      if (!c.contains("filename")) continue;
      const std::string type = c["type"];
      const std::string file = c["filename"];
      if (file.size() < 5 || file.substr(file.size() - 5) != ".wasm") continue;  // text modules
      const std::string where = stem + ".wast:" + std::to_string(c["line"].get<int>());
      auto bytes = read_file(sub / file);
      auto r = decode(bytes);
      if (type == "assert_malformed") {
        const std::string want = c["text"];
        if (r.ok()) {
          failures.push_back(where + ": decoded, expected malformed \"" + want + "\"");
        } else if (r.error().message().rfind(want, 0) != 0) {
          failures.push_back(where + ": got \"" + r.error().message() + "\", expected \"" + want + "\"");
        } else if (r.error().phase() != vivarium::Phase::Malformed) {
          failures.push_back(where + ": not a Malformed-phase error");
        } else {
          ++malformed_ok;
        }
      } else if (!r.ok() && type == "assert_invalid" && r.error().message() == "data count section required") {
        // wabt leaves out the data count section of a text module that uses
        // data.drop/memory.init without data segments; the reference encoder
        // writes one, so the spec expects "unknown data segment" there.
        ++decoded_ok;
      } else if (!r.ok()) {
        failures.push_back(where + " (" + type + "): " + r.error().message() + " at offset " +
                           std::to_string(r.error().where().offset));
      } else {
        ++decoded_ok;
      }
    }
  }
  std::error_code ec;
  fs::remove_all(out, ec);
  for (size_t i = 0; i < failures.size() && i < 60; ++i) ADD_FAILURE() << failures[i];
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures";
  std::printf("spec binary: %d files (%d unconvertible), %d malformed rejected, %d decoded, %zu failed\n", files,
              unconvertible, malformed_ok, decoded_ok, failures.size());
  EXPECT_GT(files, 100);
  EXPECT_GT(malformed_ok, 700);
}

}  // namespace
}  // namespace vivarium::engine
