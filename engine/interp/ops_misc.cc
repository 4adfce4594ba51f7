// Data movement: slot copies (what materializes a lazily read local or moves
// branch values), constants, select, globals and reference instructions.
#include <cstring>

#include "engine/interp/exec_state.h"
#include "engine/interp/ops.h"

namespace vivarium::engine::interp {

VIV_HANDLER(h_copy) {
  fp[pc[2].u32] = fp[pc[1].u32];
  VIV_NEXT(3);
}
VIV_HANDLER(h_copy_n) {
  fp[hi16(pc, 1)] = fp[lo16(pc, 1)];
  VIV_NEXT(2);
}
VIV_HANDLER(h_copy2) {
  const uint32_t s = pc[1].u32, d = pc[2].u32;
  const Slot lo = fp[s], hi = fp[s + 1];
  fp[d] = lo;
  fp[d + 1] = hi;
  VIV_NEXT(3);
}
VIV_HANDLER(h_const32) {
  fp[pc[1].u32] = pc[2].u32;
  VIV_NEXT(3);
}
VIV_HANDLER(h_const16_n) {
  fp[lo16(pc, 1)] = hi16(pc, 1);
  VIV_NEXT(2);
}
VIV_HANDLER(h_const64) {
  fp[pc[1].u32] = imm64(pc, 2);
  VIV_NEXT(4);
}
VIV_HANDLER(h_const128) {
  const uint32_t d = pc[1].u32;
  fp[d] = imm64(pc, 2);
  fp[d + 1] = imm64(pc, 4);
  VIV_NEXT(6);
}
VIV_HANDLER(h_select) {
  const uint32_t a = pc[1].u32, b = pc[2].u32;
  fp[pc[4].u32] = rd_u32(fp, pc[3].u32) ? fp[a] : fp[b];
  VIV_NEXT(5);
}
VIV_HANDLER(h_select2) {
  const uint32_t s = rd_u32(fp, pc[3].u32) ? pc[1].u32 : pc[2].u32;
  const uint32_t d = pc[4].u32;
  const Slot lo = fp[s], hi = fp[s + 1];
  fp[d] = lo;
  fp[d + 1] = hi;
  VIV_NEXT(5);
}
VIV_HANDLER(h_global_get) {
  fp[pc[2].u32] = st->inst->globals[pc[1].u32]->slots[0];
  VIV_NEXT(3);
}
VIV_HANDLER(h_global_get2) {
  const uint64_t* g = st->inst->globals[pc[1].u32]->slots;
  fp[pc[2].u32] = g[0];
  fp[pc[2].u32 + 1] = g[1];
  VIV_NEXT(3);
}
VIV_HANDLER(h_global_set) {
  st->inst->globals[pc[1].u32]->slots[0] = fp[pc[2].u32];
  VIV_NEXT(3);
}
VIV_HANDLER(h_global_set2) {
  uint64_t* g = st->inst->globals[pc[1].u32]->slots;
  g[0] = fp[pc[2].u32];
  g[1] = fp[pc[2].u32 + 1];
  VIV_NEXT(3);
}
// A funcref is the FuncInst's address (include/vivarium/types.h Ref).
VIV_HANDLER(h_ref_func) {
  fp[pc[2].u32] = static_cast<Slot>(reinterpret_cast<uintptr_t>(st->inst->funcs[pc[1].u32]));
  VIV_NEXT(3);
}
VIV_HANDLER(h_ref_is_null) {
  wr_u32(fp, pc[2].u32, fp[pc[1].u32] == 0 ? 1u : 0u);
  VIV_NEXT(3);
}

}  // namespace vivarium::engine::interp
