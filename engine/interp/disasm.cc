// The disassembler (disasm.h): a walk over a function's code, one layout
// (layouts.def) per handler Word, driven by the catalog (disasm_catalog.cc).
#include "engine/interp/disasm.h"

#include <cinttypes>
#include <cstdio>
#include <map>

#include "engine/interp/interp.h"

namespace vivarium::engine::interp {
namespace {

// The offset table (compiled.h: LEB128 pairs of deltas) as Word -> module offset.
std::map<uint32_t, uint64_t> offset_entries(const CompiledFunc& f) {
  std::map<uint32_t, uint64_t> out;
  const uint8_t* p = f.offset_table();
  const uint8_t* end = p + f.offset_table_bytes;
  auto leb = [&](bool sign) {
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b = 0x80;
    while (p < end && (b & 0x80)) {
      b = *p++;
      if (shift < 64) v |= uint64_t{b & 0x7Fu} << shift;
      shift += 7;
    }
    if (sign && shift < 64 && (b & 0x40)) v |= ~uint64_t{0} << shift;
    return v;
  };
  uint64_t word = 0, offset = 0;
  while (p < end) {
    word += leb(false);
    offset += leb(true);
    out.emplace(static_cast<uint32_t>(word), offset);
  }
  return out;
}

Error walk_error(const CompiledFunc& f, uint32_t at, const std::string& what) {
  vivarium::Location loc;
  loc.section = "code";
  if (f.module) loc.function = f.module->func_display_name(f.func_index);
  return Error(ErrorCode::Internal, "disassembly: " + what + " at Word " + std::to_string(at), loc);
}

}  // namespace

Result<std::vector<DisasmLine>> disassemble(const CompiledFunc& f) {
  const std::map<uint32_t, uint64_t> offsets = offset_entries(f);
  std::vector<DisasmLine> lines;
  const Word* code = f.code.get();
  uint32_t at = 0;
  while (at < f.code_words) {
    const HandlerInfo* hi = handler_info(handler_at(code + at));
    if (!hi) return walk_error(f, at, "a handler the catalog does not name");
    const LayoutDesc& l = layout_desc(hi->layout);
    if (at + l.words > f.code_words) return walk_error(f, at, hi->name + " (" + std::string(l.name) + ") overruns the code");
    const uint32_t words = instruction_words(code + at, hi->layout);
    if (at + words > f.code_words) return walk_error(f, at, hi->name + "'s targets overrun the code");
    const auto off = offsets.find(at);
    lines.push_back({at, words, hi, describe(code + at, hi->layout),
                     off == offsets.end() ? vivarium::Location::kNone : off->second});
    at += words;
  }
  return lines;
}

std::string format_disassembly(const std::vector<DisasmLine>& lines) {
  std::string out;
  char buf[64];
  for (const DisasmLine& d : lines) {
    std::snprintf(buf, sizeof buf, "  %6u  ", d.at);
    out += buf;
    out += d.info->name;
    out += std::string(d.info->name.size() < 24 ? 24 - d.info->name.size() : 1, ' ');
    out += d.fields;
    if (d.offset != vivarium::Location::kNone) {
      std::snprintf(buf, sizeof buf, "  @%#" PRIx64, d.offset);
      out += buf;
    }
    out += '\n';
  }
  return out;
}

Result<std::string> lowered_text(const ModuleIR& m, uint32_t defined_index) {
  auto cf = lower_function(m, defined_index);
  if (!cf.ok()) return std::move(cf).error();
  const CompiledFunc& f = **cf;
  auto lines = disassemble(f);
  if (!lines.ok()) return std::move(lines).error();
  return m.func_display_name(f.func_index) + ": " + std::to_string(f.code_words) + " Words, " +
         std::to_string(f.frame_slots) + " slots (" + std::to_string(f.local_slots) + " locals)\n" +
         format_disassembly(*lines);
}

}  // namespace vivarium::engine::interp
