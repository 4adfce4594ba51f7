// What the float superinstructions (ops_float_fused.cc, ops_float_mem.cc)
// share: the four arithmetic operations as a template parameter, with the
// same C++ expressions as ops_float.cc (so NaN bits match the unfused form),
// typed slot access, and the opcode -> <type, operation, operand order>
// dispatch that picks a handler instantiation. The engine builds with
// -ffp-contract=off (CMakeLists.txt), so a*b+c here is never an fma.
#pragma once
#include "engine/interp/handler.h"
#include "engine/interp/semantics.h"

namespace vivarium::engine::interp {
namespace float_fused {

enum class FOp { add, sub, mul, div };
template <class F> F rd(const Slot* fp, uint32_t s);
template <> inline float rd<float>(const Slot* fp, uint32_t s) { return rd_f32(fp, s); }
template <> inline double rd<double>(const Slot* fp, uint32_t s) { return rd_f64(fp, s); }
inline void wr(Slot* fp, uint32_t s, float v) { wr_f32(fp, s, v); }
inline void wr(Slot* fp, uint32_t s, double v) { wr_f64(fp, s, v); }

// A product t (already rounded) combined with c; K: 0 = t + c, 1 = t - c,
// 2 = c - t, 3 = c + t (operand order kept: NaN payloads).
template <int K, class F>
[[gnu::always_inline]] inline F mul_add_kind(F t, F c) {
  if constexpr (K == 0) return t + c;
  else if constexpr (K == 1) return t - c;
  else if constexpr (K == 2) return c - t;
  else return c + t;
}

// The operator O of type F, whose semantics is sem::Binop's.
template <FOp O, class F>
constexpr Op float_op() {
  constexpr bool d = sizeof(F) == 8;
  if constexpr (O == FOp::add) return d ? Op::f64_add : Op::f32_add;
  else if constexpr (O == FOp::sub) return d ? Op::f64_sub : Op::f32_sub;
  else if constexpr (O == FOp::mul) return d ? Op::f64_mul : Op::f32_mul;
  else return d ? Op::f64_div : Op::f32_div;
}
template <FOp O, class F>
[[gnu::always_inline]] inline F apply(F a, F b) {
  return sem::Binop<float_op<O, F>()>::apply(a, b);
}

inline bool float_arith(Op op, bool& is64, FOp& o) {
  switch (op) {
    case Op::f32_add: is64 = false; o = FOp::add; return true;
    case Op::f32_sub: is64 = false; o = FOp::sub; return true;
    case Op::f32_mul: is64 = false; o = FOp::mul; return true;
    case Op::f32_div: is64 = false; o = FOp::div; return true;
    case Op::f64_add: is64 = true; o = FOp::add; return true;
    case Op::f64_sub: is64 = true; o = FOp::sub; return true;
    case Op::f64_mul: is64 = true; o = FOp::mul; return true;
    case Op::f64_div: is64 = true; o = FOp::div; return true;
    default: return false;
  }
}

template <template <class, FOp, bool> class P>
Handler dispatch(Op op, bool rev, bool n) {
  bool is64;
  FOp o;
  if (!float_arith(op, is64, o)) return nullptr;
  // Commutative ones keep their operand order too: which NaN's payload an
  // operation propagates depends on it, and the fused form matches the unfused.
#define VIV_PICK(F)                                                          \
  switch (o) {                                                               \
    case FOp::add: return rev ? P<F, FOp::add, true>::get(n) : P<F, FOp::add, false>::get(n); \
    case FOp::mul: return rev ? P<F, FOp::mul, true>::get(n) : P<F, FOp::mul, false>::get(n); \
    case FOp::sub: return rev ? P<F, FOp::sub, true>::get(n) : P<F, FOp::sub, false>::get(n); \
    case FOp::div: return rev ? P<F, FOp::div, true>::get(n) : P<F, FOp::div, false>::get(n); \
  }
  if (is64) { VIV_PICK(double) } else { VIV_PICK(float) }
#undef VIV_PICK
  return nullptr;
}
}  // namespace float_fused
}  // namespace vivarium::engine::interp
