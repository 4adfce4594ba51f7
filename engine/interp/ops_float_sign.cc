// `x * fabs(y)`, `a + -b`: an f32/f64 abs or neg just computed into a
// temporary, feeding an add/sub/mul/div of the same type -- one dispatch
// instead of two. A row of fusions.def (float_sign_binop) in layout ab_d:
//   d = (a with its sign cleared or flipped) op b   (or b op that)
// The sign operation is the plain handlers' bit operation (ops_float.cc:
// NaN payloads untouched), the arithmetic sem::Binop's with the operand
// order kept, so the bits are the unfused pair's, NaNs included.
#include <bit>
#include <type_traits>

#include "engine/interp/float_arith.h"
#include "engine/interp/layout.h"
#include "engine/interp/ops.h"

namespace vivarium::engine::interp {
namespace {

using namespace float_fused;

// abs (clear the sign bit) or neg (flip it) of the bits of slot `s`, as F.
template <class F, bool Neg>
[[gnu::always_inline]] inline F sign_op(const Slot* fp, uint32_t s) {
  using U = std::conditional_t<sizeof(F) == 8, uint64_t, uint32_t>;
  constexpr U kSign = U{1} << (sizeof(F) * 8 - 1);
  const U b = static_cast<U>(rd_u64(fp, s));
  return std::bit_cast<F>(Neg ? U(b ^ kSign) : U(b & ~kSign));
}

template <class F, FOp O, bool Neg, bool SignLeft>
VIV_HANDLER(h_fsign_bin) {
  using L = layout::ab_d;  // a = the abs/neg's operand, b = the binop's other operand
  const F u = sign_op<F, Neg>(fp, L::a(pc)), x = rd<F>(fp, L::b(pc));
  wr(fp, L::d(pc), SignLeft ? apply<O>(u, x) : apply<O>(x, u));
  VIV_NEXT(L::kWords);
}

template <class F, FOp O>
Handler pick(bool neg, bool sign_left) {
  if (neg) return sign_left ? &h_fsign_bin<F, O, true, true> : &h_fsign_bin<F, O, true, false>;
  return sign_left ? &h_fsign_bin<F, O, false, true> : &h_fsign_bin<F, O, false, false>;
}

template <class F>
Handler pick(FOp o, bool neg, bool sign_left) {
  switch (o) {
    case FOp::add: return pick<F, FOp::add>(neg, sign_left);
    case FOp::sub: return pick<F, FOp::sub>(neg, sign_left);
    case FOp::mul: return pick<F, FOp::mul>(neg, sign_left);
    case FOp::div: return pick<F, FOp::div>(neg, sign_left);
  }
  return nullptr;
}

}  // namespace

Handler float_sign_binop_handler(Op binop, Op sign, bool sign_left) {
  bool is64;
  FOp o;
  if (!float_arith(binop, is64, o)) return nullptr;
  const bool neg = sign == (is64 ? Op::f64_neg : Op::f32_neg);
  if (!neg && sign != (is64 ? Op::f64_abs : Op::f32_abs)) return nullptr;
  return is64 ? pick<double>(o, neg, sign_left) : pick<float>(o, neg, sign_left);
}

}  // namespace vivarium::engine::interp
