// Cross-checks the text parser against wabt's wast2json on the whole spec
// suite: every text module must encode to the same bytes as wabt's (custom
// sections ignored), every quoted module wabt rejects must be rejected too, and
// the constants of assert_return/invoke must have the same bits. Skips when
// wast2json or the spec suite is absent.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/text/wast.h"
#include "engine/text/wat.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

fs::path spec_dir() {
  if (const char* e = std::getenv("VIVARIUM_SPEC_DIR")) return e;
  // tests/unit/text/<this file> -> repository root -> ../shared/wasm-spec-2.0
  return fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path().parent_path() / "shared" /
         "wasm-spec-2.0";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Drops custom sections (id 0): wabt writes none by default, we write "name".
std::vector<uint8_t> strip_custom(const std::vector<uint8_t>& b) {
  if (b.size() < 8) return b;
  std::vector<uint8_t> out(b.begin(), b.begin() + 8);
  size_t i = 8;
  while (i < b.size()) {
    size_t start = i;
    uint8_t id = b[i++];
    uint64_t size = 0;
    int shift = 0;
    while (i < b.size()) {
      uint8_t x = b[i++];
      size |= static_cast<uint64_t>(x & 0x7F) << shift;
      shift += 7;
      if (!(x & 0x80)) break;
    }
    size_t end = std::min(b.size(), i + static_cast<size_t>(size));
    if (id != 0) out.insert(out.end(), b.begin() + start, b.begin() + end);
    i = end;
  }
  return out;
}

std::string hex_diff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  std::ostringstream o;
  o << "first difference at byte " << i << " (ours " << a.size() << " bytes, wabt " << b.size() << ")";
  return o.str();
}

// Places where we deliberately differ from wabt 1.0.33 (file, line of the
// command as wast2json reports it).
struct KnownDifference {
  const char* file;
  uint32_t line;
  const char* why;
};
const KnownDifference kKnown[] = {
    // wabt truncates hex floats that round into the subnormal range; we round
    // to nearest even as the spec requires (0x1.fffffffffffffp-1023 is a tie).
    {"simd_lane.wast", 164, "subnormal hex float rounding"},
    {"simd_lane.wast", 165, "subnormal hex float rounding"},
    {"simd_lane.wast", 265, "subnormal hex float rounding"},
    {"simd_lane.wast", 266, "subnormal hex float rounding"},
    {"simd_lane.wast", 281, "subnormal hex float rounding"},
    {"simd_lane.wast", 282, "subnormal hex float rounding"},
    // `select (result)` with no types: we keep the typed form (0x1C 0x00) so
    // the validator reports "invalid result arity" as the spec expects.
    {"select.wast", 324, "select with empty result list"},
    // data.drop/memory.init without data segments: we still emit the data
    // count section, so validation reports "unknown data segment".
    {"memory_init.wast", 190, "data count section"},
    {"memory_init.wast", 227, "data count section"},
};

bool known_difference(const fs::path& f, uint32_t line) {
  for (const auto& k : kKnown)
    if (f.filename() == k.file && line == k.line) return true;
  return false;
}

bool have_wast2json() { return std::system("command -v wast2json >/dev/null 2>&1") == 0; }

// Bits of a value as wast2json writes it ("value": decimal string of the bits).
bool value_matches(const json& j, const vivarium::Value& v, std::string* why) {
  std::string type = j.value("type", "");
  std::string val = j.contains("value") && j["value"].is_string() ? j["value"].get<std::string>() : "";
  auto u64 = [&](const std::string& s) { return std::strtoull(s.c_str(), nullptr, 10); };
  if (type == "i32") return static_cast<uint32_t>(v.i32()) == static_cast<uint32_t>(u64(val));
  if (type == "i64") return static_cast<uint64_t>(v.i64()) == u64(val);
  if (type == "f32") return val.rfind("nan:", 0) == 0 || v.f32_bits() == static_cast<uint32_t>(u64(val));
  if (type == "f64") return val.rfind("nan:", 0) == 0 || v.f64_bits() == u64(val);
  if (type == "v128") {
    std::string lt = j.value("lane_type", "");
    unsigned bits = lt == "i8" ? 8 : lt == "i16" ? 16 : (lt == "i32" || lt == "f32") ? 32 : 64;
    const auto& lanes = j["value"];
    for (size_t i = 0; i < lanes.size(); ++i) {
      std::string s = lanes[i].get<std::string>();
      if (s.rfind("nan:", 0) == 0) continue;
      uint64_t want = u64(s), got = 0;
      for (unsigned k = 0; k < bits / 8; ++k) got |= static_cast<uint64_t>(v.v128().bytes[i * bits / 8 + k]) << (8 * k);
      if (want != got) {
        if (why) *why = "lane " + std::to_string(i);
        return false;
      }
    }
    return true;
  }
  return true;  // references: compared structurally elsewhere
}

}  // namespace

TEST(TextSpecCrossCheck, MatchesWast2json) {
  fs::path dir = spec_dir();
  if (!fs::is_directory(dir)) GTEST_SKIP() << "spec suite not found at " << dir;
  if (!have_wast2json()) GTEST_SKIP() << "wast2json not installed";
  fs::path tmp = fs::temp_directory_path() / ("viv_text_xcheck_" + std::to_string(getpid()));
  fs::create_directories(tmp);

  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wast") files.push_back(e.path());
  std::sort(files.begin(), files.end());

  size_t modules = 0, equal = 0, malformed_checked = 0, values = 0, wabt_failed = 0, wasm2wat_checked = 0;
  const bool wasm2wat = std::system("command -v wasm2wat >/dev/null 2>&1") == 0;
  for (const fs::path& f : files) {
    std::string stem = f.stem().string();
    fs::path jpath = tmp / (stem + ".json");
    std::string cmd = "wast2json --disable-code-metadata '" + f.string() + "' -o '" + jpath.string() + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      cmd = "wast2json '" + f.string() + "' -o '" + jpath.string() + "' >/dev/null 2>&1";
      if (std::system(cmd.c_str()) != 0) {
        ++wabt_failed;
        continue;
      }
    }
    json j = json::parse(read_file(jpath));
    auto script = vivarium::engine::parse_wast(read_file(f), f.string());
    ASSERT_TRUE(script.ok()) << f << ": " << script.error().to_string();
    // Commands correspond one to one and in order (wabt reports a module's
    // line rather than its command's, so lines cannot be the key).
    int per_file_wasm2wat = 0;
    const auto& jcmds = j["commands"];
    ASSERT_EQ(jcmds.size(), script->commands.size()) << f;
    for (size_t ci = 0; ci < jcmds.size(); ++ci) {
      const json& c = jcmds[ci];
      const vivarium::engine::Command* ours = &script->commands[ci];
      uint32_t line = c["line"].get<uint32_t>();
      std::string type = c["type"];
      if (known_difference(f, line)) continue;
      if (c.contains("filename")) {
        std::string fn = c["filename"];
        bool is_text = c.value("module_type", "binary") == "text";
        if (!is_text && ours->form == vivarium::engine::Command::Text) {
          ++modules;
          if (ours->encode_failed) {
            ADD_FAILURE() << f.filename() << ":" << line << ": " << type
                          << ": we failed to encode: " << ours->encode_error.to_string();
            continue;
          }
          std::string w = read_file(tmp / fn);
          std::vector<uint8_t> theirs = strip_custom(std::vector<uint8_t>(w.begin(), w.end()));
          std::vector<uint8_t> mine = strip_custom(ours->binary);
          if (mine == theirs) ++equal;
          else ADD_FAILURE() << f.filename() << ":" << line << ": " << type << ": " << hex_diff(mine, theirs);
          // The first modules of each file also go through wasm2wat, whose
          // flat output style (plain instructions, `(;0;)` comments) the
          // spec texts rarely use; parsing it must give the same module.
          if (type == "module" && wasm2wat && per_file_wasm2wat < 2) {
            ++per_file_wasm2wat;
            fs::path wat = tmp / "roundtrip.wat";
            std::string cmd2 = "wasm2wat --enable-all '" + (tmp / fn).string() + "' -o '" + wat.string() + "' 2>/dev/null";
            if (std::system(cmd2.c_str()) == 0) {
              ++wasm2wat_checked;
              auto r = vivarium::engine::wat_to_binary(read_file(wat), wat.string());
              if (!r.ok()) ADD_FAILURE() << f.filename() << ":" << line << ": wasm2wat output rejected: " << r.error().to_string();
              else EXPECT_EQ(strip_custom(r.value()), theirs) << f.filename() << ":" << line << ": wasm2wat output differs";
            }
          }
        } else if (is_text && type == "assert_malformed" && ours->form == vivarium::engine::Command::Quote) {
          ++malformed_checked;
          auto r = vivarium::engine::wat_to_binary(ours->quote, "quote");
          EXPECT_FALSE(r.ok()) << f.filename() << ":" << line << ": accepted malformed module, expected \""
                               << c.value("text", "") << "\"";
        }
      }
      if (c.contains("action") && c["action"].contains("args")) {
        const auto& args = c["action"]["args"];
        ASSERT_EQ(args.size(), ours->action.args.size()) << f.filename() << ":" << line;
        for (size_t i = 0; i < args.size(); ++i) {
          std::string why;
          ++values;
          EXPECT_TRUE(value_matches(args[i], ours->action.args[i].value, &why))
              << f.filename() << ":" << line << ": argument " << i << " " << why;
        }
      }
      if (type == "assert_return" && c.contains("expected")) {
        const auto& exp = c["expected"];
        ASSERT_EQ(exp.size(), ours->expected.size()) << f.filename() << ":" << line;
        for (size_t i = 0; i < exp.size(); ++i) {
          const vivarium::engine::Expected& e = ours->expected[i];
          std::string val = exp[i].contains("value") && exp[i]["value"].is_string() ? exp[i]["value"].get<std::string>() : "";
          ++values;
          if (val == "nan:canonical") EXPECT_EQ(e.kind, vivarium::engine::Expected::NanCanonical) << f.filename() << ":" << line;
          else if (val == "nan:arithmetic") EXPECT_EQ(e.kind, vivarium::engine::Expected::NanArithmetic) << f.filename() << ":" << line;
          else if (e.kind == vivarium::engine::Expected::Exact) {
            std::string why;
            EXPECT_TRUE(value_matches(exp[i], e.value, &why)) << f.filename() << ":" << line << ": result " << i << " " << why;
          }
        }
      }
    }
  }
  fs::remove_all(tmp);
  std::printf("cross-check: %zu/%zu modules byte-equal, %zu malformed quotes rejected, %zu values, "
              "%zu wasm2wat round trips, %zu files wast2json could not read\n",
              equal, modules, malformed_checked, values, wasm2wat_checked, wabt_failed);
  EXPECT_GT(modules, 0u);
}
