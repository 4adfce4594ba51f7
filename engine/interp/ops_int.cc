// Integer arithmetic, comparison and bit operations (spec 4.3.2), including
// the two integer traps: "integer divide by zero" and "integer overflow".
#include <bit>
#include <limits>

#include "engine/interp/exec_state.h"
#include "engine/interp/ops.h"
#include "engine/interp/semantics.h"

namespace vivarium::engine::interp {
namespace {

using u32 = uint32_t;
using u64 = uint64_t;
using s32 = int32_t;
using s64 = int64_t;

// Operand readers by C++ type: signed views are bit casts of the unsigned slot.
template <class T> T rd(const Slot* fp, uint32_t s);
template <> u32 rd<u32>(const Slot* fp, uint32_t s) { return rd_u32(fp, s); }
template <> s32 rd<s32>(const Slot* fp, uint32_t s) { return static_cast<s32>(rd_u32(fp, s)); }
template <> u64 rd<u64>(const Slot* fp, uint32_t s) { return rd_u64(fp, s); }
template <> s64 rd<s64>(const Slot* fp, uint32_t s) { return static_cast<s64>(rd_u64(fp, s)); }
inline void wr(Slot* fp, uint32_t s, u32 v) { wr_u32(fp, s, v); }
inline void wr(Slot* fp, uint32_t s, s32 v) { wr_u32(fp, s, static_cast<u32>(v)); }
inline void wr(Slot* fp, uint32_t s, u64 v) { wr_u64(fp, s, v); }
inline void wr(Slot* fp, uint32_t s, s64 v) { wr_u64(fp, s, static_cast<u64>(v)); }
inline void wr(Slot* fp, uint32_t s, bool v) { wr_u32(fp, s, v ? 1u : 0u); }

// The binops' semantics are sem::Binop (semantics.h); results are converted by `wr`.
#define VIV_INT_UNOPS(X)                                                               \
  X(i32_eqz, u32, a == 0) X(i32_clz, u32, u32(std::countl_zero(a)))                   \
  X(i32_ctz, u32, u32(std::countr_zero(a))) X(i32_popcnt, u32, u32(std::popcount(a))) \
  X(i64_eqz, u64, a == 0) X(i64_clz, u64, u64(std::countl_zero(a)))                   \
  X(i64_ctz, u64, u64(std::countr_zero(a))) X(i64_popcnt, u64, u64(std::popcount(a))) \
  X(i32_extend8_s, u32, s32(int8_t(a))) X(i32_extend16_s, u32, s32(int16_t(a)))       \
  X(i64_extend8_s, u64, s64(int8_t(a))) X(i64_extend16_s, u64, s64(int16_t(a)))       \
  X(i64_extend32_s, u64, s64(int32_t(a)))                                             \
  X(i32_wrap_i64, u64, u32(a)) X(i64_extend_i32_s, s32, s64(a)) X(i64_extend_i32_u, u32, u64(a))

#define VIV_DEF_BINOP(id, T, ...)                                     \
  template <bool N>                                                   \
  VIV_HANDLER(h_##id) {                                               \
    using L = BinopL<N>;                                              \
    const T a = rd<T>(fp, L::a(pc)), b = rd<T>(fp, L::b(pc));         \
    wr(fp, L::d(pc), sem::Binop<Op::id>::apply(a, b));                \
    VIV_NEXT(L::kWords);                                              \
  }
#define VIV_DEF_UNOP(id, T, expr)          \
  template <bool N>                        \
  VIV_HANDLER(h_##id) {                    \
    using L = UnopL<N>;                    \
    const T a = rd<T>(fp, L::a(pc));       \
    wr(fp, L::d(pc), expr);                \
    VIV_NEXT(L::kWords);                   \
  }
// Constant right operand (`x + 5`, `i < 100`): the binop+imm layout, the
// immediate where b's slot would be. An i64 immediate is the sign-extended
// 32-bit value (the lowering checks it fits).
template <class T> T imm(uint32_t v);
template <> u32 imm<u32>(uint32_t v) { return v; }
template <> s32 imm<s32>(uint32_t v) { return static_cast<s32>(v); }
template <> u64 imm<u64>(uint32_t v) { return static_cast<u64>(static_cast<s64>(static_cast<s32>(v))); }
template <> s64 imm<s64>(uint32_t v) { return static_cast<s64>(static_cast<s32>(v)); }
#define VIV_DEF_BINOP_IMM(id, T, ...)                                \
  template <bool N>                                                  \
  VIV_HANDLER(h_##id##_imm) {                                        \
    using L = BinopImmL<N>;                                          \
    const T a = rd<T>(fp, L::a(pc)), b = imm<T>(L::k(pc));           \
    wr(fp, L::d(pc), sem::Binop<Op::id>::apply(a, b));               \
    VIV_NEXT(L::kWords);                                             \
  }
VIV_SEM_INT_BINOPS(VIV_DEF_BINOP)
VIV_SEM_INT_BINOPS(VIV_DEF_BINOP_IMM)
VIV_INT_UNOPS(VIV_DEF_UNOP)

// Division: the traps are checked here, once (spec 4.3.2 idiv/irem), and
// reached by tail call so the handlers themselves make no call.
template <class S, class U, bool kRem, bool N>
VIV_HANDLER(h_div_s) {
  using L = BinopL<N>;
  const S a = static_cast<S>(rd<U>(fp, L::a(pc))), b = static_cast<S>(rd<U>(fp, L::b(pc)));
  if (b == 0) [[unlikely]] VIV_TAIL(h_trap_div_by_zero);
  if (a == std::numeric_limits<S>::min() && b == -1) [[unlikely]] {
    if constexpr (!kRem) VIV_TAIL(h_trap_int_overflow);
    wr(fp, L::d(pc), U(0));
    VIV_NEXT(L::kWords);
  }
  wr(fp, L::d(pc), static_cast<U>(kRem ? a % b : a / b));
  VIV_NEXT(L::kWords);
}
template <class U, bool kRem, bool N>
VIV_HANDLER(h_div_u) {
  using L = BinopL<N>;
  const U a = rd<U>(fp, L::a(pc)), b = rd<U>(fp, L::b(pc));
  if (b == 0) [[unlikely]] VIV_TAIL(h_trap_div_by_zero);
  wr(fp, L::d(pc), static_cast<U>(kRem ? a % b : a / b));
  VIV_NEXT(L::kWords);
}

}  // namespace

namespace {
// i32 shl_add (ops.h): `base + (idx << sh)`, array indexing.
template <bool N, bool I>
VIV_HANDLER(h_i32_shl_add) {
  uint32_t idx, base, d, sh;
  if constexpr (N && !I) {
    idx = lo16(pc, 1), base = rd_u32(fp, hi16(pc, 1)), d = lo16(pc, 2), sh = hi16(pc, 2);
  } else if constexpr (N) {
    idx = lo16(pc, 1), d = hi16(pc, 1), base = pc[2].u32, sh = pc[3].u32;
  } else {
    idx = pc[1].u32, base = I ? pc[2].u32 : rd_u32(fp, pc[2].u32), d = pc[3].u32, sh = pc[4].u32;
  }
  wr_u32(fp, d, static_cast<u32>(base + (rd_u32(fp, idx) << sh)));
  VIV_NEXT(N ? (I ? 4 : 3) : 5);
}
}  // namespace

Handler shl_add_handler(bool imm_base, bool narrow) {
  if (imm_base) return narrow ? &h_i32_shl_add<true, true> : &h_i32_shl_add<false, true>;
  return narrow ? &h_i32_shl_add<true, false> : &h_i32_shl_add<false, false>;
}

Handler binop_imm_handler(Op op, bool narrow) {
  switch (op) {
#define VIV_CASE(id, ...) \
  case Op::id: return narrow ? &h_##id##_imm<true> : &h_##id##_imm<false>;
    VIV_SEM_INT_BINOPS(VIV_CASE)
#undef VIV_CASE
    default: return nullptr;
  }
}

namespace {
template <bool N>
void register_int(OpTable& t) {
#define VIV_REG(id, ...) t[static_cast<size_t>(Op::id)] = &h_##id<N>;
  VIV_SEM_INT_BINOPS(VIV_REG)
  VIV_INT_UNOPS(VIV_REG)
#undef VIV_REG
  t[static_cast<size_t>(Op::i32_div_s)] = &h_div_s<s32, u32, false, N>;
  t[static_cast<size_t>(Op::i32_rem_s)] = &h_div_s<s32, u32, true, N>;
  t[static_cast<size_t>(Op::i32_div_u)] = &h_div_u<u32, false, N>;
  t[static_cast<size_t>(Op::i32_rem_u)] = &h_div_u<u32, true, N>;
  t[static_cast<size_t>(Op::i64_div_s)] = &h_div_s<s64, u64, false, N>;
  t[static_cast<size_t>(Op::i64_rem_s)] = &h_div_s<s64, u64, true, N>;
  t[static_cast<size_t>(Op::i64_div_u)] = &h_div_u<u64, false, N>;
  t[static_cast<size_t>(Op::i64_rem_u)] = &h_div_u<u64, true, N>;
}
}  // namespace

void register_int_ops(OpTable& t, bool narrow) {
  if (narrow) register_int<true>(t);
  else register_int<false>(t);
}

}  // namespace vivarium::engine::interp
