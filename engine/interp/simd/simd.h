// The interpreter's SIMD handlers (registration contract of
// engine/interp/handler.h): one handler per 0xFD opcode except v128.load,
// v128.store and v128.const, which the scalar side lowers.
#pragma once
#include "engine/interp/handler.h"
#include "engine/opcodes/opcodes.h"

namespace vivarium::engine::interp {

// The handler for a SIMD opcode, or nullptr when `op` has none.
Handler simd_handler(Op op);

}  // namespace vivarium::engine::interp
