// Registration of the SIMD handlers: which semantic function (ops.h,
// memory.h) implements each 0xFD opcode. The handlers themselves come from
// the templates in adapters.h and memory_handlers.h.
#include "engine/interp/simd/host.h"
#include "engine/interp/simd/simd.h"

#if VIV_SIMD_HOST_X86
#include <array>

#include "engine/interp/simd/adapters.h"
#include "engine/interp/simd/cpu.h"
#include "engine/interp/simd/memory_handlers.h"
#include "engine/interp/simd/ops.h"

namespace vivarium::engine::interp {
namespace {

using namespace simd_handlers;

// i8x16.shuffle is the one instruction with a 16-byte immediate; its pshufb
// controls are derived from it on each execution (two saturating adds).
VIV_SIMD VIV_HANDLER(h_i8x16_shuffle) {
  const SimdOperands o = simd_operands(pc);
  v128 a = vivarium::engine::simd::loadu(&fp[o.a]), b = vivarium::engine::simd::loadu(&fp[o.b]);
  vivarium::engine::simd::storeu(&fp[o.dst], vivarium::engine::simd::i8x16_shuffle(a, b, vivarium::engine::simd::loadu(simd_imm(pc))));
  VIV_NEXT(kSimdShuffleWords);
}

struct Table {
  std::array<Handler, kOpCount> h{};
  Table() {
    // Every operator whose opcodes.def row says `lanes`: its semantics is
    // vivarium::engine::simd::<id>, made a handler by the generic adapter.
#define VIV_SIMD_IF_lanes(id) h[static_cast<size_t>(Op::id)] = &op_handler<&vivarium::engine::simd::id>;
#define VIV_SIMD_IF_trap(id)
#define VIV_SIMD_IF_comm(id)
#define VIV_SIMD_IF__(id)
#define VIV_SIMD_PASTE(traits, id) VIV_SIMD_IF_##traits(id)
#define VIV_OP(id, prefix, code, text, imm, sig, aux, traits, ...) VIV_SIMD_PASTE(traits, id)
#include "engine/opcodes/opcodes.def"
#undef VIV_OP
#undef VIV_SIMD_PASTE
#undef VIV_SIMD_IF__
#undef VIV_SIMD_IF_comm
#undef VIV_SIMD_IF_trap
#undef VIV_SIMD_IF_lanes
    h[static_cast<size_t>(Op::i8x16_shuffle)] = &h_i8x16_shuffle;
    register_memory_handlers(h.data());
  }
};

}  // namespace

Handler simd_handler(Op op) {
  // Without SSE4.1/SSSE3 no handler exists, so a module using v128 fails to
  // lower with an Unsupported error instead of dying on an illegal
  // instruction (cpu.h has the message naming what is missing).
  if (!vivarium::engine::simd::host_supports_simd()) return nullptr;
  static const Table table;
  return table.h[static_cast<size_t>(op)];
}

}  // namespace vivarium::engine::interp

#else  // no host implementation: every SIMD opcode is unsupported (host.h)

namespace vivarium::engine::interp {
Handler simd_handler(Op) { return nullptr; }
}  // namespace vivarium::engine::interp

#endif
