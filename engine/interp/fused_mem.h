// Superinstructions around memory whose value never needs a slot: a load
// stored straight back to memory (ops_mem_copy.cc), a constant stored
// (ops_store_const.cc) and float results stored straight to memory
// (ops_float_mem.cc). Layouts are where each is defined;
// every one is narrow only (slots <= 65535), the lowering keeps the unfused
// form otherwise.
#pragma once
#include "engine/interp/handler.h"

namespace vivarium::engine::interp {

// An instruction doing two memory accesses names the second one's offset at
// its Word 1 in the offset table: this records the out-of-bounds trap there
// (a cold tail-call target).
[[gnu::noinline]] VIV_HANDLER(h_trap_memory_oob_word1);

// A load of `width` bytes (1, 2, 4, 8; any extension) whose value a store
// of the same width writes at once: [h][y|x][kl][offl][ks][offs], load
// address y + kl, store address x + ks (both wrapping in 32 bits, a k of 0
// when there was no i32.add). Traps at Word 0 for the load, Word 1 for the
// store. Or nullptr.
Handler mem_copy_handler(uint32_t width);
// A store of `width` bytes of a constant: [h][addr][off][k lo][k hi], or nullptr.
Handler store_const_handler(uint32_t width);
// Bytes read by load `op` or written by store `op`, or 0 for other opcodes.
uint32_t load_width(Op op);
uint32_t store_width(Op op);

}  // namespace vivarium::engine::interp

namespace vivarium::engine::interp {

// ---- float results stored (ops_float_mem.cc, layouts there) ----
// f32/f64 `mul` feeding add/sub (kind as float_mul_add_handler) whose
// addend was loaded from the address and offset its result is stored to
// (`p->v -= a * b`), or nullptr.
Handler float_mul_add_rmw_handler(Op mul, int kind);
// A read-modify-write (float_binop_rmw_handler) whose other operand a
// multiply of the same type computed just before the load, or nullptr.
Handler float_mul_rmw_handler(Op op, bool load_left);
// Both of the above with a*b itself (x*y)*z, or z*(x*y) unless `p_left`:
// [h][x|y][z|addr][off], or nullptr.
Handler float_mul3_add_rmw_handler(Op mul, int kind, bool p_left);
Handler float_mul3_rmw_handler(Op op, bool load_left, bool p_left);
// f32/f64 add/sub/mul/div with an operand loaded from `addr + k` (the load
// fused with an i32.add of a constant), or nullptr.
Handler float_binop_load_addi_handler(Op op, bool load_left);
// `c[j] += s * b[j]`: an f32/f64 mul with an operand loaded from p + k (on
// the left if `mul_load_left`) feeding a read-modify-write add/sub at q
// (`rmw_load_left` as float_binop_rmw_handler), or nullptr.
Handler float_axpy_handler(Op rmw_op, bool mul_load_left, bool rmw_load_left);
// The same at constant addresses with a constant factor (`x += dt * vx` on C
// globals), the product the add/sub `op`'s left operand:
// [h][ea_p][ea_q][k..], the constant on the left if `k_left`, or nullptr.
Handler float_axpy_abs_handler(Op op, bool k_left);

}  // namespace vivarium::engine::interp
