// Conversions between number types (spec 4.3.4): trapping truncations
// ("invalid conversion to integer" for NaN, "integer overflow" out of range),
// saturating truncations, int -> float (correctly rounded by the compiler's
// conversions), demote/promote. Reinterpretations need no code: the slot
// already holds the bits, so the lowering emits nothing for them.
#include "engine/interp/exec_state.h"
#include "engine/interp/float_ops.h"
#include "engine/interp/ops.h"

namespace vivarium::engine::interp {
namespace {

template <class F> F rdf(const Slot* fp, uint32_t s);
template <> float rdf<float>(const Slot* fp, uint32_t s) { return rd_f32(fp, s); }
template <> double rdf<double>(const Slot* fp, uint32_t s) { return rd_f64(fp, s); }
template <class I> void wri(Slot* fp, uint32_t s, I v) {
  if constexpr (sizeof(I) == 4) wr_u32(fp, s, static_cast<uint32_t>(v));
  else wr_u64(fp, s, static_cast<uint64_t>(v));
}

template <class I, class F, bool N>
const Word* trunc_op(const Word* pc, Slot* fp, ExecState* st) {
  using L = UnopL<N>;
  const F x = rdf<F>(fp, L::a(pc));
  if (!trunc_in_range<I>(x)) {
    return trap(st, pc, x != x ? ErrorCode::InvalidConversion : ErrorCode::IntegerOverflow);
  }
  wri<I>(fp, L::d(pc), static_cast<I>(x));
  return pc + L::kWords;
}

#define VIV_TRUNCS(X)                                                                      \
  X(i32_trunc_f32_s, int32_t, float) X(i32_trunc_f32_u, uint32_t, float)                  \
  X(i32_trunc_f64_s, int32_t, double) X(i32_trunc_f64_u, uint32_t, double)                \
  X(i64_trunc_f32_s, int64_t, float) X(i64_trunc_f32_u, uint64_t, float)                  \
  X(i64_trunc_f64_s, int64_t, double) X(i64_trunc_f64_u, uint64_t, double)
#define VIV_DEF_TRUNC(id, I, F)                          \
  template <bool N>                                      \
  VIV_HANDLER(h_##id) {                                  \
    const Word* n = trunc_op<I, F, N>(pc, fp, st);       \
    if (!n) return nullptr;                              \
    VIV_JUMP(n);                                         \
  }
VIV_TRUNCS(VIV_DEF_TRUNC)

#define VIV_SATS(X)                                                                                \
  X(i32_trunc_sat_f32_s, int32_t, float) X(i32_trunc_sat_f32_u, uint32_t, float)                  \
  X(i32_trunc_sat_f64_s, int32_t, double) X(i32_trunc_sat_f64_u, uint32_t, double)                \
  X(i64_trunc_sat_f32_s, int64_t, float) X(i64_trunc_sat_f32_u, uint64_t, float)                  \
  X(i64_trunc_sat_f64_s, int64_t, double) X(i64_trunc_sat_f64_u, uint64_t, double)
#define VIV_DEF_SAT(id, I, F)                                   \
  template <bool N>                                             \
  VIV_HANDLER(h_##id) {                                         \
    using L = UnopL<N>;                                         \
    wri<I>(fp, L::d(pc), trunc_sat<I>(rdf<F>(fp, L::a(pc))));   \
    VIV_NEXT(L::kWords);                                        \
  }
VIV_SATS(VIV_DEF_SAT)

// X(id, source read, destination write)
#define VIV_CONVERTS(X)                                                                               \
  X(f32_convert_i32_s, wr_f32, static_cast<float>(static_cast<int32_t>(rd_u32(fp, a))))               \
  X(f32_convert_i32_u, wr_f32, static_cast<float>(rd_u32(fp, a)))                                     \
  X(f32_convert_i64_s, wr_f32, static_cast<float>(static_cast<int64_t>(rd_u64(fp, a))))               \
  X(f32_convert_i64_u, wr_f32, static_cast<float>(rd_u64(fp, a)))                                     \
  X(f64_convert_i32_s, wr_f64, static_cast<double>(static_cast<int32_t>(rd_u32(fp, a))))              \
  X(f64_convert_i32_u, wr_f64, static_cast<double>(rd_u32(fp, a)))                                    \
  X(f64_convert_i64_s, wr_f64, static_cast<double>(static_cast<int64_t>(rd_u64(fp, a))))              \
  X(f64_convert_i64_u, wr_f64, static_cast<double>(rd_u64(fp, a)))                                    \
  X(f32_demote_f64, wr_f32, static_cast<float>(rd_f64(fp, a)))                                        \
  X(f64_promote_f32, wr_f64, static_cast<double>(rd_f32(fp, a)))
#define VIV_DEF_CONVERT(id, write, expr) \
  template <bool N>                      \
  VIV_HANDLER(h_##id) {                  \
    using L = UnopL<N>;                  \
    const uint32_t a = L::a(pc);         \
    write(fp, L::d(pc), expr);           \
    VIV_NEXT(L::kWords);                 \
  }
VIV_CONVERTS(VIV_DEF_CONVERT)

template <bool N>
void register_conv(OpTable& t) {
#define VIV_REG(id, ...) t[static_cast<size_t>(Op::id)] = &h_##id<N>;
  VIV_TRUNCS(VIV_REG)
  VIV_SATS(VIV_REG)
  VIV_CONVERTS(VIV_REG)
#undef VIV_REG
}

}  // namespace

void register_conv_ops(OpTable& t, bool narrow) {
  if (narrow) register_conv<true>(t);
  else register_conv<false>(t);
}

}  // namespace vivarium::engine::interp
