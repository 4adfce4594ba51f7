// Memory-to-memory copy superinstruction (issue 5: byte/word copy loops,
// `d[i] = s[i]`): a load whose value a store of the same width writes at
// once, optionally with the i32.add of a constant that computed the store
// address just before the load, runs as one instruction. Layout (fused_mem.h):
//   [h][y|x][kl][offl][ks][offs]     mem[(x+ks) + offs] = mem[(y+kl) + offl]
// It checks the load first (trapping at the load's offset, Word 0 in the
// offset table), then the store (its offset, Word 1), as the separate
// instructions do; nothing is written before both checks passed, and the
// loaded value never needed a slot (it was a temporary the store consumed).
#include <cstring>

#include "engine/interp/exec_state.h"
#include "engine/interp/fused_mem.h"
#include "engine/interp/ops.h"

namespace vivarium::engine::interp {
namespace {

template <uint32_t W>
VIV_HANDLER(h_mem_copy) {
  const uint64_t la = static_cast<uint32_t>(rd_u32(fp, lo16(pc, 1)) + pc[2].u32);
  const uint64_t loff = pc[3].u32;
  if (!mem_in_bounds(st, la, loff, W)) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  const uint64_t sa = static_cast<uint32_t>(rd_u32(fp, hi16(pc, 1)) + pc[4].u32);
  const uint64_t soff = pc[5].u32;
  if (!mem_in_bounds(st, sa, soff, W)) [[unlikely]] VIV_TAIL(h_trap_memory_oob_word1);
  uint8_t v[W];  // through a copy: source and destination may overlap
  std::memcpy(v, mem + la + loff, W);
  std::memcpy(mem + sa + soff, v, W);
  VIV_NEXT(6);
}

}  // namespace

VIV_HANDLER(h_trap_memory_oob_word1) { return h_trap_memory_oob(pc + 1, fp, mem, st); }

Handler mem_copy_handler(uint32_t width) {
  switch (width) {
    case 1: return &h_mem_copy<1>;
    case 2: return &h_mem_copy<2>;
    case 4: return &h_mem_copy<4>;
    case 8: return &h_mem_copy<8>;
    default: return nullptr;
  }
}

uint32_t load_width(Op op) {
  switch (op) {
    case Op::i32_load8_s: case Op::i32_load8_u: case Op::i64_load8_s: case Op::i64_load8_u:
      return 1;
    case Op::i32_load16_s: case Op::i32_load16_u: case Op::i64_load16_s: case Op::i64_load16_u:
      return 2;
    case Op::i32_load: case Op::f32_load: case Op::i64_load32_s: case Op::i64_load32_u:
      return 4;
    case Op::i64_load: case Op::f64_load:
      return 8;
    default:
      return 0;
  }
}

uint32_t store_width(Op op) {
  switch (op) {
    case Op::i32_store8: case Op::i64_store8: return 1;
    case Op::i32_store16: case Op::i64_store16: return 2;
    case Op::i32_store: case Op::f32_store: case Op::i64_store32: return 4;
    case Op::i64_store: case Op::f64_store: return 8;
    default: return 0;
  }
}

}  // namespace vivarium::engine::interp
