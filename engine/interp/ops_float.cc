// Float arithmetic and comparisons (spec 4.3.3). f32 arithmetic is done in
// float so it rounds to f32; abs/neg/copysign are bit operations so NaN
// payloads pass through unchanged, as the spec requires.
#include <cmath>

#include "engine/interp/exec_state.h"
#include "engine/interp/float_ops.h"
#include "engine/interp/ops.h"

namespace viv::interp {
namespace {

template <class F> F rd(const Slot* fp, uint32_t s);
template <> float rd<float>(const Slot* fp, uint32_t s) { return rd_f32(fp, s); }
template <> double rd<double>(const Slot* fp, uint32_t s) { return rd_f64(fp, s); }
inline void wr(Slot* fp, uint32_t s, float v) { wr_f32(fp, s, v); }
inline void wr(Slot* fp, uint32_t s, double v) { wr_f64(fp, s, v); }
inline void wr(Slot* fp, uint32_t s, bool v) { wr_u32(fp, s, v ? 1u : 0u); }

#define VIV_FLOAT_BINOPS(X)                                                           \
  X(f32_add, float, a + b) X(f32_sub, float, a - b) X(f32_mul, float, a * b)         \
  X(f32_div, float, a / b) X(f32_min, float, wasm_min(a, b)) X(f32_max, float, wasm_max(a, b)) \
  X(f32_eq, float, a == b) X(f32_ne, float, a != b) X(f32_lt, float, a < b)          \
  X(f32_gt, float, a > b) X(f32_le, float, a <= b) X(f32_ge, float, a >= b)          \
  X(f64_add, double, a + b) X(f64_sub, double, a - b) X(f64_mul, double, a * b)      \
  X(f64_div, double, a / b) X(f64_min, double, wasm_min(a, b)) X(f64_max, double, wasm_max(a, b)) \
  X(f64_eq, double, a == b) X(f64_ne, double, a != b) X(f64_lt, double, a < b)       \
  X(f64_gt, double, a > b) X(f64_le, double, a <= b) X(f64_ge, double, a >= b)

#define VIV_FLOAT_UNOPS(X)                                                                 \
  X(f32_ceil, float, wasm_ceil(a)) X(f32_floor, float, wasm_floor(a))                     \
  X(f32_trunc, float, wasm_trunc(a)) X(f32_nearest, float, wasm_nearest(a))               \
  X(f32_sqrt, float, wasm_sqrt(a))                                                        \
  X(f64_ceil, double, wasm_ceil(a)) X(f64_floor, double, wasm_floor(a))                   \
  X(f64_trunc, double, wasm_trunc(a)) X(f64_nearest, double, wasm_nearest(a))             \
  X(f64_sqrt, double, wasm_sqrt(a))

#define VIV_DEF_BINOP(id, F, expr)                                    \
  VIV_HANDLER(h_##id) {                                               \
    const F a = rd<F>(fp, pc[1].u32), b = rd<F>(fp, pc[2].u32); \
    wr(fp, pc[3].u32, expr);                                       \
    VIV_NEXT(4);                                                      \
  }
#define VIV_DEF_UNOP(id, F, expr)        \
  VIV_HANDLER(h_##id) {                  \
    const F a = rd<F>(fp, pc[1].u32); \
    wr(fp, pc[2].u32, expr);          \
    VIV_NEXT(3);                         \
  }
VIV_FLOAT_BINOPS(VIV_DEF_BINOP)
VIV_FLOAT_UNOPS(VIV_DEF_UNOP)

// Sign operations on the raw bits.
constexpr uint64_t kSign32 = 0x80000000u, kSign64 = 0x8000000000000000ull;
VIV_HANDLER(h_f32_abs) { wr_u32(fp, pc[2].u32, rd_u32(fp, pc[1].u32) & ~uint32_t(kSign32)); VIV_NEXT(3); }
VIV_HANDLER(h_f32_neg) { wr_u32(fp, pc[2].u32, rd_u32(fp, pc[1].u32) ^ uint32_t(kSign32)); VIV_NEXT(3); }
VIV_HANDLER(h_f64_abs) { wr_u64(fp, pc[2].u32, rd_u64(fp, pc[1].u32) & ~kSign64); VIV_NEXT(3); }
VIV_HANDLER(h_f64_neg) { wr_u64(fp, pc[2].u32, rd_u64(fp, pc[1].u32) ^ kSign64); VIV_NEXT(3); }
VIV_HANDLER(h_f32_copysign) {
  const uint32_t a = rd_u32(fp, pc[1].u32), b = rd_u32(fp, pc[2].u32);
  wr_u32(fp, pc[3].u32, (a & ~uint32_t(kSign32)) | (b & uint32_t(kSign32)));
  VIV_NEXT(4);
}
VIV_HANDLER(h_f64_copysign) {
  const uint64_t a = rd_u64(fp, pc[1].u32), b = rd_u64(fp, pc[2].u32);
  wr_u64(fp, pc[3].u32, (a & ~kSign64) | (b & kSign64));
  VIV_NEXT(4);
}

}  // namespace

void register_float_ops(OpTable& t) {
#define VIV_REG(id, ...) t[static_cast<size_t>(Op::id)] = &h_##id;
  VIV_FLOAT_BINOPS(VIV_REG)
  VIV_FLOAT_UNOPS(VIV_REG)
  VIV_REG(f32_abs) VIV_REG(f32_neg) VIV_REG(f64_abs) VIV_REG(f64_neg) VIV_REG(f32_copysign) VIV_REG(f64_copysign)
#undef VIV_REG
}

}  // namespace viv::interp
