// Float superinstructions (issue 5: float-heavy code). Each one does exactly
// what the wasm instructions it replaces do, with the same C++ expressions as
// ops_float.cc, so results (NaN bits included) are those of the unfused form.
//
//   binop+const   narrow [h][a|d][k..]       wide [h][a][d][k..]     d = a op k (or k op a)
//                 k is one Word for f32, two (imm64) for f64
//   binop+load    narrow [h][x|addr][d][off] wide [h][x][addr][d][off]
//                 d = x op mem[addr+off] (or mem[addr+off] op x); traps like the load
//   cmp+const     as binop+const, d = (a CMP k); fused with br_if/if:
//                 [h][a][rel][k..]
//   mul+add/sub   narrow [h][a|b][c|d]       wide [h][a][b][c][d]
//                 t = a*b (rounded); d = t + c, t - c, c - t or c + t (rounded again)
//   mul+sqrt      narrow [h][x|s][d]         d = x * sqrt(s) (or sqrt(s) * x): `d2 * sqrt(d2)`
//
// Never a fused multiply-add: a*b and the add are rounded separately, as
// wasm requires: the engine builds with -ffp-contract=off (CMakeLists.txt).
#include <cstring>

#include "engine/interp/exec_state.h"
#include "engine/interp/float_arith.h"
#include "engine/interp/float_ops.h"
#include "engine/interp/layout.h"
#include "engine/interp/ops.h"

namespace vivarium::engine::interp {
namespace {

using namespace float_fused;

template <class F>
[[gnu::always_inline]] inline F imm_f(const Word* pc, uint32_t k) {
  if constexpr (sizeof(F) == 8) {
    double d;
    const uint64_t b = imm64(pc, k);
    std::memcpy(&d, &b, 8);
    return d;
  } else {
    float f;
    const uint32_t b = pc[k].u32;
    std::memcpy(&f, &b, 4);
    return f;
  }
}

// ---- binop with a constant operand ----
template <class F, FOp O, bool Rev, bool N>
VIV_HANDLER(h_fbin_imm) {
  using L = UnopL<N>;
  const F a = rd<F>(fp, L::a(pc)), k = imm_f<F>(pc, L::kWords);
  wr(fp, L::d(pc), Rev ? apply<O>(k, a) : apply<O>(a, k));
  VIV_NEXT(L::kWords + sizeof(F) / 4);
}

// ---- binop with a loaded operand ----
template <bool N> struct FLoadL {
  static uint32_t x(const Word* pc) { return N ? lo16(pc, 1) : pc[1].u32; }
  static uint32_t addr(const Word* pc) { return N ? hi16(pc, 1) : pc[2].u32; }
  static uint32_t d(const Word* pc) { return N ? pc[2].u32 : pc[3].u32; }
  static uint64_t off(const Word* pc) { return N ? pc[3].u32 : pc[4].u32; }
  static constexpr uint32_t kWords = N ? 4 : 5;
};
template <class F, FOp O, bool Rev, bool N>
VIV_HANDLER(h_fbin_load) {
  using L = FLoadL<N>;
  const uint64_t addr = rd_u32(fp, L::addr(pc));
  const uint64_t off = L::off(pc);
  if (!mem_in_bounds(st, addr, off, sizeof(F))) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  F m;
  std::memcpy(&m, mem + addr + off, sizeof(F));
  const F x = rd<F>(fp, L::x(pc));
  wr(fp, L::d(pc), Rev ? apply<O>(m, x) : apply<O>(x, m));
  VIV_NEXT(L::kWords);
}

// The same, the result stored back where it was loaded from (`p->x += v`):
// narrow [h][x|addr][off], wide [h][x][addr][off]. The store cannot trap
// once the load did not (same address, size and offset).
template <bool N> struct FRmwL {
  static uint32_t x(const Word* pc) { return N ? lo16(pc, 1) : pc[1].u32; }
  static uint32_t addr(const Word* pc) { return N ? hi16(pc, 1) : pc[2].u32; }
  static uint64_t off(const Word* pc) { return N ? pc[2].u32 : pc[3].u32; }
  static constexpr uint32_t kWords = N ? 3 : 4;
};
template <class F, FOp O, bool Rev, bool N>
VIV_HANDLER(h_fbin_rmw) {
  using L = FRmwL<N>;
  const uint64_t addr = rd_u32(fp, L::addr(pc));
  const uint64_t off = L::off(pc);
  if (!mem_in_bounds(st, addr, off, sizeof(F))) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  F m;
  std::memcpy(&m, mem + addr + off, sizeof(F));
  const F x = rd<F>(fp, L::x(pc));
  const F r = Rev ? apply<O>(m, x) : apply<O>(x, m);
  std::memcpy(mem + addr + off, &r, sizeof(F));
  VIV_NEXT(L::kWords);
}

// ---- multiply feeding an add or subtract ----
template <bool N> struct MulAddL {
  static uint32_t a(const Word* pc) { return N ? lo16(pc, 1) : pc[1].u32; }
  static uint32_t b(const Word* pc) { return N ? hi16(pc, 1) : pc[2].u32; }
  static uint32_t c(const Word* pc) { return N ? lo16(pc, 2) : pc[3].u32; }
  static uint32_t d(const Word* pc) { return N ? hi16(pc, 2) : pc[4].u32; }
  static constexpr uint32_t kWords = N ? 3 : 5;
};
// K: 0 = t + c, 1 = t - c, 2 = c - t, 3 = c + t (operand order kept: NaN payloads).
template <class F, int K, bool N>
VIV_HANDLER(h_fmul_add) {
  using L = MulAddL<N>;
  const F a = rd<F>(fp, L::a(pc)), b = rd<F>(fp, L::b(pc)), c = rd<F>(fp, L::c(pc));
  const F tt = a * b;  // rounded on its own (contraction is off): never an fma
  const F r = mul_add_kind<K>(tt, c);
  wr(fp, L::d(pc), r);
  VIV_NEXT(L::kWords);
}

// ---- add/sub feeding add/sub ----
// Layout as mul+add (narrow only). K: 0 = t OP2 c, 1 = c OP2 t, t = a OP1 b.
template <class F, FOp O1, FOp O2, int K>
VIV_HANDLER(h_fadd_chain) {
  using L = layout::ab_cd;
  const F t = apply<O1>(rd<F>(fp, L::a(pc)), rd<F>(fp, L::b(pc))), c = rd<F>(fp, L::c(pc));
  wr(fp, L::d(pc), K == 0 ? apply<O2>(t, c) : apply<O2>(c, t));
  VIV_NEXT(L::kWords);
}

// ---- comparison with a constant ----
// d = a CMP k: [h][a|d][k..] / [h][a][d][k..] (as binop+const). Fused with the
// br_if or `if` consuming it: [h][a][rel][k..]; Not branches when false
// (`if`; NaN makes that no other comparison), Loop is a back-edge.
enum class FCmp { eq, ne, lt, gt, le, ge };
template <FCmp C, class F>
constexpr Op fcmp_op() {
  constexpr bool d = sizeof(F) == 8;
  if constexpr (C == FCmp::eq) return d ? Op::f64_eq : Op::f32_eq;
  else if constexpr (C == FCmp::ne) return d ? Op::f64_ne : Op::f32_ne;
  else if constexpr (C == FCmp::lt) return d ? Op::f64_lt : Op::f32_lt;
  else if constexpr (C == FCmp::gt) return d ? Op::f64_gt : Op::f32_gt;
  else if constexpr (C == FCmp::le) return d ? Op::f64_le : Op::f32_le;
  else return d ? Op::f64_ge : Op::f32_ge;
}
// Comparison C of type F, whose semantics is sem::Binop's.
template <FCmp C, class F>
[[gnu::always_inline]] inline bool cmp(F a, F b) {
  return sem::Binop<fcmp_op<C, F>()>::apply(a, b);
}
template <class F, FCmp C, bool N>
VIV_HANDLER(h_fcmp_imm) {
  using L = UnopL<N>;
  wr_u32(fp, L::d(pc), cmp<C>(rd<F>(fp, L::a(pc)), imm_f<F>(pc, L::kWords)) ? 1u : 0u);
  VIV_NEXT(L::kWords + sizeof(F) / 4);
}
template <class F, FCmp C, bool Not, bool Loop>
VIV_HANDLER(h_fbrci) {
  if (cmp<C>(rd<F>(fp, pc[1].u32), imm_f<F>(pc, 3)) != Not) {
    if constexpr (Loop) VIV_BACK_EDGE(2);
    else VIV_JUMP(pc + pc[2].i32);
  }
  VIV_NEXT(3 + sizeof(F) / 4);
}
bool float_cmp(Op op, bool& is64, FCmp& c) {
  switch (op) {
    case Op::f32_eq: is64 = false; c = FCmp::eq; return true;
    case Op::f32_ne: is64 = false; c = FCmp::ne; return true;
    case Op::f32_lt: is64 = false; c = FCmp::lt; return true;
    case Op::f32_gt: is64 = false; c = FCmp::gt; return true;
    case Op::f32_le: is64 = false; c = FCmp::le; return true;
    case Op::f32_ge: is64 = false; c = FCmp::ge; return true;
    case Op::f64_eq: is64 = true; c = FCmp::eq; return true;
    case Op::f64_ne: is64 = true; c = FCmp::ne; return true;
    case Op::f64_lt: is64 = true; c = FCmp::lt; return true;
    case Op::f64_gt: is64 = true; c = FCmp::gt; return true;
    case Op::f64_le: is64 = true; c = FCmp::le; return true;
    case Op::f64_ge: is64 = true; c = FCmp::ge; return true;
    default: return false;
  }
}
// kind: 0 = the comparison (N = narrow), 1 = branch if true, 2 = back-edge if
// true, 3 = branch if false.
template <class F, FCmp C>
Handler pick_cmp(int kind, bool n) {
  switch (kind) {
    case 0: return n ? &h_fcmp_imm<F, C, true> : &h_fcmp_imm<F, C, false>;
    case 1: return &h_fbrci<F, C, false, false>;
    case 2: return &h_fbrci<F, C, false, true>;
    case 3: return &h_fbrci<F, C, true, false>;
  }
  return nullptr;
}
template <class F>
Handler pick_cmp_f(FCmp c, int kind, bool n) {
  switch (c) {
    case FCmp::eq: return pick_cmp<F, FCmp::eq>(kind, n);
    case FCmp::ne: return pick_cmp<F, FCmp::ne>(kind, n);
    case FCmp::lt: return pick_cmp<F, FCmp::lt>(kind, n);
    case FCmp::gt: return pick_cmp<F, FCmp::gt>(kind, n);
    case FCmp::le: return pick_cmp<F, FCmp::le>(kind, n);
    case FCmp::ge: return pick_cmp<F, FCmp::ge>(kind, n);
  }
  return nullptr;
}

template <class F, FOp O, bool Rev>
Handler pick_imm(bool n) { return n ? &h_fbin_imm<F, O, Rev, true> : &h_fbin_imm<F, O, Rev, false>; }
template <class F, FOp O, bool Rev>
Handler pick_load(bool n) { return n ? &h_fbin_load<F, O, Rev, true> : &h_fbin_load<F, O, Rev, false>; }

template <class F, FOp O, bool Rev> struct ImmP { static Handler get(bool n) { return pick_imm<F, O, Rev>(n); } };
template <class F, FOp O, bool Rev>
Handler pick_rmw(bool n) { return n ? &h_fbin_rmw<F, O, Rev, true> : &h_fbin_rmw<F, O, Rev, false>; }
template <class F, FOp O, bool Rev> struct RmwP { static Handler get(bool n) { return pick_rmw<F, O, Rev>(n); } };
template <class F, FOp O, bool Rev> struct LoadP { static Handler get(bool n) { return pick_load<F, O, Rev>(n); } };

template <class F, bool SLeft>
VIV_HANDLER(h_fmul_sqrt) {
  using L = layout::ab_d;  // a = x, b = s
  const F x = rd<F>(fp, L::a(pc)), r = wasm_sqrt(rd<F>(fp, L::b(pc)));
  wr(fp, L::d(pc), SLeft ? r * x : x * r);
  VIV_NEXT(L::kWords);
}

}  // namespace

Handler float_mul_sqrt_handler(Op mul, Op sqrt, bool sqrt_left) {
  if (mul == Op::f64_mul && sqrt == Op::f64_sqrt) return sqrt_left ? &h_fmul_sqrt<double, true> : &h_fmul_sqrt<double, false>;
  if (mul == Op::f32_mul && sqrt == Op::f32_sqrt) return sqrt_left ? &h_fmul_sqrt<float, true> : &h_fmul_sqrt<float, false>;
  return nullptr;
}
Handler float_binop_imm_handler(Op op, bool const_left, bool narrow) { return dispatch<ImmP>(op, const_left, narrow); }
Handler float_binop_load_handler(Op op, bool load_left, bool narrow) { return dispatch<LoadP>(op, load_left, narrow); }
Handler float_compare_imm_handler(Op cmp, int kind, bool narrow) {
  bool is64;
  FCmp c;
  if (!float_cmp(cmp, is64, c)) return nullptr;
  return is64 ? pick_cmp_f<double>(c, kind, narrow) : pick_cmp_f<float>(c, kind, narrow);
}
Handler float_binop_rmw_handler(Op op, bool load_left, bool narrow) { return dispatch<RmwP>(op, load_left, narrow); }
Handler float_add_chain_handler(Op first, Op second, int kind) {
  bool is64a, is64b;
  FOp o1, o2;
  if (!float_arith(first, is64a, o1) || !float_arith(second, is64b, o2) || is64a != is64b || kind < 0 || kind > 1 ||
      o1 == FOp::mul || o1 == FOp::div || o2 == FOp::mul || o2 == FOp::div)
    return nullptr;
  const bool s1 = o1 == FOp::sub, s2 = o2 == FOp::sub, k = kind == 1;
#define VIV_CHAIN(F)                                                                              \
  return s1 ? (s2 ? (k ? &h_fadd_chain<F, FOp::sub, FOp::sub, 1> : &h_fadd_chain<F, FOp::sub, FOp::sub, 0>)  \
                  : (k ? &h_fadd_chain<F, FOp::sub, FOp::add, 1> : &h_fadd_chain<F, FOp::sub, FOp::add, 0>)) \
            : (s2 ? (k ? &h_fadd_chain<F, FOp::add, FOp::sub, 1> : &h_fadd_chain<F, FOp::add, FOp::sub, 0>)  \
                  : (k ? &h_fadd_chain<F, FOp::add, FOp::add, 1> : &h_fadd_chain<F, FOp::add, FOp::add, 0>));
  if (is64a) { VIV_CHAIN(double) } else { VIV_CHAIN(float) }
#undef VIV_CHAIN
}
Handler float_mul_add_handler(Op mul, Op add, int kind, bool narrow) {
  if (mul == Op::f64_mul && (add == Op::f64_add || add == Op::f64_sub)) {
    switch (kind) {
      case 0: return narrow ? &h_fmul_add<double, 0, true> : &h_fmul_add<double, 0, false>;
      case 1: return narrow ? &h_fmul_add<double, 1, true> : &h_fmul_add<double, 1, false>;
      case 2: return narrow ? &h_fmul_add<double, 2, true> : &h_fmul_add<double, 2, false>;
      case 3: return narrow ? &h_fmul_add<double, 3, true> : &h_fmul_add<double, 3, false>;
    }
  }
  if (mul == Op::f32_mul && (add == Op::f32_add || add == Op::f32_sub)) {
    switch (kind) {
      case 0: return narrow ? &h_fmul_add<float, 0, true> : &h_fmul_add<float, 0, false>;
      case 1: return narrow ? &h_fmul_add<float, 1, true> : &h_fmul_add<float, 1, false>;
      case 2: return narrow ? &h_fmul_add<float, 2, true> : &h_fmul_add<float, 2, false>;
      case 3: return narrow ? &h_fmul_add<float, 3, true> : &h_fmul_add<float, 3, false>;
    }
  }
  return nullptr;
}

}  // namespace vivarium::engine::interp
