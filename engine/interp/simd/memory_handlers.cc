#include "engine/interp/simd/memory_handlers.h"

#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86

#include "engine/interp/simd/adapters.h"
#include "engine/interp/simd/memory.h"

namespace vivarium::engine::interp {
namespace {

using simd_handlers::read_operand;
using simd_handlers::write_result;
using vivarium::engine::simd::v128;

// Address operand `a` plus the memarg offset, checked for `bytes` like the
// scalar loads (spec 4.4.7: ea + N > |mem| traps).
template <uint32_t bytes>
inline bool effective_address(const Word* pc, const SimdOperands& o, const Slot* fp, const ExecState* st,
                              uint64_t& ea) {
  const uint64_t addr = rd_u32(fp, o.a), offset = simd_offset(pc);
  ea = addr + offset;
  return mem_in_bounds(st, addr, offset, bytes);
}

// v128.loadNxM_{s,u}, v128.loadN_splat, v128.loadN_zero: `bytes` read at ea.
template <uint32_t bytes, v128 (*fn)(const uint8_t*)>
VIV_SIMD VIV_HANDLER(load_handler) {
  const SimdOperands o = simd_operands(pc);
  uint64_t ea;
  if (!effective_address<bytes>(pc, o, fp, st, ea)) return trap(st, pc, ErrorCode::MemoryOutOfBounds);
  write_result<v128>(fp, o.dst, fn(mem + ea));
  VIV_NEXT(kSimdMemInstWords);
}

// v128.loadN_lane: operand b is the vector whose lane is replaced.
template <uint32_t bytes, v128 (*fn)(const uint8_t*, v128, uint32_t)>
VIV_SIMD VIV_HANDLER(load_lane_handler) {
  const SimdOperands o = simd_operands(pc);
  uint64_t ea;
  if (!effective_address<bytes>(pc, o, fp, st, ea)) return trap(st, pc, ErrorCode::MemoryOutOfBounds);
  v128 v = read_operand<v128>(fp, o.b);
  write_result<v128>(fp, o.dst, fn(mem + ea, v, o.lane));
  VIV_NEXT(kSimdMemInstWords);
}

// v128.storeN_lane: no result.
template <uint32_t bytes, void (*fn)(uint8_t*, v128, uint32_t)>
VIV_SIMD VIV_HANDLER(store_lane_handler) {
  const SimdOperands o = simd_operands(pc);
  uint64_t ea;
  if (!effective_address<bytes>(pc, o, fp, st, ea)) return trap(st, pc, ErrorCode::MemoryOutOfBounds);
  fn(mem + ea, read_operand<v128>(fp, o.b), o.lane);
  VIV_NEXT(kSimdMemInstWords);
}

}  // namespace

void register_memory_handlers(Handler* t) {
  namespace s = vivarium::engine::simd;
  auto at = [t](Op op) -> Handler& { return t[static_cast<size_t>(op)]; };
  at(Op::v128_load8x8_s) = &load_handler<8, &s::v128_load8x8_s>;
  at(Op::v128_load8x8_u) = &load_handler<8, &s::v128_load8x8_u>;
  at(Op::v128_load16x4_s) = &load_handler<8, &s::v128_load16x4_s>;
  at(Op::v128_load16x4_u) = &load_handler<8, &s::v128_load16x4_u>;
  at(Op::v128_load32x2_s) = &load_handler<8, &s::v128_load32x2_s>;
  at(Op::v128_load32x2_u) = &load_handler<8, &s::v128_load32x2_u>;
  at(Op::v128_load8_splat) = &load_handler<1, &s::v128_load8_splat>;
  at(Op::v128_load16_splat) = &load_handler<2, &s::v128_load16_splat>;
  at(Op::v128_load32_splat) = &load_handler<4, &s::v128_load32_splat>;
  at(Op::v128_load64_splat) = &load_handler<8, &s::v128_load64_splat>;
  at(Op::v128_load32_zero) = &load_handler<4, &s::v128_load32_zero>;
  at(Op::v128_load64_zero) = &load_handler<8, &s::v128_load64_zero>;
  at(Op::v128_load8_lane) = &load_lane_handler<1, &s::v128_load8_lane>;
  at(Op::v128_load16_lane) = &load_lane_handler<2, &s::v128_load16_lane>;
  at(Op::v128_load32_lane) = &load_lane_handler<4, &s::v128_load32_lane>;
  at(Op::v128_load64_lane) = &load_lane_handler<8, &s::v128_load64_lane>;
  at(Op::v128_store8_lane) = &store_lane_handler<1, &s::v128_store8_lane>;
  at(Op::v128_store16_lane) = &store_lane_handler<2, &s::v128_store16_lane>;
  at(Op::v128_store32_lane) = &store_lane_handler<4, &s::v128_store32_lane>;
  at(Op::v128_store64_lane) = &store_lane_handler<8, &s::v128_store64_lane>;
}

}  // namespace vivarium::engine::interp

#endif  // VIV_SIMD_HOST_X86
