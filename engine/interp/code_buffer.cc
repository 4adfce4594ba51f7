#include "engine/interp/code_buffer.h"

#include <cstring>
#include <vector>

namespace vivarium::engine::interp {

bool CodeBuffer::fits(LayoutId id, std::initializer_list<uint64_t> values) {
  const LayoutDesc& l = layout_desc(id);
  if (values.size() != l.nfields) return false;
  const uint64_t* v = values.begin();
  for (uint8_t i = 0; i < l.nfields; ++i) {
    switch (l.fields[i].kind) {
      case FieldKind::Lo:
      case FieldKind::Hi:
        if (v[i] > 0xFFFF) return false;
        break;
      case FieldKind::Slot:
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

void CodeBuffer::remove(uint32_t from, uint32_t to) {
  code.erase(code.begin() + from, code.begin() + to);
  std::erase_if(offsets, [&](const auto& e) { return e.first >= from && e.first < to; });
  for (auto& e : offsets)
    if (e.first >= to) e.first -= to - from;
}

bool CodeBuffer::encode_at(uint32_t at, Handler h, LayoutId id, std::initializer_list<uint64_t> values,
                           Field* result, uint32_t* rel) {
  if (!fits(id, values)) return false;
  rewind(at);
  const LayoutDesc& l = layout_desc(id);
  emit(h, l.words);
  const uint64_t* v = values.begin();
  for (uint8_t i = 0; i < l.nfields; ++i) {
    const FieldDesc& f = l.fields[i];
    Word& w = code[at + f.word];
    switch (f.kind) {
      case FieldKind::Slot: w.u32 = static_cast<uint32_t>(v[i]); break;
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
