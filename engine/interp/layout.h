// The layouts of the internal form (layouts.def), as the encoder, the
// handlers and the disassembler see them: one table, three views.
//  - Handlers read their operands through layout::<Name>::<field>(pc), so a
//    handler and the code the lowering emits for it cannot disagree.
//  - The encoder (code_buffer.h) writes field values in the row's order.
//  - describe() prints an instruction's fields by name.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "engine/interp/handler.h"

namespace vivarium::engine::interp {

enum class FieldKind : uint8_t { Slot, Lo, Hi, Imm64, Rel, Targets, Trap };
struct FieldDesc {
  std::string_view name;
  uint8_t word;
  FieldKind kind;
};
constexpr size_t kMaxLayoutFields = 8;
struct LayoutDesc {
  std::string_view name;
  uint8_t words;    // Words of the instruction, its handler Word included
  uint8_t nfields;
  std::array<FieldDesc, kMaxLayoutFields> fields;
  int result;       // index of the field named `d` (the result slot), or -1
  int rel;          // index of the field named `rel` (a branch target), or -1
  int targets;      // index of the Targets field (n + 1 Rel Words follow the row), or -1
};

enum class LayoutId : uint8_t {
#define VIV_LAYOUT(name, ...) name,
#include "engine/interp/layouts.def"
#undef VIV_LAYOUT
  kCount
};

namespace detail {
constexpr LayoutDesc make_layout(std::string_view name, uint8_t words, std::initializer_list<FieldDesc> fields) {
  LayoutDesc d{name, words, 0, {}, -1, -1, -1};
  for (const FieldDesc& f : fields) {
    if (f.name == "d") d.result = d.nfields;
    if (f.name == "rel") d.rel = d.nfields;
    if (f.kind == FieldKind::Targets) d.targets = d.nfields;
    d.fields[d.nfields++] = f;
  }
  return d;
}
// In the header so that the encoder, inlined with a constant layout,
// unrolls over its fields (the lowering encodes every instruction).
inline constexpr LayoutDesc kLayouts[] = {
#define VIV_F(f, w, kind) FieldDesc{#f, w, FieldKind::kind},
#define VIV_LAYOUT(Name, n, ...) make_layout(#Name, n, {__VA_ARGS__}),
#include "engine/interp/layouts.def"
#undef VIV_LAYOUT
#undef VIV_F
};
static_assert(sizeof(kLayouts) / sizeof(kLayouts[0]) == static_cast<size_t>(LayoutId::kCount));
}  // namespace detail

constexpr const LayoutDesc& layout_desc(LayoutId id) { return detail::kLayouts[static_cast<size_t>(id)]; }
// "a=3 b=4 d=7" for the instruction at `pc` in layout `id` (a Rel field as
// "rel=+12", a Trap field not at all, a Targets field as n=2 [+8 +12 +20]).
std::string describe(const Word* pc, LayoutId id);
// The Words of the instruction at `pc` in layout `id`: the row's, plus the
// targets of a Targets field.
inline uint32_t instruction_words(const Word* pc, LayoutId id) {
  const LayoutDesc& l = layout_desc(id);
  return l.targets < 0 ? l.words : l.words + pc[l.fields[static_cast<size_t>(l.targets)].word].u32 + 1;
}

// Handler-side accessors: layout::ab_d::a(pc), ..., layout::ab_d::kWords.
namespace layout {
#define VIV_LAYOUT_ACCESS_Slot(f, w) \
  static uint32_t f(const Word* pc) { return pc[w].u32; }
#define VIV_LAYOUT_ACCESS_Lo(f, w) \
  static uint32_t f(const Word* pc) { return pc[w].u32 & 0xFFFF; }
#define VIV_LAYOUT_ACCESS_Hi(f, w) \
  static uint32_t f(const Word* pc) { return pc[w].u32 >> 16; }
#define VIV_LAYOUT_ACCESS_Imm64(f, w) \
  static uint64_t f(const Word* pc) { return imm64(pc, w); }
#define VIV_LAYOUT_ACCESS_Rel(f, w) \
  static int32_t f(const Word* pc) { return pc[w].i32; }
#define VIV_LAYOUT_ACCESS_Targets(f, w) \
  static uint32_t f(const Word* pc) { return pc[w].u32; }
#define VIV_LAYOUT_ACCESS_Trap(f, w)
#define VIV_F(f, w, kind) VIV_LAYOUT_ACCESS_##kind(f, w)
#define VIV_LAYOUT(Name, n, ...)             \
  struct Name {                              \
    static constexpr uint32_t kWords = n;    \
    __VA_ARGS__                              \
  };
#include "engine/interp/layouts.def"
#undef VIV_LAYOUT
#undef VIV_F
#undef VIV_LAYOUT_ACCESS_Trap
#undef VIV_LAYOUT_ACCESS_Targets
#undef VIV_LAYOUT_ACCESS_Rel
#undef VIV_LAYOUT_ACCESS_Imm64
#undef VIV_LAYOUT_ACCESS_Hi
#undef VIV_LAYOUT_ACCESS_Lo
#undef VIV_LAYOUT_ACCESS_Slot
}  // namespace layout

}  // namespace vivarium::engine::interp
