// CodeBuffer: the code of one function being lowered, and its offset table
// (compiled.h), with the one encoder of layouts.def. The lowering emits plain
// instructions into it; the peephole stage (peephole.h) rewinds over what it
// fuses and encodes the superinstruction in its place.
#pragma once
#include <cstdint>
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
    code.resize(code.size() + words, Word{.u32 = 0});
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
  // Whether `values` (in the order of layout `id`'s fields) fit it: a Lo/Hi
  // field holds 16 bits, a Slot or Rel field 32.
  static bool fits(LayoutId id, std::initializer_list<uint64_t> values);
  // Rewinds to `at` and emits `h` there in layout `id` with `values`, adding
  // an offset entry per Trap field (kNoTrap: none); `result` receives field
  // d's place and `rel` the Word of field rel (a branch target, left 0 for
  // the caller to set). False, with nothing changed, if the values do not fit.
  bool encode_at(uint32_t at, Handler h, LayoutId id, std::initializer_list<uint64_t> values, Field* result,
                 uint32_t* rel = nullptr);
};

}  // namespace vivarium::engine::interp
