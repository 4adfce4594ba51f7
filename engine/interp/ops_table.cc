// Table and reference instructions (spec 4.4.6): get/set/size/grow/fill/copy/
// init and elem.drop, with 2.0 bounds semantics (the whole range is checked
// first; "out of bounds table access").
#include <algorithm>

#include "engine/interp/exec_state.h"
#include "engine/interp/ops.h"

namespace vivarium::engine::interp {

using vivarium::detail::TableInst;

namespace {
TableInst* table(ExecState* st, uint32_t i) { return st->inst->tables[i]; }
void* rd_ref(const Slot* fp, uint32_t s) { return reinterpret_cast<void*>(static_cast<uintptr_t>(fp[s])); }
void wr_ref(Slot* fp, uint32_t s, void* p) { fp[s] = static_cast<Slot>(reinterpret_cast<uintptr_t>(p)); }
}  // namespace

VIV_HANDLER(h_table_get) {
  TableInst* t = table(st, pc[3].u32);
  const uint32_t i = rd_u32(fp, pc[1].u32);
  if (i >= t->elems.size()) return trap(st, pc, ErrorCode::TableOutOfBounds);
  wr_ref(fp, pc[2].u32, t->elems[i]);
  VIV_NEXT(4);
}
VIV_HANDLER(h_table_set) {
  TableInst* t = table(st, pc[3].u32);
  const uint32_t i = rd_u32(fp, pc[1].u32);
  if (i >= t->elems.size()) return trap(st, pc, ErrorCode::TableOutOfBounds);
  t->elems[i] = rd_ref(fp, pc[2].u32);
  VIV_NEXT(4);
}
VIV_HANDLER(h_table_size) {
  wr_u32(fp, pc[1].u32, static_cast<uint32_t>(table(st, pc[2].u32)->elems.size()));
  VIV_NEXT(3);
}
VIV_HANDLER(h_table_grow) {
  TableInst* t = table(st, pc[4].u32);
  const int64_t old = t->grow(rd_u32(fp, pc[2].u32), rd_ref(fp, pc[1].u32));
  wr_u32(fp, pc[3].u32, static_cast<uint32_t>(old < 0 ? -1 : old));
  VIV_NEXT(5);
}
VIV_HANDLER(h_table_fill) {
  TableInst* t = table(st, pc[4].u32);
  const uint64_t i = rd_u32(fp, pc[1].u32), n = rd_u32(fp, pc[3].u32);
  if (i + n > t->elems.size()) return trap(st, pc, ErrorCode::TableOutOfBounds);
  std::fill_n(t->elems.begin() + static_cast<ptrdiff_t>(i), n, rd_ref(fp, pc[2].u32));
  VIV_NEXT(5);
}
VIV_HANDLER(h_table_copy) {
  TableInst* dt = table(st, pc[4].u32);
  TableInst* s_t = table(st, pc[5].u32);
  const uint64_t d = rd_u32(fp, pc[1].u32), s = rd_u32(fp, pc[2].u32), n = rd_u32(fp, pc[3].u32);
  if (d + n > dt->elems.size() || s + n > s_t->elems.size()) return trap(st, pc, ErrorCode::TableOutOfBounds);
  if (n) std::memmove(dt->elems.data() + d, s_t->elems.data() + s, n * sizeof(void*));  // may overlap
  VIV_NEXT(6);
}
VIV_HANDLER(h_table_init) {
  TableInst* t = table(st, pc[4].u32);
  const std::vector<void*>& seg = st->inst->elem_segments[pc[5].u32];  // empty once dropped
  const uint64_t d = rd_u32(fp, pc[1].u32), s = rd_u32(fp, pc[2].u32), n = rd_u32(fp, pc[3].u32);
  if (s + n > seg.size() || d + n > t->elems.size()) return trap(st, pc, ErrorCode::TableOutOfBounds);
  std::copy_n(seg.begin() + static_cast<ptrdiff_t>(s), n, t->elems.begin() + static_cast<ptrdiff_t>(d));
  VIV_NEXT(6);
}
VIV_HANDLER(h_elem_drop) {
  std::vector<void*>& seg = st->inst->elem_segments[pc[1].u32];
  seg.clear();
  seg.shrink_to_fit();
  VIV_NEXT(2);
}

}  // namespace vivarium::engine::interp
