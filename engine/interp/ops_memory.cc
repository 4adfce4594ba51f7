// Linear-memory instructions (spec 4.4.7, 4.4.8): loads and stores with the
// bounds check in one place (mem_in_bounds), memory.size/grow, and the bulk
// operations with 2.0 semantics (the whole range is checked before any byte
// is touched, so an out-of-bounds fill/copy/init writes nothing).
#include <cstring>
#include <type_traits>

#include "engine/interp/exec_state.h"
#include "engine/interp/ops.h"
#include "engine/runtime/module_impl.h"

namespace vivarium::engine::interp {
namespace {

using vivarium::detail::InstanceImpl;
using vivarium::detail::MemoryInst;

// Loads and stores copy through memcpy: wasm addresses need not be aligned
// and memory is little-endian like the hosts Vivarium runs on. The trap is a
// tail call, so these handlers make no call and keep no stack frame.
template <class M, class R>
inline void load_value(Slot* fp, uint32_t d, const uint8_t* p) {
  M v;
  std::memcpy(&v, p, sizeof(M));
  if constexpr (std::is_same_v<R, float>) {
    uint32_t b; std::memcpy(&b, &v, 4); wr_u32(fp, d, b);
  } else if constexpr (std::is_same_v<R, double>) {
    uint64_t b; std::memcpy(&b, &v, 8); wr_u64(fp, d, b);
  } else if constexpr (sizeof(R) == 4) {
    wr_u32(fp, d, static_cast<uint32_t>(static_cast<R>(v)));
  } else {
    wr_u64(fp, d, static_cast<uint64_t>(static_cast<R>(v)));
  }
}

// X(id, memory type, result type)
#define VIV_LOADS(X)                                                                        \
  X(i32_load, uint32_t, uint32_t) X(i64_load, uint64_t, uint64_t)                          \
  X(f32_load, float, float) X(f64_load, double, double)                                    \
  X(i32_load8_s, int8_t, int32_t) X(i32_load8_u, uint8_t, uint32_t)                        \
  X(i32_load16_s, int16_t, int32_t) X(i32_load16_u, uint16_t, uint32_t)                    \
  X(i64_load8_s, int8_t, int64_t) X(i64_load8_u, uint8_t, uint64_t)                        \
  X(i64_load16_s, int16_t, int64_t) X(i64_load16_u, uint16_t, uint64_t)                    \
  X(i64_load32_s, int32_t, int64_t) X(i64_load32_u, uint32_t, uint64_t)
#define VIV_STORES(X)                                                                       \
  X(i32_store, uint32_t) X(i64_store, uint64_t) X(f32_store, uint32_t) X(f64_store, uint64_t) \
  X(i32_store8, uint8_t) X(i32_store16, uint16_t) X(i64_store8, uint8_t)                   \
  X(i64_store16, uint16_t) X(i64_store32, uint32_t)

#define VIV_DEF_LOAD(id, M, R)                                                 \
  template <bool N>                                                            \
  VIV_HANDLER(h_##id) {                                                        \
    using L = MemL<N>;                                                         \
    const uint64_t addr = rd_u32(fp, L::addr(pc));                             \
    const uint64_t off = L::off(pc);                                           \
    if (!mem_in_bounds(st, addr, off, sizeof(M))) [[unlikely]]                 \
      VIV_TAIL(h_trap_memory_oob);                                             \
    load_value<M, R>(fp, L::v(pc), mem + addr + off);                          \
    VIV_NEXT(L::kWords);                                                       \
  }
#define VIV_DEF_STORE(id, M)                                                   \
  template <bool N>                                                            \
  VIV_HANDLER(h_##id) {                                                        \
    using L = MemL<N>;                                                         \
    const uint64_t addr = rd_u32(fp, L::addr(pc));                             \
    const uint64_t off = L::off(pc);                                           \
    if (!mem_in_bounds(st, addr, off, sizeof(M))) [[unlikely]]                 \
      VIV_TAIL(h_trap_memory_oob);                                             \
    const M v = static_cast<M>(fp[L::v(pc)]); /* low bytes of the slot */      \
    std::memcpy(mem + addr + off, &v, sizeof(M));                              \
    VIV_NEXT(L::kWords);                                                       \
  }
VIV_LOADS(VIV_DEF_LOAD)

// Load whose address was just computed by an i32.add (array indexing: base +
// scaled index), fused in place of the add: [h][a][b][d][offset]. The
// address wraps in 32 bits exactly as the add did.
#define VIV_DEF_LOAD_ADD(id, M, R)                                             \
  VIV_HANDLER(h_##id##_add) {                                                  \
    const uint64_t addr = static_cast<uint32_t>(rd_u32(fp, pc[1].u32) + rd_u32(fp, pc[2].u32)); \
    const uint64_t off = pc[4].u32;                                         \
    if (!mem_in_bounds(st, addr, off, sizeof(M))) [[unlikely]]                 \
      VIV_TAIL(h_trap_memory_oob);                                             \
    load_value<M, R>(fp, pc[3].u32, mem + addr + off);                      \
    VIV_NEXT(5);                                                               \
  }
VIV_LOADS(VIV_DEF_LOAD_ADD)
// The same with a constant added (`p + 16`, unrolled loops): [h][a][k][d][offset].
#define VIV_DEF_LOAD_ADDI(id, M, R)                                            \
  VIV_HANDLER(h_##id##_addi) {                                                 \
    const uint64_t addr = static_cast<uint32_t>(rd_u32(fp, pc[1].u32) + pc[2].u32); \
    const uint64_t off = pc[4].u32;                                         \
    if (!mem_in_bounds(st, addr, off, sizeof(M))) [[unlikely]]                 \
      VIV_TAIL(h_trap_memory_oob);                                             \
    load_value<M, R>(fp, pc[3].u32, mem + addr + off);                      \
    VIV_NEXT(5);                                                               \
  }
VIV_LOADS(VIV_DEF_LOAD_ADDI)
// Stores whose address an i32.add just computed (the value is then a local
// or an earlier slot): [h][a][b-or-k][v][offset].
#define VIV_DEF_STORE_ADD(id, M)                                               \
  VIV_HANDLER(h_##id##_add) {                                                  \
    const uint64_t addr = static_cast<uint32_t>(rd_u32(fp, pc[1].u32) + rd_u32(fp, pc[2].u32)); \
    const uint64_t off = pc[4].u32;                                         \
    if (!mem_in_bounds(st, addr, off, sizeof(M))) [[unlikely]]                 \
      VIV_TAIL(h_trap_memory_oob);                                             \
    const M v = static_cast<M>(fp[pc[3].u32]);                              \
    std::memcpy(mem + addr + off, &v, sizeof(M));                              \
    VIV_NEXT(5);                                                               \
  }                                                                            \
  VIV_HANDLER(h_##id##_addi) {                                                 \
    const uint64_t addr = static_cast<uint32_t>(rd_u32(fp, pc[1].u32) + pc[2].u32); \
    const uint64_t off = pc[4].u32;                                         \
    if (!mem_in_bounds(st, addr, off, sizeof(M))) [[unlikely]]                 \
      VIV_TAIL(h_trap_memory_oob);                                             \
    const M v = static_cast<M>(fp[pc[3].u32]);                              \
    std::memcpy(mem + addr + off, &v, sizeof(M));                              \
    VIV_NEXT(5);                                                               \
  }
VIV_STORES(VIV_DEF_STORE_ADD)

// Load/store whose address is `base + (idx << sh)` (array indexing): the
// i32.shl by a constant and the i32.add fused in place of both. The shift
// count is masked (& 31) by the lowering; the shift and the add wrap in 32
// bits as the separate instructions do, then the offset is added in 64 bits.
//   narrow  [h][idx|base][d|sh][off]
//   wide    [h][idx][base][d][sh][off]     (I: base is an immediate, wide only)
// For a store, the value's slot in place of d.
template <bool N, bool I>
struct ShlMemL {
  static uint32_t idx(const Word* pc) { return N ? lo16(pc, 1) : pc[1].u32; }
  static uint32_t base(const Word* pc, const Slot* fp) {
    if constexpr (I) return pc[2].u32;
    else return rd_u32(fp, N ? hi16(pc, 1) : pc[2].u32);
  }
  static uint32_t v(const Word* pc) { return N ? lo16(pc, 2) : pc[3].u32; }
  static uint32_t sh(const Word* pc) { return N ? hi16(pc, 2) : pc[4].u32; }
  static uint64_t off(const Word* pc) { return N ? pc[3].u32 : pc[5].u32; }
  static constexpr uint32_t kWords = N ? 4 : 6;
};
#define VIV_DEF_LOAD_SHL(id, M, R)                                             \
  template <bool N, bool I>                                                    \
  VIV_HANDLER(h_##id##_shl) {                                                  \
    using L = ShlMemL<N, I>;                                                   \
    const uint64_t addr = static_cast<uint32_t>(L::base(pc, fp) + (rd_u32(fp, L::idx(pc)) << L::sh(pc))); \
    const uint64_t off = L::off(pc);                                           \
    if (!mem_in_bounds(st, addr, off, sizeof(M))) [[unlikely]]                 \
      VIV_TAIL(h_trap_memory_oob);                                             \
    load_value<M, R>(fp, L::v(pc), mem + addr + off);                          \
    VIV_NEXT(L::kWords);                                                       \
  }
VIV_LOADS(VIV_DEF_LOAD_SHL)
#define VIV_DEF_STORE_SHL(id, M)                                               \
  template <bool N, bool I>                                                    \
  VIV_HANDLER(h_##id##_shl) {                                                  \
    using L = ShlMemL<N, I>;                                                   \
    const uint64_t addr = static_cast<uint32_t>(L::base(pc, fp) + (rd_u32(fp, L::idx(pc)) << L::sh(pc))); \
    const uint64_t off = L::off(pc);                                           \
    if (!mem_in_bounds(st, addr, off, sizeof(M))) [[unlikely]]                 \
      VIV_TAIL(h_trap_memory_oob);                                             \
    const M v = static_cast<M>(fp[L::v(pc)]);                                  \
    std::memcpy(mem + addr + off, &v, sizeof(M));                              \
    VIV_NEXT(L::kWords);                                                       \
  }
VIV_STORES(VIV_DEF_STORE_SHL)
VIV_STORES(VIV_DEF_STORE)

MemoryInst* memory0(ExecState* st) { return st->inst->memories[0]; }

}  // namespace

VIV_HANDLER(h_v128_load) {
  const uint64_t addr = rd_u32(fp, pc[1].u32);
  const uint64_t off = pc[3].u32;
  if (!mem_in_bounds(st, addr, off, 16)) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  std::memcpy(&fp[pc[2].u32], mem + addr + off, 16);
  VIV_NEXT(4);
}
VIV_HANDLER(h_v128_store) {
  const uint64_t addr = rd_u32(fp, pc[1].u32);
  const uint64_t off = pc[3].u32;
  if (!mem_in_bounds(st, addr, off, 16)) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  std::memcpy(mem + addr + off, &fp[pc[2].u32], 16);
  VIV_NEXT(4);
}

VIV_HANDLER(h_memory_size) {
  wr_u32(fp, pc[1].u32, static_cast<uint32_t>(mem_size(st) >> 16));
  VIV_NEXT(2);
}
// The base address never moves (memories reserve their maximum up front), so
// `mem` stays valid; only the size the bounds checks read changes.
VIV_HANDLER(h_memory_grow) {
  const int64_t old = memory0(st)->grow(rd_u32(fp, pc[1].u32));
  wr_u32(fp, pc[2].u32, static_cast<uint32_t>(old < 0 ? -1 : old));
  check_soon(st);
  VIV_NEXT(3);
}
VIV_HANDLER(h_memory_fill) {
  const uint64_t d = rd_u32(fp, pc[1].u32), n = rd_u32(fp, pc[3].u32);
  if (d + n > mem_size(st)) return trap(st, pc, ErrorCode::MemoryOutOfBounds);
  if (n) std::memset(mem + d, static_cast<int>(rd_u32(fp, pc[2].u32) & 0xFF), n);
  if (n >= kSlowBulkBytes) check_soon(st);
  VIV_NEXT(4);
}
VIV_HANDLER(h_memory_copy) {
  const uint64_t d = rd_u32(fp, pc[1].u32), s = rd_u32(fp, pc[2].u32), n = rd_u32(fp, pc[3].u32);
  const uint64_t size = mem_size(st);
  if (d + n > size || s + n > size) return trap(st, pc, ErrorCode::MemoryOutOfBounds);
  if (n) std::memmove(mem + d, mem + s, n);  // ranges may overlap
  if (n >= kSlowBulkBytes) check_soon(st);
  VIV_NEXT(4);
}
VIV_HANDLER(h_memory_init) {
  const uint64_t d = rd_u32(fp, pc[1].u32), s = rd_u32(fp, pc[2].u32), n = rd_u32(fp, pc[3].u32);
  const uint32_t seg = pc[4].u32;
  InstanceImpl* inst = st->inst;
  // A dropped segment behaves as an empty one (spec 4.4.8 memory.init).
  std::span<const uint8_t> bytes;
  if (inst->data_live[seg]) bytes = inst->module->data_bytes(seg);
  if (s + n > bytes.size() || d + n > mem_size(st)) return trap(st, pc, ErrorCode::MemoryOutOfBounds);
  if (n) std::memcpy(mem + d, bytes.data() + s, n);
  VIV_NEXT(5);
}
VIV_HANDLER(h_data_drop) {
  st->inst->data_live[pc[1].u32] = 0;
  VIV_NEXT(2);
}

Handler load_add_handler(Op load, bool imm) {
  switch (load) {
#define VIV_CASE(id, ...) \
  case Op::id: return imm ? &h_##id##_addi : &h_##id##_add;
    VIV_LOADS(VIV_CASE)
    VIV_STORES(VIV_CASE)
#undef VIV_CASE
    default: return nullptr;
  }
}

Handler load_shl_add_handler(Op op, bool imm_base, bool narrow) {
  if (imm_base && narrow) return nullptr;
  switch (op) {
#define VIV_CASE(id, ...) \
  case Op::id: return imm_base ? &h_##id##_shl<false, true> : narrow ? &h_##id##_shl<true, false> : &h_##id##_shl<false, false>;
    VIV_LOADS(VIV_CASE)
    VIV_STORES(VIV_CASE)
#undef VIV_CASE
    default: return nullptr;
  }
}

namespace {
template <bool N>
void register_mem(OpTable& t) {
#define VIV_REG(id, ...) t[static_cast<size_t>(Op::id)] = &h_##id<N>;
  VIV_LOADS(VIV_REG)
  VIV_STORES(VIV_REG)
#undef VIV_REG
}
}  // namespace

void register_mem_ops(OpTable& t, bool narrow) {
  if (narrow) register_mem<true>(t);
  else register_mem<false>(t);
}

}  // namespace vivarium::engine::interp
