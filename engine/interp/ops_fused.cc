// Superinstructions: a comparison fused with the br_if that consumes it.
// The lowering rewrites the comparison in place (same binop layout, the
// destination field becomes the branch offset), so a loop test costs one
// dispatch instead of two and the flag never goes through a slot. Layout:
//   [h][a | b][rel | -]     if (a OP b) pc += rel, else next
#include "engine/interp/exec_state.h"
#include "engine/interp/ops.h"

namespace viv::interp {
namespace {

#define VIV_FUSED_CMPS(X)                                                                        \
  X(i32_eq, uint32_t, a == b) X(i32_ne, uint32_t, a != b)                                        \
  X(i32_lt_s, int32_t, a < b) X(i32_lt_u, uint32_t, a < b) X(i32_gt_s, int32_t, a > b)           \
  X(i32_gt_u, uint32_t, a > b) X(i32_le_s, int32_t, a <= b) X(i32_le_u, uint32_t, a <= b)        \
  X(i32_ge_s, int32_t, a >= b) X(i32_ge_u, uint32_t, a >= b)                                     \
  X(i64_eq, uint64_t, a == b) X(i64_ne, uint64_t, a != b)                                        \
  X(i64_lt_s, int64_t, a < b) X(i64_lt_u, uint64_t, a < b) X(i64_gt_s, int64_t, a > b)           \
  X(i64_gt_u, uint64_t, a > b) X(i64_le_s, int64_t, a <= b) X(i64_le_u, uint64_t, a <= b)        \
  X(i64_ge_s, int64_t, a >= b) X(i64_ge_u, uint64_t, a >= b)

template <class T>
T operand(const Slot* fp, uint32_t s) {
  if constexpr (sizeof(T) == 4) return static_cast<T>(rd_u32(fp, s));
  else return static_cast<T>(rd_u64(fp, s));
}

#define VIV_DEF_FUSED(id, T, expr)                                                   \
  VIV_HANDLER(h_brc_##id) {                                                          \
    const T a = operand<T>(fp, pc[1].u32[0]), b = operand<T>(fp, pc[1].u32[1]);      \
    if (expr) VIV_JUMP(pc + pc[2].i32[0]);                                           \
    VIV_NEXT(3);                                                                     \
  }                                                                                  \
  VIV_HANDLER(h_brc_loop_##id) {                                                     \
    const T a = operand<T>(fp, pc[1].u32[0]), b = operand<T>(fp, pc[1].u32[1]);      \
    if (expr) {                                                                      \
      if (--st->budget < 0 && !slow_check(st, pc)) return nullptr;                   \
      VIV_JUMP(pc + pc[2].i32[0]);                                                   \
    }                                                                                \
    VIV_NEXT(3);                                                                     \
  }
VIV_FUSED_CMPS(VIV_DEF_FUSED)

}  // namespace

Handler fused_compare_branch(Op cmp, bool back_edge) {
  switch (cmp) {
#define VIV_CASE(id, ...) \
  case Op::id: return back_edge ? &h_brc_loop_##id : &h_brc_##id;
    VIV_FUSED_CMPS(VIV_CASE)
#undef VIV_CASE
    default: return nullptr;
  }
}

}  // namespace viv::interp
