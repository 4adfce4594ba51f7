// Float results stored straight to memory (issue 5: `p->v -= a * b * c` in
// nbody-like code): the value the store writes never takes a slot.
//
//   mul+add+rmw    narrow [h][a|b][addr][off]
//                  mem[addr+off] = a*b + c (or a*b - c, c - a*b, c + a*b),
//                  c = mem[addr+off] (loaded first)
//   mul+rmw        narrow [h][a|b][addr][off]
//                  mem[addr+off] = a*b OP mem[addr+off] (or mem OP a*b)
//   mul+mul+rmw    narrow [h][x|y][z|addr][off]
//                  either rmw above with a*b = (x*y)*z (or z*(x*y): the
//                  product of a multiply just before, its temporary dead)
//   axpy           narrow [h][y|p][q][k][offp][offq]
//                  t = y * mem[(p+k) + offp] (or mem * y);
//                  mem[q+offq] = t OP mem[q+offq] (or mem OP t), OP add/sub;
//                  traps at Word 0 for the first load, Word 1 for the second
//   axpy at constant addresses (`x += dt * vx` on C globals)
//                  [h][ea_p][ea_q][k..]: t = mem[ea_p] * k (or k * mem);
//                  mem[ea_q] = t OP mem[ea_q], OP add/sub (t comes first:
//                  the wasm computes it before loading mem[ea_q]);
//                  traps as axpy; slots untouched (the four temporaries of
//                  the unfused loads, product and sum are dead)
//   binop+load+k   narrow [h][x|addr][d][k][off]
//                  d = x OP mem[(addr+k) + off] (or mem OP x), addr + k
//                  wrapping in 32 bits as the i32.add it replaces
//
// Each computes with the C++ expressions of the unfused handlers, rounding
// the product on its own (the engine builds with -ffp-contract=off: never an fma),
// so results and NaN bits are the unfused ones. The memory check comes
// before any write; the arithmetic a fused rmw moves after its load cannot
// trap or touch memory, so the trap (at the load) and its effects are the
// unfused ones.
#include <cstring>

#include "engine/interp/exec_state.h"
#include "engine/interp/float_arith.h"
#include "engine/interp/fused_mem.h"
#include "engine/interp/ops.h"

namespace vivarium::engine::interp {
namespace {

using namespace float_fused;

template <class F>
[[gnu::always_inline]] inline F load_f(const uint8_t* p) {
  F v;
  std::memcpy(&v, p, sizeof(F));
  return v;
}

// Both read-modify-writes: mem[addr+off] = C(a*b, mem[addr+off]).
template <class F, class C>
VIV_HANDLER(h_fmul_rmw) {
  const uint64_t addr = rd_u32(fp, pc[2].u32);
  const uint64_t off = pc[3].u32;
  if (!mem_in_bounds(st, addr, off, sizeof(F))) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  const F m = load_f<F>(mem + addr + off);
  const F t = rd<F>(fp, lo16(pc, 1)) * rd<F>(fp, hi16(pc, 1));
  const F r = C::apply(t, m);
  std::memcpy(mem + addr + off, &r, sizeof(F));
  VIV_NEXT(4);
}
// The same with one factor a product of its own (`vx -= dx * m * mag`):
// mem[addr+off] = C(p*z or z*p, mem[addr+off]), p = x*y rounded first.
template <class F, class C, bool PLeft>
VIV_HANDLER(h_fmul3_rmw) {
  const uint64_t addr = rd_u32(fp, hi16(pc, 2));
  const uint64_t off = pc[3].u32;
  if (!mem_in_bounds(st, addr, off, sizeof(F))) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  const F m = load_f<F>(mem + addr + off);
  const F p = rd<F>(fp, lo16(pc, 1)) * rd<F>(fp, hi16(pc, 1)), z = rd<F>(fp, lo16(pc, 2));
  const F r = C::apply(PLeft ? p * z : z * p, m);
  std::memcpy(mem + addr + off, &r, sizeof(F));
  VIV_NEXT(4);
}
template <int K> struct KindC {  // mul+add+rmw: m is the addend c
  template <class F> static F apply(F t, F m) { return mul_add_kind<K>(t, m); }
};
template <FOp O, bool Rev> struct OpC {  // mul+rmw: t OP m, or m OP t
  template <class F> static F apply(F t, F m) { return Rev ? float_fused::apply<O>(m, t) : float_fused::apply<O>(t, m); }
};

template <class F, bool Rev1, FOp O, bool Rev2>
VIV_HANDLER(h_faxpy) {
  const uint64_t pa = static_cast<uint32_t>(rd_u32(fp, hi16(pc, 1)) + pc[3].u32);
  const uint64_t offp = pc[4].u32;
  if (!mem_in_bounds(st, pa, offp, sizeof(F))) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  const F m1 = load_f<F>(mem + pa + offp), y = rd<F>(fp, lo16(pc, 1));
  const F t = Rev1 ? m1 * y : y * m1;
  const uint64_t qa = rd_u32(fp, pc[2].u32);
  const uint64_t offq = pc[5].u32;
  if (!mem_in_bounds(st, qa, offq, sizeof(F))) [[unlikely]] VIV_TAIL(h_trap_memory_oob_word1);
  const F m2 = load_f<F>(mem + qa + offq);
  const F r = Rev2 ? apply<O>(m2, t) : apply<O>(t, m2);
  std::memcpy(mem + qa + offq, &r, sizeof(F));
  VIV_NEXT(6);
}

template <class F, bool KLeft, FOp O>
VIV_HANDLER(h_faxpy_abs) {
  const uint64_t pa = pc[1].u32;
  if (!mem_in_bounds(st, pa, 0, sizeof(F))) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  F k;
  std::memcpy(&k, pc + 3, sizeof(F));
  const F m1 = load_f<F>(mem + pa);
  const F t = KLeft ? k * m1 : m1 * k;
  const uint64_t qa = pc[2].u32;
  if (!mem_in_bounds(st, qa, 0, sizeof(F))) [[unlikely]] VIV_TAIL(h_trap_memory_oob_word1);
  const F m2 = load_f<F>(mem + qa);
  const F r = apply<O>(t, m2);
  std::memcpy(mem + qa, &r, sizeof(F));
  VIV_NEXT(3 + sizeof(F) / 4);
}

template <class F, FOp O, bool Rev>
VIV_HANDLER(h_fbin_load_addi) {
  const uint64_t addr = static_cast<uint32_t>(rd_u32(fp, hi16(pc, 1)) + pc[3].u32);
  const uint64_t off = pc[4].u32;
  if (!mem_in_bounds(st, addr, off, sizeof(F))) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  const F m = load_f<F>(mem + addr + off);
  const F x = rd<F>(fp, lo16(pc, 1));
  wr(fp, pc[2].u32, Rev ? apply<O>(m, x) : apply<O>(x, m));
  VIV_NEXT(5);
}

template <class F, FOp O, bool Rev> struct RmwP { static Handler get(bool) { return &h_fmul_rmw<F, OpC<O, Rev>>; } };
template <class F, FOp O, bool Rev> struct Rmw3P {
  static Handler get(bool p_left) {
    return p_left ? &h_fmul3_rmw<F, OpC<O, Rev>, true> : &h_fmul3_rmw<F, OpC<O, Rev>, false>;
  }
};
template <class F, FOp O, bool Rev> struct AxpyP {
  static Handler get(bool rev1) {
    if constexpr (O == FOp::add || O == FOp::sub) return rev1 ? &h_faxpy<F, true, O, Rev> : &h_faxpy<F, false, O, Rev>;
    else return nullptr;
  }
};
template <class F, FOp O, bool KLeft> struct AxpyAbsP {
  static Handler get(bool) {
    if constexpr (O == FOp::add || O == FOp::sub) return &h_faxpy_abs<F, KLeft, O>;
    else return nullptr;
  }
};
template <class F, FOp O, bool Rev> struct AddiP { static Handler get(bool) { return &h_fbin_load_addi<F, O, Rev>; } };
template <class F, template <class, int> class H>
Handler pick_kind(int kind) {
  switch (kind) {
    case 0: return H<F, 0>::h;
    case 1: return H<F, 1>::h;
    case 2: return H<F, 2>::h;
    case 3: return H<F, 3>::h;
  }
  return nullptr;
}
template <class F, int K> struct RmwK { static constexpr Handler h = &h_fmul_rmw<F, KindC<K>>; };
template <class F, int K> struct Rmw3KL { static constexpr Handler h = &h_fmul3_rmw<F, KindC<K>, true>; };
template <class F, int K> struct Rmw3KR { static constexpr Handler h = &h_fmul3_rmw<F, KindC<K>, false>; };

}  // namespace

Handler float_mul_add_rmw_handler(Op mul, int kind) {
  if (mul == Op::f64_mul) return pick_kind<double, RmwK>(kind);
  if (mul == Op::f32_mul) return pick_kind<float, RmwK>(kind);
  return nullptr;
}
Handler float_mul_rmw_handler(Op op, bool load_left) { return dispatch<RmwP>(op, load_left, true); }
Handler float_mul3_add_rmw_handler(Op mul, int kind, bool p_left) {
  if (mul == Op::f64_mul) return p_left ? pick_kind<double, Rmw3KL>(kind) : pick_kind<double, Rmw3KR>(kind);
  if (mul == Op::f32_mul) return p_left ? pick_kind<float, Rmw3KL>(kind) : pick_kind<float, Rmw3KR>(kind);
  return nullptr;
}
Handler float_mul3_rmw_handler(Op op, bool load_left, bool p_left) { return dispatch<Rmw3P>(op, load_left, p_left); }
Handler float_binop_load_addi_handler(Op op, bool load_left) { return dispatch<AddiP>(op, load_left, true); }
Handler float_axpy_handler(Op rmw_op, bool mul_load_left, bool rmw_load_left) {
  return dispatch<AxpyP>(rmw_op, rmw_load_left, mul_load_left);
}
Handler float_axpy_abs_handler(Op op, bool k_left) { return dispatch<AxpyAbsP>(op, k_left, true); }

}  // namespace vivarium::engine::interp
