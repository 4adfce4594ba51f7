// Store of a constant (issue 5: `flags[j] = 0`, zero-filling loops): the
// constant goes into the instruction instead of a slot first, saving the
// const instruction's dispatch. Layout (fused_mem.h):
//   [h][addr][off][k lo][k hi]     mem[addr + off] = the low W bytes of k
// It traps exactly like the store (nothing else happens in it).
#include <cstring>

#include "engine/interp/exec_state.h"
#include "engine/interp/fused_mem.h"
#include "engine/interp/ops.h"

namespace vivarium::engine::interp {
namespace {

template <uint32_t W>
VIV_HANDLER(h_store_const) {
  const uint64_t addr = rd_u32(fp, pc[1].u32);
  const uint64_t off = pc[2].u32;
  if (!mem_in_bounds(st, addr, off, W)) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  std::memcpy(mem + addr + off, pc + 3, W);  // little-endian: the low W bytes of k
  VIV_NEXT(5);
}

}  // namespace

Handler store_const_handler(uint32_t width) {
  switch (width) {
    case 1: return &h_store_const<1>;
    case 2: return &h_store_const<2>;
    case 4: return &h_store_const<4>;
    case 8: return &h_store_const<8>;
    default: return nullptr;
  }
}

}  // namespace vivarium::engine::interp
