// Integer superinstructions for straight-line integer code (layouts in ops.h):
//  - loads and stores at a constant address (`i32.const 0; i32.load
//    offset=G`: C globals), the effective address folded at lowering time;
//  - an i32 binop whose operand the previous i32 binop just computed into a
//    temporary (`rotr(x,6) ^ rotr(x,11)`, `(a & b) ^ c`): the temporary goes
//    straight to its consumer, one dispatch instead of two;
//  - two consecutive slot copies (the register shuffle at the end of a
//    hashing round) in one dispatch.
#include <bit>
#include <cstring>
#include <type_traits>

#include "engine/interp/exec_state.h"
#include "engine/interp/layout.h"
#include "engine/interp/ops.h"
#include "engine/interp/semantics.h"

namespace vivarium::engine::interp {
namespace {

// ---- constant address: [h][v][ea], ea = address + offset (< 2^32) ----
// The value converts exactly as the plain load's does: a float load's bits
// are an integer load's of its width (slots hold f32 zero-extended).
template <class M, class R>
VIV_HANDLER(h_load_abs) {
  const uint64_t ea = pc[2].u32;
  if (!mem_in_bounds(st, ea, 0, sizeof(M))) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  M v;
  std::memcpy(&v, mem + ea, sizeof(M));
  if constexpr (sizeof(R) == 4) wr_u32(fp, pc[1].u32, static_cast<uint32_t>(static_cast<R>(v)));
  else wr_u64(fp, pc[1].u32, static_cast<uint64_t>(static_cast<R>(v)));
  VIV_NEXT(3);
}
template <class M>
VIV_HANDLER(h_store_abs) {
  const uint64_t ea = pc[2].u32;
  if (!mem_in_bounds(st, ea, 0, sizeof(M))) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  const M v = static_cast<M>(fp[pc[1].u32]);  // the slot's low bytes
  std::memcpy(mem + ea, &v, sizeof(M));
  VIV_NEXT(3);
}

// ---- binop chains ----
using u32 = uint32_t;
// An i32 binop's semantics (semantics.h) as a template parameter.
template <Op O>
struct I32Op {
  [[gnu::always_inline]] static u32 f(u32 a, u32 b) {
    using T = typename sem::Binop<O>::T;
    return static_cast<u32>(sem::Binop<O>::apply(static_cast<T>(a), static_cast<T>(b)));
  }
};
using Add = I32Op<Op::i32_add>;
using Sub = I32Op<Op::i32_sub>;
using Mul = I32Op<Op::i32_mul>;
using And = I32Op<Op::i32_and>;
using Or = I32Op<Op::i32_or>;
using Xor = I32Op<Op::i32_xor>;
using Shl = I32Op<Op::i32_shl>;
using ShrU = I32Op<Op::i32_shr_u>;
using ShrS = I32Op<Op::i32_shr_s>;
using Rotl = I32Op<Op::i32_rotl>;
using Rotr = I32Op<Op::i32_rotr>;

// t = a F1 b (b an immediate k if I), then d = t F2 c (L) or c F2 t.
//   I: layout ac_d_k, [h][a|c][d][k]     slot: ab_cd, [h][a|b][c|d]
template <class F1, class F2, bool I, bool L>
VIV_HANDLER(h_chain) {
  using Lay = std::conditional_t<I, layout::ac_d_k, layout::ab_cd>;
  const u32 x = rd_u32(fp, Lay::a(pc));
  u32 y;
  if constexpr (I) y = Lay::k(pc);
  else y = rd_u32(fp, Lay::b(pc));
  const u32 b = rd_u32(fp, Lay::c(pc));
  const u32 t = F1::f(x, y);
  wr_u32(fp, Lay::d(pc), L ? F2::f(t, b) : F2::f(b, t));
  VIV_NEXT(Lay::kWords);
}

// t = the i32 at (a + k-or-slot) + off, an i32.load fused with its address
// add; then d = t F2 x (L) or x F2 t: [h][a|x][k-or-b][d][off]. Traps like
// the load, before writing anything.
template <class F2, bool I, bool L>
VIV_HANDLER(h_load_chain) {
  using Lay = layout::load_chain;
  const uint64_t addr = static_cast<u32>(rd_u32(fp, Lay::a(pc)) + (I ? Lay::b(pc) : rd_u32(fp, Lay::b(pc))));
  const uint64_t off = Lay::off(pc);
  if (!mem_in_bounds(st, addr, off, 4)) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  u32 t;
  std::memcpy(&t, mem + addr + off, 4);
  const u32 x = rd_u32(fp, Lay::x(pc));
  wr_u32(fp, Lay::d(pc), L ? F2::f(t, x) : F2::f(x, t));
  VIV_NEXT(Lay::kWords);
}

template <class F1, class F2, bool I>
Handler chain_side(bool left) {
  return left ? &h_chain<F1, F2, I, true> : &h_chain<F1, F2, I, false>;
}
// The consumer F2 by opcode; commutative ones use one side only.
template <class F1, bool I>
Handler chain_consumer(Op op2, bool left) {
  switch (op2) {
    case Op::i32_add: return chain_side<F1, Add, I>(false);
    case Op::i32_and: return chain_side<F1, And, I>(false);
    case Op::i32_or: return chain_side<F1, Or, I>(false);
    case Op::i32_xor: return chain_side<F1, Xor, I>(false);
    case Op::i32_sub: return chain_side<F1, Sub, I>(left);
    default: return nullptr;
  }
}

// ---- i32.load feeding a comparison with a constant and a forward branch
// (`if (p->kind != K)`): [h][addr][off][k][rel]; traps like the load (the
// fused instruction starts where the load did, so its offset entry holds).
#define VIV_DEF_LOAD_BRCI(id, T, ...)                                                \
  VIV_HANDLER(h_load_brci_##id) {                                                    \
    const uint64_t addr = rd_u32(fp, pc[1].u32), off = pc[2].u32;                    \
    if (!mem_in_bounds(st, addr, off, 4)) [[unlikely]] VIV_TAIL(h_trap_memory_oob);  \
    uint32_t v;                                                                      \
    std::memcpy(&v, mem + addr + off, 4);                                            \
    const T a = static_cast<T>(v), b = static_cast<T>(pc[3].u32);                    \
    if (sem::Binop<Op::id>::apply(a, b)) VIV_JUMP(pc + pc[4].i32);                                              \
    VIV_NEXT(5);                                                                     \
  }
VIV_SEM_I32_CMPS(VIV_DEF_LOAD_BRCI)

// ---- bit test and branch: an i32.and with a constant as the condition
// (`if (flags & BIT)`): [h][a][k][rel], branch if a & k is nonzero (Z:
// zero); L: a loop back-edge (budget check).
template <bool Z, bool L>
VIV_HANDLER(h_br_test) {
  if (((rd_u32(fp, pc[1].u32) & pc[2].u32) == 0) == Z) {
    if constexpr (L) VIV_BACK_EDGE(3);
    else VIV_JUMP(pc + pc[3].i32);
  }
  VIV_NEXT(4);
}

// ---- two copies: [h][s1|d1][s2|d2], in order ----
VIV_HANDLER(h_copy_pair_n) {
  fp[hi16(pc, 1)] = fp[lo16(pc, 1)];
  fp[hi16(pc, 2)] = fp[lo16(pc, 2)];
  VIV_NEXT(3);
}

}  // namespace

Handler abs_mem_handler(Op op) {
  using s8 = int8_t;
  using s16 = int16_t;
  using s32 = int32_t;
  using s64 = int64_t;
  using u8 = uint8_t;
  using u16 = uint16_t;
  using u64 = uint64_t;
  switch (op) {
    case Op::i32_load: case Op::f32_load: return &h_load_abs<u32, u32>;
    case Op::i64_load: case Op::f64_load: return &h_load_abs<u64, u64>;
    case Op::i32_load8_s: return &h_load_abs<s8, s32>;
    case Op::i32_load8_u: return &h_load_abs<u8, u32>;
    case Op::i32_load16_s: return &h_load_abs<s16, s32>;
    case Op::i32_load16_u: return &h_load_abs<u16, u32>;
    case Op::i64_load8_s: return &h_load_abs<s8, s64>;
    case Op::i64_load8_u: return &h_load_abs<u8, u64>;
    case Op::i64_load16_s: return &h_load_abs<s16, s64>;
    case Op::i64_load16_u: return &h_load_abs<u16, u64>;
    case Op::i64_load32_s: return &h_load_abs<s32, s64>;
    case Op::i64_load32_u: return &h_load_abs<u32, u64>;
    case Op::i32_store: case Op::f32_store: case Op::i64_store32: return &h_store_abs<u32>;
    case Op::i64_store: case Op::f64_store: return &h_store_abs<u64>;
    case Op::i32_store8: case Op::i64_store8: return &h_store_abs<u8>;
    case Op::i32_store16: case Op::i64_store16: return &h_store_abs<u16>;
    default: return nullptr;
  }
}

Handler chain_handler(Op op1, Op op2, bool imm, bool left) {
  auto pick = [&]<bool I>() -> Handler {
    switch (op1) {
      case Op::i32_add: return chain_consumer<Add, I>(op2, left);
      case Op::i32_and: return chain_consumer<And, I>(op2, left);
      case Op::i32_or: return chain_consumer<Or, I>(op2, left);
      case Op::i32_xor: return chain_consumer<Xor, I>(op2, left);
      case Op::i32_shl: return chain_consumer<Shl, I>(op2, left);
      case Op::i32_shr_u: return chain_consumer<ShrU, I>(op2, left);
      case Op::i32_shr_s: return chain_consumer<ShrS, I>(op2, left);
      case Op::i32_rotl: return chain_consumer<Rotl, I>(op2, left);
      case Op::i32_rotr: return chain_consumer<Rotr, I>(op2, left);
      case Op::i32_sub: return chain_consumer<Sub, I>(op2, left);
      case Op::i32_mul: return chain_consumer<Mul, I>(op2, left);
      default: return nullptr;
    }
  };
  return imm ? pick.template operator()<true>() : pick.template operator()<false>();
}

Handler load_compare_branch_handler(Op cmp) {
  switch (cmp) {
#define VIV_CASE(id, ...) \
  case Op::id: return &h_load_brci_##id;
    VIV_SEM_I32_CMPS(VIV_CASE)
#undef VIV_CASE
    default: return nullptr;
  }
}

Handler bit_test_branch_handler(bool zero, bool back_edge) {
  if (zero) return back_edge ? &h_br_test<true, true> : &h_br_test<true, false>;
  return back_edge ? &h_br_test<false, true> : &h_br_test<false, false>;
}

Handler load_chain_handler(Op op2, bool imm, bool left) {
  auto side = [&]<class F2>(bool l) -> Handler {
    if (imm) return l ? &h_load_chain<F2, true, true> : &h_load_chain<F2, true, false>;
    return l ? &h_load_chain<F2, false, true> : &h_load_chain<F2, false, false>;
  };
  switch (op2) {
    case Op::i32_add: return side.template operator()<Add>(false);
    case Op::i32_and: return side.template operator()<And>(false);
    case Op::i32_or: return side.template operator()<Or>(false);
    case Op::i32_xor: return side.template operator()<Xor>(false);
    case Op::i32_sub: return side.template operator()<Sub>(left);
    default: return nullptr;
  }
}

Handler copy_pair_handler() { return &h_copy_pair_n; }

}  // namespace vivarium::engine::interp
