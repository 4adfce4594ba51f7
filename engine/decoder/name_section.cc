// The "name" custom section (spec 7.4.1): module, function and local names
// for error messages and backtraces. A custom section never makes a module
// malformed, so any defect here discards the whole section silently; names
// are committed to the module only after everything parsed.
#include <string>
#include <unordered_map>

#include "engine/decoder/decode_state.h"

namespace vivarium::engine::decoder {
namespace {

using NameMap = std::unordered_map<uint32_t, std::string>;

Result<void> read_name_map(Reader& r, NameMap& out) {
  VIV_TRY_ASSIGN(uint32_t n, r.u32());
  if (n > r.remaining()) return r.error(ErrorCode::UnexpectedEnd, "length out of bounds");
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    VIV_TRY_ASSIGN(uint32_t idx, r.u32());
    VIV_TRY_ASSIGN(std::string_view nm, r.name());
    out.insert_or_assign(idx, std::string(nm));
  }
  return {};
}

struct Names {
  std::string module;
  NameMap funcs;
  std::unordered_map<uint32_t, NameMap> locals;
};

Result<void> read_names(std::span<const uint8_t> contents, uint64_t base, Names& names) {
  Reader r(contents, base);
  int last_id = -1;
  while (!r.at_end()) {
    VIV_TRY_ASSIGN(uint8_t id, r.u8());
    VIV_TRY_ASSIGN(uint32_t size, r.u32());
    VIV_TRY_ASSIGN(auto sub_bytes, r.bytes(size));
    // Subsections are unique and ordered; a repeat means a damaged section.
    if (static_cast<int>(id) <= last_id) return r.error(ErrorCode::Malformed, "name subsection out of order");
    last_id = id;
    Reader sub(sub_bytes, r.offset() - size);
    switch (id) {
      case 0: {
        VIV_TRY_ASSIGN(std::string_view nm, sub.name());
        names.module.assign(nm);
        break;
      }
      case 1:
        VIV_TRY(read_name_map(sub, names.funcs));
        break;
      case 2: {
        VIV_TRY_ASSIGN(uint32_t n, sub.u32());
        if (n > sub.remaining()) return sub.error(ErrorCode::UnexpectedEnd, "length out of bounds");
        for (uint32_t i = 0; i < n; ++i) {
          VIV_TRY_ASSIGN(uint32_t func, sub.u32());
          VIV_TRY(read_name_map(sub, names.locals[func]));
        }
        break;
      }
      default:
        // Later proposals add subsections (labels, types, ...): skip them.
        sub.skip_to(sub.end());
        break;
    }
    if (!sub.at_end()) return sub.error(ErrorCode::Malformed, "name subsection size mismatch");
  }
  return {};
}

}  // namespace

void read_name_section(ModuleIR& m, std::span<const uint8_t> contents, uint64_t base_offset) {
  Names names;
  if (!read_names(contents, base_offset, names).ok()) return;
  m.module_name = std::move(names.module);
  m.func_names = std::move(names.funcs);
  m.local_names = std::move(names.locals);
}

}  // namespace vivarium::engine::decoder
