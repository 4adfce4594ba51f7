// Loaded-index addressing superinstructions (issue 5: bytecode-dispatch
// loops): a register VM reads its operands as `r[i->b]`, i.e. an
// i32.load8_u of an instruction byte shifted into an index of a base,
// `base + (mem8[p + off8] << sh)`, and jumps to `code + i->imm` (the same
// with an i32.load). Unfused that is a load and an i32 shl_add (or a load
// of base + (idx << sh)): two dispatches per operand and a temporary for
// the index. Here the index goes straight into the address (mem8 below:
// the byte, or the i32).
//   address: [h][p|base][d|sh][off8]        d = base + (mem8[p+off8] << sh)
//   load:    [h][p|base][d|sh][off8][off]   d = load(base + (mem8[p+off8] << sh) + off)
// The byte read traps like the load8_u it replaces (Word 0 in the offset
// table), the second load like its own instruction (Word 1); nothing is
// written before both checks passed. Narrow slots only.
#include <cstring>

#include "engine/interp/exec_state.h"
#include "engine/interp/fused_mem.h"
#include "engine/interp/ops.h"

namespace vivarium::engine::interp {
namespace {

// The address both forms compute, or false if the index read (I: a byte,
// or a whole i32) is out of bounds.
template <class I>
inline bool index8_address(const Word* pc, Slot* fp, const uint8_t* mem, const ExecState* st, uint32_t& ea) {
  const uint64_t p = rd_u32(fp, lo16(pc, 1)), off8 = pc[3].u32;
  if (!mem_in_bounds(st, p, off8, sizeof(I))) [[unlikely]] return false;
  I idx;
  std::memcpy(&idx, mem + p + off8, sizeof(I));
  ea = rd_u32(fp, hi16(pc, 1)) + (static_cast<uint32_t>(idx) << hi16(pc, 2));
  return true;
}

template <class I>
VIV_HANDLER(h_shl_add_index8) {
  uint32_t ea;
  if (!index8_address<I>(pc, fp, mem, st, ea)) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  wr_u32(fp, lo16(pc, 2), ea);
  VIV_NEXT(4);
}

template <class I, class M>
VIV_HANDLER(h_load_index8) {
  uint32_t ea;
  if (!index8_address<I>(pc, fp, mem, st, ea)) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  const uint64_t off = pc[4].u32;
  if (!mem_in_bounds(st, ea, off, sizeof(M))) [[unlikely]] VIV_TAIL(h_trap_memory_oob_word1);
  M v;
  std::memcpy(&v, mem + ea + off, sizeof(M));
  if constexpr (sizeof(M) == 4) wr_u32(fp, lo16(pc, 2), v);
  else wr_u64(fp, lo16(pc, 2), v);
  VIV_NEXT(5);
}

}  // namespace

Handler shl_add_index8_handler(Op idx_load) {
  if (idx_load == Op::i32_load8_u) return &h_shl_add_index8<uint8_t>;
  return idx_load == Op::i32_load ? &h_shl_add_index8<uint32_t> : nullptr;
}

Handler load_index8_handler(Op idx_load, Op op) {
  auto pick = [&]<class I>() -> Handler {
    switch (op) {
      case Op::i32_load: case Op::f32_load: return &h_load_index8<I, uint32_t>;
      case Op::i64_load: case Op::f64_load: return &h_load_index8<I, uint64_t>;
      default: return nullptr;
    }
  };
  if (idx_load == Op::i32_load8_u) return pick.template operator()<uint8_t>();
  return idx_load == Op::i32_load ? pick.template operator()<uint32_t>() : nullptr;
}

}  // namespace vivarium::engine::interp
