// CodeBuffer: the code of one function being lowered, and its offset table
// (compiled.h), with the one encoder of layouts.def. The lowering emits plain
// instructions into it; the peephole stage (peephole.h) rewinds over what it
// fuses and encodes the superinstruction in its place.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <utility>
#include <vector>

#include "engine/interp/handler.h"
#include "engine/interp/layout.h"

namespace vivarium::engine::interp {

// A field an instruction writes its result through: a whole Word, or one
// half of a narrow layout's shared Word (a following local.set may retarget it).
struct Field {
  enum Half : uint8_t { kWhole, kLow, kHigh };
  uint32_t word = 0;
  Half half = kWhole;
};

// The value of a Trap field for "no entry" (the replaced instruction could not trap).
constexpr uint64_t kNoTrap = UINT64_MAX;

class CodeBuffer {
 public:
  std::vector<Word> code;
  // (Word index, module offset), ascending: see CompiledFunc::encode_offsets.
  std::vector<std::pair<uint32_t, uint32_t>> offsets;
  bool handler_out_of_range = false;  // see set_handler

  uint32_t pos() const { return static_cast<uint32_t>(code.size()); }
  // Appends an instruction of `words` Words running `h`, operands zeroed.
  uint32_t emit(Handler h, uint32_t words) {
    const uint32_t at = pos();
    // push_back inlines; resize's fill is an out-of-line call per instruction.
    if (code.capacity() - code.size() < words) code.reserve(std::max<size_t>(2 * code.capacity(), 64));
    for (uint32_t i = 0; i < words; ++i) code.push_back(Word{.u32 = 0});
    set_handler(at, h);
    return at;
  }
  // Makes the instruction at `at` run `h` (a new one, or a fused rewrite).
  void set_handler(uint32_t at, Handler h) {
    if (!encode_handler(h, code[at])) handler_out_of_range = true;
  }
  // Drops the code from Word `at` on, and the offset entries that named it:
  // a fusion re-emits it as part of a larger instruction.
  void rewind(uint32_t at) {
    code.resize(at);
    while (!offsets.empty() && offsets.back().first >= at) offsets.pop_back();
  }
  // Drops Words [from, to) from the middle of the code, and the offset
  // entries that named them (later entries move down with their Words): a
  // fusion that moves an earlier instruction into a later one.
  void remove(uint32_t from, uint32_t to);
  // The module offset of the entry for Word `word` (an instruction that can
  // trap or call starts there), or kNoTrap: the Trap value of a replaced
  // instruction.
  uint64_t trap_at(uint32_t word) const {
    for (auto it = offsets.rbegin(); it != offsets.rend() && it->first >= word; ++it)
      if (it->first == word) return it->second;
    return kNoTrap;
  }
  // Branch-target patching: the Rel Word `word` of the instruction starting
  // at `inst` (a layout's rel field, or one of a Targets field's targets)
  // jumps to `target`.
  void set_rel(uint32_t word, uint32_t inst, uint32_t target) {
    code[word].i32 = static_cast<int32_t>(target) - static_cast<int32_t>(inst);
  }
  // Rewrites field `f` (a result field encode_at reported) to `v`; false if
  // a half-Word field cannot hold it.
  bool put(Field f, uint32_t v) {
    if (f.half == Field::kWhole) {
      code[f.word].u32 = v;
      return true;
    }
    if (v > 0xFFFF) return false;
    const uint32_t shift = f.half == Field::kHigh ? 16 : 0;
    code[f.word].u32 = (code[f.word].u32 & ~(0xFFFFu << shift)) | (v << shift);
    return true;
  }
  // Whether `values` (in the order of layout `id`'s fields) fit it: a Lo/Hi
  // field holds 16 bits, a Slot or Rel field 32.
  static inline bool fits(LayoutId id, const uint64_t* v, size_t n);
  static bool fits(LayoutId id, std::initializer_list<uint64_t> values) {
    return fits(id, values.begin(), values.size());
  }
  // Rewinds to `at` and emits `h` there in layout `id` with `values`, adding
  // an offset entry per Trap field (kNoTrap: none); `result` receives field
  // d's place and `rel` the Word of field rel (a branch target, left 0 for
  // the caller to set with set_rel; a Targets field's targets follow the
  // row, zero too). False, with nothing changed, if the values do not fit.
  inline bool encode_at(uint32_t at, Handler h, LayoutId id, const uint64_t* v, size_t n, Field* result,
                        uint32_t* rel = nullptr);
  [[gnu::always_inline]] bool encode_at(uint32_t at, Handler h, LayoutId id, std::initializer_list<uint64_t> values,
                                        Field* result, uint32_t* rel = nullptr) {
    return encode_at(at, h, id, values.begin(), values.size(), result, rel);
  }
};

// An encoding a table row chose, written once the lowering has prepared the
// code for it (peephole.h: match_addr): handler, layout and field values.
struct Encoding {
  Handler h = nullptr;
  LayoutId id{};
  uint8_t n = 0;
  uint64_t values[kMaxLayoutFields] = {};
};

// Inline: the lowering encodes every instruction through these, mostly with
// a constant layout whose fields the compiler then unrolls.
[[gnu::always_inline]] inline bool CodeBuffer::fits(LayoutId id, const uint64_t* v, size_t n) {
  const LayoutDesc& l = layout_desc(id);
  if (n != l.nfields) return false;
  for (uint8_t i = 0; i < l.nfields; ++i) {
    switch (l.fields[i].kind) {
      case FieldKind::Lo:
      case FieldKind::Hi:
        if (v[i] > 0xFFFF) return false;
        break;
      case FieldKind::Slot:
      case FieldKind::Targets:
        if (v[i] > UINT32_MAX) return false;
        break;
      case FieldKind::Rel:
        if (static_cast<int64_t>(v[i]) != static_cast<int32_t>(v[i])) return false;
        break;
      case FieldKind::Imm64:
        break;
      case FieldKind::Trap:
        if (v[i] != kNoTrap && v[i] > UINT32_MAX) return false;
        break;
    }
  }
  return true;
}

[[gnu::always_inline]] inline bool CodeBuffer::encode_at(uint32_t at, Handler h, LayoutId id, const uint64_t* v, size_t n,
                                                        Field* result, uint32_t* rel) {
  if (!fits(id, v, n)) return false;
  rewind(at);
  const LayoutDesc& l = layout_desc(id);
  emit(h, l.words);
  for (uint8_t i = 0; i < l.nfields; ++i) {
    const FieldDesc& f = l.fields[i];
    Word& w = code[at + f.word];
    switch (f.kind) {
      case FieldKind::Slot: w.u32 = static_cast<uint32_t>(v[i]); break;
      case FieldKind::Targets:  // its n + 1 targets follow, zero until set_rel
        w.u32 = static_cast<uint32_t>(v[i]);
        code.resize(code.size() + v[i] + 1, Word{.u32 = 0});
        break;
      case FieldKind::Rel: w.i32 = static_cast<int32_t>(v[i]); break;
      case FieldKind::Lo: w.u32 = (w.u32 & 0xFFFF0000u) | static_cast<uint32_t>(v[i]); break;
      case FieldKind::Hi: w.u32 = (w.u32 & 0xFFFFu) | static_cast<uint32_t>(v[i]) << 16; break;
      case FieldKind::Imm64: std::memcpy(&w, &v[i], 8); break;
      case FieldKind::Trap:
        if (v[i] != kNoTrap) offsets.emplace_back(at + f.word, static_cast<uint32_t>(v[i]));
        break;
    }
  }
  if (result && l.result >= 0) {
    const FieldDesc& d = l.fields[static_cast<size_t>(l.result)];
    *result = {at + d.word, d.kind == FieldKind::Lo ? Field::kLow : d.kind == FieldKind::Hi ? Field::kHigh : Field::kWhole};
  }
  if (rel && l.rel >= 0) *rel = at + l.fields[static_cast<size_t>(l.rel)].word;
  return true;
}

}  // namespace vivarium::engine::interp
