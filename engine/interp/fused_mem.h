// Superinstructions around memory whose value never needs a slot: a load
// stored straight back to memory (ops_mem_copy.cc) and float results stored
// straight to memory (ops_float_mem.cc). Layouts are where each is defined;
// every one is narrow only (slots <= 65535), the lowering keeps the unfused
// form otherwise.
#pragma once
#include "engine/interp/handler.h"

namespace viv::interp {

// A load of `width` bytes (1, 2, 4, 8; any extension) whose value a store
// of the same width writes at once: [h][y|x][kl][offl][ks][offs], load
// address y + kl, store address x + ks (both wrapping in 32 bits, a k of 0
// when there was no i32.add). Traps at Word 0 for the load, Word 1 for the
// store. Or nullptr.
Handler mem_copy_handler(uint32_t width);
// Bytes read by load `op` or written by store `op`, or 0 for other opcodes.
uint32_t load_width(Op op);
uint32_t store_width(Op op);

}  // namespace viv::interp
