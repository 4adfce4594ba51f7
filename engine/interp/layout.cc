// The descriptor view of layouts.def (for the encoder and the disassembler).
#include "engine/interp/layout.h"

#include <initializer_list>

namespace vivarium::engine::interp {
namespace {

using detail::kLayouts;

// Every field lies inside its instruction, after the handler Word.
constexpr bool fields_inside() {
  for (const LayoutDesc& l : kLayouts)
    for (uint8_t i = 0; i < l.nfields; ++i) {
      const FieldDesc& f = l.fields[i];
      const uint32_t end = f.word + (f.kind == FieldKind::Imm64 ? 2u : 1u);
      if (f.kind != FieldKind::Trap && (f.word == 0 || end > l.words)) return false;
      if (f.kind == FieldKind::Trap && f.word >= l.words) return false;
    }
  return true;
}
static_assert(fields_inside(), "a layouts.def field lies outside its instruction");

// A Targets field is its row's last Word: the targets follow it.
constexpr bool targets_last() {
  for (const LayoutDesc& l : kLayouts)
    if (l.targets >= 0 && l.fields[static_cast<size_t>(l.targets)].word + 1u != l.words) return false;
  return true;
}
static_assert(targets_last(), "a layouts.def Targets field is not its row's last Word");

std::string rel_text(int32_t rel) { return (rel >= 0 ? "+" : "") + std::to_string(rel); }

}  // namespace

std::string describe(const Word* pc, LayoutId id) {
  const LayoutDesc& l = layout_desc(id);
  std::string out;
  for (uint8_t i = 0; i < l.nfields; ++i) {
    const FieldDesc& f = l.fields[i];
    std::string v;
    switch (f.kind) {
      case FieldKind::Slot: v = std::to_string(pc[f.word].u32); break;
      case FieldKind::Lo: v = std::to_string(pc[f.word].u32 & 0xFFFF); break;
      case FieldKind::Hi: v = std::to_string(pc[f.word].u32 >> 16); break;
      case FieldKind::Imm64: v = std::to_string(imm64(pc, f.word)); break;
      case FieldKind::Rel: v = rel_text(pc[f.word].i32); break;
      case FieldKind::Targets:
        v = std::to_string(pc[f.word].u32) + " [";
        for (uint32_t k = 0; k <= pc[f.word].u32; ++k) v += (k ? " " : "") + rel_text(pc[l.words + k].i32);
        v += "]";
        break;
      case FieldKind::Trap: continue;
    }
    if (!out.empty()) out += ' ';
    out += std::string(f.name) + "=" + v;
  }
  return out;
}

}  // namespace vivarium::engine::interp
