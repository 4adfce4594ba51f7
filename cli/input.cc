#include "cli/input.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "engine/text/wat.h"

namespace vivarium::cli {

Result<std::vector<uint8_t>> read_file(const std::string& path) {
  Location loc;
  loc.file = path;
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) return Error(ErrorCode::Io, std::string("cannot open: ") + std::strerror(errno), loc);
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  bool failed = std::ferror(f) != 0;
  if (f != stdin) std::fclose(f);
  if (failed) return Error(ErrorCode::Io, "read error", loc);
  return out;
}

bool is_wasm_binary(const std::vector<uint8_t>& bytes) {
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
  return bytes.size() >= 4 && std::memcmp(bytes.data(), kMagic, 4) == 0;
}

Result<std::vector<uint8_t>> read_module_binary(const std::string& path) {
  VIV_TRY_ASSIGN(std::vector<uint8_t> bytes, read_file(path));
  if (is_wasm_binary(bytes)) return bytes;
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto bin = viv::wat_to_binary(text, path);
  if (!bin.ok()) {
    Error e = std::move(bin).error();
    if (e.where().file.empty()) e.where().file = path;
    return e;
  }
  return std::move(bin).value();
}

}  // namespace vivarium::cli
