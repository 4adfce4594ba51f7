// Handlers of the scalar instruction set, by group, and the tables that map
// the opcodes with a uniform layout to their handler. Layouts (Words), wide
// and narrow (below):
//   unop        [h][a][d]            [h][a|d]         d = op(a)
//   binop       [h][a][b][d]         [h][a|b][d]      d = a op b
//   binop+imm   [h][a][k][d]         [h][a|d][k]      d = a op k
//   load        [h][addr][d][off]    [h][addr|d][off] d = mem[addr + off]
//   store       [h][addr][v][off]    [h][addr|v][off] mem[addr + off] = v
// Every other handler documents its own layout where it is defined.
#pragma once
#include <array>

#include "engine/interp/handler.h"

namespace vivarium::engine::interp {

// A loop back-edge whose budget ran out: the slow check (exec_state.h), then
// the jump, whose relative target is Word W. Reached by tail call
// (VIV_BACK_EDGE), so the hot back-edge handlers make no call.
template <int W>
[[gnu::noinline]] VIV_HANDLER(h_back_edge_slow) {
  if (!slow_check(st, pc)) return nullptr;
  VIV_JUMP(pc + pc[W].i32);
}
#define VIV_BACK_EDGE(W)                                                             \
  do {                                                                               \
    if (--st->budget < 0) [[unlikely]] VIV_TAIL((::vivarium::engine::interp::h_back_edge_slow<W>)); \
    VIV_JUMP(pc + pc[W].i32);                                                        \
  } while (0)

// ---- narrow layouts ----
// Nearly every function's frame has fewer than 65536 slots, so two slot
// indices fit one Word (low half first). The uniform layouts come in both
// forms, and the lowering picks the narrow one when the slots fit: a Word
// less on the most frequent instructions (issue 5: the internal form must
// stay within 3x the code section). Handlers are templates over N (narrow)
// reading their fields through these.
constexpr uint32_t kNarrowMax = 0xFFFF;
inline uint32_t lo16(const Word* pc, int k) { return pc[k].u32 & 0xFFFF; }
inline uint32_t hi16(const Word* pc, int k) { return pc[k].u32 >> 16; }
inline uint32_t pack16(uint32_t lo, uint32_t hi) { return lo | (hi << 16); }
template <bool N> struct UnopL {
  static uint32_t a(const Word* pc) { return N ? lo16(pc, 1) : pc[1].u32; }
  static uint32_t d(const Word* pc) { return N ? hi16(pc, 1) : pc[2].u32; }
  static constexpr uint32_t kWords = N ? 2 : 3;
};
template <bool N> struct BinopL {
  static uint32_t a(const Word* pc) { return N ? lo16(pc, 1) : pc[1].u32; }
  static uint32_t b(const Word* pc) { return N ? hi16(pc, 1) : pc[2].u32; }
  static uint32_t d(const Word* pc) { return N ? pc[2].u32 : pc[3].u32; }
  static constexpr uint32_t kWords = N ? 3 : 4;
};
template <bool N> struct BinopImmL {
  static uint32_t a(const Word* pc) { return N ? lo16(pc, 1) : pc[1].u32; }
  static uint32_t k(const Word* pc) { return pc[2].u32; }
  static uint32_t d(const Word* pc) { return N ? hi16(pc, 1) : pc[3].u32; }
  static constexpr uint32_t kWords = N ? 3 : 4;
};
template <bool N> struct MemL {
  static uint32_t addr(const Word* pc) { return N ? lo16(pc, 1) : pc[1].u32; }
  static uint32_t v(const Word* pc) { return N ? hi16(pc, 1) : pc[2].u32; }  // d of a load
  static uint64_t off(const Word* pc) { return N ? pc[2].u32 : pc[3].u32; }
  static constexpr uint32_t kWords = N ? 3 : 4;
};

using OpTable = std::array<Handler, kOpCount>;
// Opcodes whose layout is one of the uniform ones above -> handler of the
// wide or narrow form (nullptr otherwise).
const OpTable& op_table(bool narrow);

void register_int_ops(OpTable& t, bool narrow);
void register_float_ops(OpTable& t, bool narrow);
void register_conv_ops(OpTable& t, bool narrow);
void register_mem_ops(OpTable& t, bool narrow);

// ---- constant operands (ops_int.cc) ----
// The variant of integer binop `op` whose right operand is an immediate
// (binop+imm layout; i64 immediates sign-extended), or nullptr.
Handler binop_imm_handler(Op op, bool narrow);

// ---- load with an added address (ops_memory.cc) ----
// The handler of `load` whose address is the i32.add of two slots (or, if
// `imm`, of a slot and a constant), replacing that add in place:
// [h][a][b-or-k][d][offset], or nullptr. For a store, the same with the
// value's slot in place of d.
Handler load_add_handler(Op load, bool imm);
// The handler of a load or store whose address is `base + (idx << sh)`, an
// i32.shl by a constant feeding an i32.add (base a slot or, if `imm_base`, a
// constant; that form is wide only), replacing both: narrow
// [h][idx|base][d|sh][off], wide [h][idx][base][d][sh][off] (v for d in a
// store), or nullptr.
Handler load_shl_add_handler(Op op, bool imm_base, bool narrow);

// ---- array indexing (ops_int.cc) ----
// d = base + (idx << sh), 32-bit wrap, sh already masked (& 31); base a slot
// or (imm_base) an immediate: narrow [h][idx|base][d|sh] or [h][idx|d][base][sh]
// (imm_base), wide [h][idx][base][d][sh].
Handler shl_add_handler(bool imm_base, bool narrow);

// ---- superinstructions (ops_fused.cc) ----
// The compare-and-branch handler replacing comparison `cmp` (with a slot or,
// if `imm`, an immediate right operand) followed by a br_if (binop layout,
// destination Word = branch offset), or nullptr.
Handler fused_compare_branch(Op cmp, bool back_edge, bool imm);
// The handler fusing `i32.add x, k` with the i32 compare-and-branch back-edge
// `cmp` that follows it ([h][a][k][d][x][y][rel]), or nullptr.
Handler step_compare_back_edge(Op cmp, bool imm);
// For float comparisons (no negated comparison exists, NaN): the handler
// branching when `cmp` is false, [h][a][b][rel] (forward only), or nullptr.
Handler fused_compare_branch_not(Op cmp);

// ---- float superinstructions (ops_float_fused.cc, layouts there) ----
// f32/f64 add/sub/mul/div with a constant operand (on the left if
// `const_left`), or nullptr.
Handler float_binop_imm_handler(Op op, bool const_left, bool narrow);
// The same with an operand just loaded by f32.load/f64.load (on the left if
// `load_left`), or nullptr.
Handler float_binop_load_handler(Op op, bool load_left, bool narrow);
// The load of float binop `op`'s type (f64.load for f64.add, ...), or nop.
inline Op float_load_of(Op op) {
  switch (op) {
    case Op::f32_add: case Op::f32_sub: case Op::f32_mul: case Op::f32_div: return Op::f32_load;
    case Op::f64_add: case Op::f64_sub: case Op::f64_mul: case Op::f64_div: return Op::f64_load;
    default: return Op::nop;
  }
}
// The same whose result a store of the same type puts back at the loaded
// address and offset (`p->x += v`), or nullptr.
Handler float_binop_rmw_handler(Op op, bool load_left, bool narrow);
// `mul` (f32/f64.mul) feeding `add` (the same type's add or sub); kind 0:
// a*b + c, 1: a*b - c, 2: c - a*b, 3: c + a*b. Two roundings, never an fma.
// Or nullptr.
Handler float_mul_add_handler(Op mul, Op add, int kind, bool narrow);
// The kind of `add` (add or sub) consuming a product on its left or right.
inline int float_mul_add_kind(Op add, bool mul_left) {
  const bool sub = add == Op::f32_sub || add == Op::f64_sub;
  return sub ? (mul_left ? 1 : 2) : (mul_left ? 0 : 3);
}
// f32/f64 comparison `cmp` with a constant right operand. kind 0: the
// comparison (binop+const layout, `narrow` or wide); fused with a branch
// ([h][a][rel][k..]): 1 branch if true, 2 back-edge if true, 3 branch if
// false. Or nullptr.
Handler float_compare_imm_handler(Op cmp, int kind, bool narrow);
// f32/f64 add/sub `first` feeding add/sub `second` of the same type, its
// result on the left (kind 0) or right (1) of `second`: narrow only,
// [h][a|b][c|d], d = (a first b) second c, or c second (a first b); two
// roundings. Or nullptr.
Handler float_add_chain_handler(Op first, Op second, int kind);
// f32/f64 mul of a sqrt of the same type just computed (on the left if
// `sqrt_left`) and a slot: narrow [h][x|s][d], or nullptr.
Handler float_mul_sqrt_handler(Op mul, Op sqrt, bool sqrt_left);
// f32/f64 add/sub/mul/div `binop` of the abs or neg `sign` just computed
// (its left operand if `sign_left`): `x * fabs(y)` (ops_float_sign.cc), or nullptr.
Handler float_sign_binop_handler(Op binop, Op sign, bool sign_left);

// ---- integer superinstructions (ops_int_fused.cc, layouts there) ----
// A load or store at a constant address whose effective address ea (address
// + offset) is below 2^32: [h][d-or-v][ea], or nullptr.
Handler abs_mem_handler(Op op);
// i32 `op1` (a slot or, if `imm`, an immediate right operand) whose result
// feeds i32 `op2` (add/sub/and/or/xor) as its left (`left`) or right operand,
// narrow slots only, or nullptr: imm [h][x|b][d][k], else [h][x|y][b|d].
Handler chain_handler(Op op1, Op op2, bool imm, bool left);
// An i32.load compared (i32 `cmp`) with a constant, branching forward if
// true: [h][addr][off][k][rel], or nullptr.
Handler load_compare_branch_handler(Op cmp);
// Branch if `a & k` is nonzero (or, if `zero`, zero), [h][a][k][rel], k an
// i32.and's constant; a loop back-edge if `back_edge`.
Handler bit_test_branch_handler(bool zero, bool back_edge);
// An i32.load fused with its address add (of a slot, or if `imm` a
// constant) feeding i32 `op2` (add/sub/and/or/xor) as its left (`left`) or
// right operand: [h][a|x][k-or-b][d][off], or nullptr.
Handler load_chain_handler(Op op2, bool imm, bool left);
// Two narrow copies, in order: [h][s1|d1][s2|d2].
Handler copy_pair_handler();

// ---- loaded-index addressing (ops_index8.cc, layouts there) ----
// d = base + (idx_load(p + off8) << sh), idx_load i32.load8_u or i32.load:
// [h][p|base][d|sh][off8], or nullptr.
Handler shl_add_index8_handler(Op idx_load);
// A 4- or 8-byte load `op` (i32/i64/f32/f64) of that address plus its
// offset: [h][p|base][d|sh][off8][off], or nullptr.
Handler load_index8_handler(Op idx_load, Op op);

// ---- control (ops_control.cc) ----
VIV_HANDLER(h_unreachable);   // [h]
VIV_HANDLER(h_nop_exit);      // [h] ends a run (return to invoke)
VIV_HANDLER(h_br);            // [h][rel]                pc += rel
VIV_HANDLER(h_br_loop);       // [h][rel]                back-edge: budget check, pc += rel
VIV_HANDLER(h_br_if);         // [h][cond][rel]
VIV_HANDLER(h_br_if_loop);    // [h][cond][rel]          back-edge variant
VIV_HANDLER(h_br_unless);     // [h][cond][rel]
VIV_HANDLER(h_br_unless_loop);// [h][cond][rel]          back-edge variant (br_if of an i32.eqz)
VIV_HANDLER(h_br_table);      // [h][idx][n][rel0][rel1]... n+1 targets, default last
VIV_HANDLER(h_br_table_addi); // [h][x][k][n][rel0]...     index x + k (an i32.add of a constant)
VIV_HANDLER(h_br_table_load8u); // [h][addr][off][n][rel0]... index an i32.load8_u's byte
VIV_HANDLER(h_return);        // [h]
VIV_HANDLER(h_call);          // [h][func][base]         args at fp[base..], results there too
VIV_HANDLER(h_call_indirect); // [h][table][base][type index][elem_slot]

// ---- data movement (ops_misc.cc) ----
VIV_HANDLER(h_copy);          // [h][src][dst]
VIV_HANDLER(h_copy_n);        // [h][src|dst]
VIV_HANDLER(h_copy2);         // [h][src][dst]           v128 (two slots)
VIV_HANDLER(h_const32);       // [h][d][imm32]
VIV_HANDLER(h_const16_n);     // [h][d|imm16]            zero-extended
VIV_HANDLER(h_const64);       // [h][d][imm64 lo][hi]
VIV_HANDLER(h_const128);      // [h][d][16 bytes in 4 Words]
VIV_HANDLER(h_select);        // [h][a][b][cond][d]
VIV_HANDLER(h_select2);       // v128
VIV_HANDLER(h_global_get);    // [h][g][d]
VIV_HANDLER(h_global_get2);
VIV_HANDLER(h_global_set);    // [h][g][src]
VIV_HANDLER(h_global_set2);
VIV_HANDLER(h_ref_func);      // [h][func][d]
VIV_HANDLER(h_ref_is_null);   // unop

// ---- memory (ops_memory.cc) ----
VIV_HANDLER(h_memory_size);   // [h][d]
VIV_HANDLER(h_memory_grow);   // [h][a][d]
VIV_HANDLER(h_memory_fill);   // [h][dst][val][n]
VIV_HANDLER(h_memory_copy);   // [h][dst][src][n]
VIV_HANDLER(h_memory_init);   // [h][dst][src][n][seg]
VIV_HANDLER(h_data_drop);     // [h][seg]
VIV_HANDLER(h_v128_load);     // load layout, 16 bytes
VIV_HANDLER(h_v128_store);    // store layout

// ---- tables (ops_table.cc) ----
VIV_HANDLER(h_table_get);     // [h][idx][d][table]
VIV_HANDLER(h_table_set);     // [h][idx][val][table]
VIV_HANDLER(h_table_size);    // [h][d][table]
VIV_HANDLER(h_table_grow);    // [h][init][n][d][table]
VIV_HANDLER(h_table_fill);    // [h][i][val][n][table]
VIV_HANDLER(h_table_copy);    // [h][d][s][n][dst_table][src_table]
VIV_HANDLER(h_table_init);    // [h][d][s][n][table][seg]
VIV_HANDLER(h_elem_drop);     // [h][seg]

}  // namespace vivarium::engine::interp
