// Float arithmetic and comparisons (spec 4.3.3). f32 arithmetic is done in
// float so it rounds to f32; abs/neg/copysign are bit operations so NaN
// payloads pass through unchanged, as the spec requires.
#include <cmath>

#include "engine/interp/exec_state.h"
#include "engine/interp/float_ops.h"
#include "engine/interp/ops.h"
#include "engine/interp/semantics.h"

namespace vivarium::engine::interp {
namespace {

template <class F> F rd(const Slot* fp, uint32_t s);
template <> float rd<float>(const Slot* fp, uint32_t s) { return rd_f32(fp, s); }
template <> double rd<double>(const Slot* fp, uint32_t s) { return rd_f64(fp, s); }
inline void wr(Slot* fp, uint32_t s, float v) { wr_f32(fp, s, v); }
inline void wr(Slot* fp, uint32_t s, double v) { wr_f64(fp, s, v); }
inline void wr(Slot* fp, uint32_t s, bool v) { wr_u32(fp, s, v ? 1u : 0u); }

// The binops' semantics are sem::Binop (semantics.h).
#define VIV_FLOAT_UNOPS(X)                                                                 \
  X(f32_ceil, float, wasm_ceil(a)) X(f32_floor, float, wasm_floor(a))                     \
  X(f32_trunc, float, wasm_trunc(a)) X(f32_nearest, float, wasm_nearest(a))               \
  X(f32_sqrt, float, wasm_sqrt(a))                                                        \
  X(f64_ceil, double, wasm_ceil(a)) X(f64_floor, double, wasm_floor(a))                   \
  X(f64_trunc, double, wasm_trunc(a)) X(f64_nearest, double, wasm_nearest(a))             \
  X(f64_sqrt, double, wasm_sqrt(a))

#define VIV_DEF_BINOP(id, F, ...)                                 \
  template <bool N>                                               \
  VIV_HANDLER(h_##id) {                                           \
    using L = BinopL<N>;                                          \
    const F a = rd<F>(fp, L::a(pc)), b = rd<F>(fp, L::b(pc));     \
    wr(fp, L::d(pc), sem::Binop<Op::id>::apply(a, b));            \
    VIV_NEXT(L::kWords);                                          \
  }
#define VIV_DEF_UNOP(id, F, expr)          \
  template <bool N>                        \
  VIV_HANDLER(h_##id) {                    \
    using L = UnopL<N>;                    \
    const F a = rd<F>(fp, L::a(pc));       \
    wr(fp, L::d(pc), expr);                \
    VIV_NEXT(L::kWords);                   \
  }
VIV_SEM_FLOAT_BINOPS(VIV_DEF_BINOP)
VIV_FLOAT_UNOPS(VIV_DEF_UNOP)

// Sign operations on the raw bits.
constexpr uint64_t kSign32 = 0x80000000u, kSign64 = 0x8000000000000000ull;
#define VIV_SIGN_UNOPS(X)                                                   \
  X(f32_abs, rd_u32(fp, L::a(pc)) & ~uint32_t(kSign32), wr_u32)            \
  X(f32_neg, rd_u32(fp, L::a(pc)) ^ uint32_t(kSign32), wr_u32)             \
  X(f64_abs, rd_u64(fp, L::a(pc)) & ~kSign64, wr_u64)                      \
  X(f64_neg, rd_u64(fp, L::a(pc)) ^ kSign64, wr_u64)
#define VIV_DEF_SIGN(id, expr, write) \
  template <bool N>                   \
  VIV_HANDLER(h_##id) {               \
    using L = UnopL<N>;               \
    write(fp, L::d(pc), expr);        \
    VIV_NEXT(L::kWords);              \
  }
VIV_SIGN_UNOPS(VIV_DEF_SIGN)
template <bool N>
VIV_HANDLER(h_f32_copysign) {
  using L = BinopL<N>;
  const uint32_t a = rd_u32(fp, L::a(pc)), b = rd_u32(fp, L::b(pc));
  wr_u32(fp, L::d(pc), (a & ~uint32_t(kSign32)) | (b & uint32_t(kSign32)));
  VIV_NEXT(L::kWords);
}
template <bool N>
VIV_HANDLER(h_f64_copysign) {
  using L = BinopL<N>;
  const uint64_t a = rd_u64(fp, L::a(pc)), b = rd_u64(fp, L::b(pc));
  wr_u64(fp, L::d(pc), (a & ~kSign64) | (b & kSign64));
  VIV_NEXT(L::kWords);
}

template <bool N>
void register_float(OpTable& t) {
#define VIV_REG(id, ...) t[static_cast<size_t>(Op::id)] = &h_##id<N>;
  VIV_SEM_FLOAT_BINOPS(VIV_REG)
  VIV_FLOAT_UNOPS(VIV_REG)
  VIV_SIGN_UNOPS(VIV_REG)
  VIV_REG(f32_copysign) VIV_REG(f64_copysign)
#undef VIV_REG
}

}  // namespace

void register_float_ops(OpTable& t, bool narrow) {
  if (narrow) register_float<true>(t);
  else register_float<false>(t);
}

}  // namespace vivarium::engine::interp
