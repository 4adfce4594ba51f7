// Superinstructions: a comparison (also with a constant right operand) fused
// with the br_if or `if` that consumes it.
// The lowering rewrites the comparison in place (same binop layout, the
// destination field becomes the branch offset), so a loop test costs one
// dispatch instead of two and the flag never goes through a slot. Layout:
//   [h][a][b][rel]     if (a OP b) pc += rel, else next
#include <type_traits>

#include "engine/interp/exec_state.h"
#include "engine/interp/ops.h"
#include "engine/interp/semantics.h"

namespace vivarium::engine::interp {
namespace {

// The comparisons' semantics are sem::Binop (semantics.h). Float
// comparisons have no negation among themselves (NaN: !(a < b) is not
// a >= b), so `if` on one branches on the negated expression itself.
#define VIV_FUSED_CMPS(X) VIV_SEM_I32_CMPS(X) VIV_SEM_I64_CMPS(X) VIV_SEM_FLOAT_CMPS(X)

// The immediate of a constant-operand comparison (ops_int.cc): i64 ones are
// sign-extended from 32 bits.
template <class T>
T imm(uint32_t v) {
  if constexpr (sizeof(T) == 4) return static_cast<T>(v);
  else return static_cast<T>(static_cast<int64_t>(static_cast<int32_t>(v)));
}

template <class T>
T operand(const Slot* fp, uint32_t s) {
  if constexpr (std::is_same_v<T, float>) return rd_f32(fp, s);
  else if constexpr (std::is_same_v<T, double>) return rd_f64(fp, s);
  else if constexpr (sizeof(T) == 4) return static_cast<T>(rd_u32(fp, s));
  else return static_cast<T>(rd_u64(fp, s));
}

#define VIV_DEF_FUSED(id, T, ...)                                                    \
  VIV_HANDLER(h_brc_##id) {                                                          \
    const T a = operand<T>(fp, pc[1].u32), b = operand<T>(fp, pc[2].u32);      \
    if (sem::Binop<Op::id>::apply(a, b)) VIV_JUMP(pc + pc[3].i32);                                           \
    VIV_NEXT(4);                                                                     \
  }                                                                                  \
  VIV_HANDLER(h_brc_loop_##id) {                                                     \
    const T a = operand<T>(fp, pc[1].u32), b = operand<T>(fp, pc[2].u32);      \
    if (sem::Binop<Op::id>::apply(a, b)) VIV_BACK_EDGE(3);                                                   \
    VIV_NEXT(4);                                                                     \
  }                                                                                  \
  VIV_HANDLER(h_brci_##id) {                                                         \
    const T a = operand<T>(fp, pc[1].u32), b = imm<T>(pc[2].u32);              \
    if (sem::Binop<Op::id>::apply(a, b)) VIV_JUMP(pc + pc[3].i32);                                           \
    VIV_NEXT(4);                                                                     \
  }                                                                                  \
  VIV_HANDLER(h_brci_loop_##id) {                                                    \
    const T a = operand<T>(fp, pc[1].u32), b = imm<T>(pc[2].u32);              \
    if (sem::Binop<Op::id>::apply(a, b)) VIV_BACK_EDGE(3);                                                   \
    VIV_NEXT(4);                                                                     \
  }
VIV_FUSED_CMPS(VIV_DEF_FUSED)
#define VIV_DEF_FUSED_NOT(id, T, ...)                                             \
  VIV_HANDLER(h_brc_not_##id) {                                                   \
    const T a = operand<T>(fp, pc[1].u32), b = operand<T>(fp, pc[2].u32);         \
    if (!sem::Binop<Op::id>::apply(a, b)) VIV_JUMP(pc + pc[3].i32);                                        \
    VIV_NEXT(4);                                                                  \
  }
VIV_SEM_FLOAT_CMPS(VIV_DEF_FUSED_NOT)

// A counting loop's step and test in one dispatch: an i32 add of a constant
// (`i += k`, usually retargeted to the local) followed by the back-edge
// compare-and-branch. Layout: [h][a][k][d][x][y][rel]: d = a + k, then
// if (x OP y) (y a slot, or an immediate for the brci form) jump back.
#define VIV_DEF_STEP(id, T, ...)                                                      \
  VIV_HANDLER(h_step_brc_loop_##id) {                                                 \
    fp[pc[3].u32] = static_cast<uint32_t>(rd_u32(fp, pc[1].u32) + pc[2].u32); \
    const T a = operand<T>(fp, pc[4].u32), b = operand<T>(fp, pc[5].u32);       \
    if (sem::Binop<Op::id>::apply(a, b)) VIV_BACK_EDGE(6);                                                    \
    VIV_NEXT(7);                                                                      \
  }                                                                                   \
  VIV_HANDLER(h_step_brci_loop_##id) {                                                \
    fp[pc[3].u32] = static_cast<uint32_t>(rd_u32(fp, pc[1].u32) + pc[2].u32); \
    const T a = operand<T>(fp, pc[4].u32), b = imm<T>(pc[5].u32);               \
    if (sem::Binop<Op::id>::apply(a, b)) VIV_BACK_EDGE(6);                                                    \
    VIV_NEXT(7);                                                                      \
  }
VIV_SEM_I32_CMPS(VIV_DEF_STEP)

}  // namespace

Handler step_compare_back_edge(Op cmp, bool imm) {
  switch (cmp) {
#define VIV_CASE(id, ...) \
  case Op::id: return imm ? &h_step_brci_loop_##id : &h_step_brc_loop_##id;
    VIV_SEM_I32_CMPS(VIV_CASE)
#undef VIV_CASE
    default: return nullptr;
  }
}

Handler fused_compare_branch(Op cmp, bool back_edge, bool imm) {
  switch (cmp) {
#define VIV_CASE(id, T, ...)                                               \
  case Op::id:                                                             \
    if (std::is_floating_point_v<T> && imm) return nullptr;                \
    if (imm) return back_edge ? &h_brci_loop_##id : &h_brci_##id;         \
    return back_edge ? &h_brc_loop_##id : &h_brc_##id;
    VIV_FUSED_CMPS(VIV_CASE)
#undef VIV_CASE
    default: return nullptr;
  }
}

}  // namespace vivarium::engine::interp

namespace vivarium::engine::interp {
Handler fused_compare_branch_not(Op cmp) {
  switch (cmp) {
#define VIV_CASE(id, ...) \
  case Op::id: return &h_brc_not_##id;
    VIV_SEM_FLOAT_CMPS(VIV_CASE)
#undef VIV_CASE
    default: return nullptr;
  }
}
}  // namespace vivarium::engine::interp
