// Registration of the SIMD handlers: which semantic function (ops.h,
// memory.h) implements each 0xFD opcode. The handlers themselves come from
// the templates in adapters.h and memory_handlers.h.
#include "engine/interp/simd/host.h"
#include "engine/interp/simd/simd.h"

#if VIV_SIMD_HOST_X86
#include <array>

#include "engine/interp/simd/adapters.h"
#include "engine/interp/simd/cpu.h"
#include "engine/interp/simd/memory_handlers.h"
#include "engine/interp/simd/ops.h"

namespace viv::interp {
namespace {

using namespace simd_handlers;

// i8x16.shuffle is the one instruction with a 16-byte immediate; its pshufb
// controls are derived from it on each execution (two saturating adds).
VIV_SIMD VIV_HANDLER(h_i8x16_shuffle) {
  const SimdOperands o = simd_operands(pc);
  v128 a = viv::simd::loadu(&fp[o.a]), b = viv::simd::loadu(&fp[o.b]);
  viv::simd::storeu(&fp[o.dst], viv::simd::i8x16_shuffle(a, b, viv::simd::loadu(simd_imm(pc))));
  VIV_NEXT(kSimdShuffleWords);
}

struct Table {
  std::array<Handler, kOpCount> h{};
  Table() {
#define VIV_SIMD_OP(name) h[static_cast<size_t>(Op::name)] = &op_handler<&viv::simd::name>;
    VIV_SIMD_OP(i8x16_swizzle) VIV_SIMD_OP(i8x16_splat) VIV_SIMD_OP(i16x8_splat)
    VIV_SIMD_OP(i32x4_splat) VIV_SIMD_OP(i64x2_splat) VIV_SIMD_OP(f32x4_splat)
    VIV_SIMD_OP(f64x2_splat) VIV_SIMD_OP(i8x16_extract_lane_s) VIV_SIMD_OP(i8x16_extract_lane_u)
    VIV_SIMD_OP(i8x16_replace_lane) VIV_SIMD_OP(i16x8_extract_lane_s) VIV_SIMD_OP(i16x8_extract_lane_u)
    VIV_SIMD_OP(i16x8_replace_lane) VIV_SIMD_OP(i32x4_extract_lane) VIV_SIMD_OP(i32x4_replace_lane)
    VIV_SIMD_OP(i64x2_extract_lane) VIV_SIMD_OP(i64x2_replace_lane) VIV_SIMD_OP(f32x4_extract_lane)
    VIV_SIMD_OP(f32x4_replace_lane) VIV_SIMD_OP(f64x2_extract_lane) VIV_SIMD_OP(f64x2_replace_lane)
    VIV_SIMD_OP(i8x16_eq) VIV_SIMD_OP(i8x16_ne) VIV_SIMD_OP(i8x16_lt_s)
    VIV_SIMD_OP(i8x16_lt_u) VIV_SIMD_OP(i8x16_gt_s) VIV_SIMD_OP(i8x16_gt_u)
    VIV_SIMD_OP(i8x16_le_s) VIV_SIMD_OP(i8x16_le_u) VIV_SIMD_OP(i8x16_ge_s)
    VIV_SIMD_OP(i8x16_ge_u) VIV_SIMD_OP(i16x8_eq) VIV_SIMD_OP(i16x8_ne)
    VIV_SIMD_OP(i16x8_lt_s) VIV_SIMD_OP(i16x8_lt_u) VIV_SIMD_OP(i16x8_gt_s)
    VIV_SIMD_OP(i16x8_gt_u) VIV_SIMD_OP(i16x8_le_s) VIV_SIMD_OP(i16x8_le_u)
    VIV_SIMD_OP(i16x8_ge_s) VIV_SIMD_OP(i16x8_ge_u) VIV_SIMD_OP(i32x4_eq)
    VIV_SIMD_OP(i32x4_ne) VIV_SIMD_OP(i32x4_lt_s) VIV_SIMD_OP(i32x4_lt_u)
    VIV_SIMD_OP(i32x4_gt_s) VIV_SIMD_OP(i32x4_gt_u) VIV_SIMD_OP(i32x4_le_s)
    VIV_SIMD_OP(i32x4_le_u) VIV_SIMD_OP(i32x4_ge_s) VIV_SIMD_OP(i32x4_ge_u)
    VIV_SIMD_OP(f32x4_eq) VIV_SIMD_OP(f32x4_ne) VIV_SIMD_OP(f32x4_lt)
    VIV_SIMD_OP(f32x4_gt) VIV_SIMD_OP(f32x4_le) VIV_SIMD_OP(f32x4_ge)
    VIV_SIMD_OP(f64x2_eq) VIV_SIMD_OP(f64x2_ne) VIV_SIMD_OP(f64x2_lt)
    VIV_SIMD_OP(f64x2_gt) VIV_SIMD_OP(f64x2_le) VIV_SIMD_OP(f64x2_ge)
    VIV_SIMD_OP(v128_not) VIV_SIMD_OP(v128_and) VIV_SIMD_OP(v128_andnot)
    VIV_SIMD_OP(v128_or) VIV_SIMD_OP(v128_xor) VIV_SIMD_OP(v128_bitselect)
    VIV_SIMD_OP(v128_any_true) VIV_SIMD_OP(f32x4_demote_f64x2_zero) VIV_SIMD_OP(f64x2_promote_low_f32x4)
    VIV_SIMD_OP(i8x16_abs) VIV_SIMD_OP(i8x16_neg) VIV_SIMD_OP(i8x16_popcnt)
    VIV_SIMD_OP(i8x16_all_true) VIV_SIMD_OP(i8x16_bitmask) VIV_SIMD_OP(i8x16_narrow_i16x8_s)
    VIV_SIMD_OP(i8x16_narrow_i16x8_u) VIV_SIMD_OP(f32x4_ceil) VIV_SIMD_OP(f32x4_floor)
    VIV_SIMD_OP(f32x4_trunc) VIV_SIMD_OP(f32x4_nearest) VIV_SIMD_OP(i8x16_shl)
    VIV_SIMD_OP(i8x16_shr_s) VIV_SIMD_OP(i8x16_shr_u) VIV_SIMD_OP(i8x16_add)
    VIV_SIMD_OP(i8x16_add_sat_s) VIV_SIMD_OP(i8x16_add_sat_u) VIV_SIMD_OP(i8x16_sub)
    VIV_SIMD_OP(i8x16_sub_sat_s) VIV_SIMD_OP(i8x16_sub_sat_u) VIV_SIMD_OP(f64x2_ceil)
    VIV_SIMD_OP(f64x2_floor) VIV_SIMD_OP(i8x16_min_s) VIV_SIMD_OP(i8x16_min_u)
    VIV_SIMD_OP(i8x16_max_s) VIV_SIMD_OP(i8x16_max_u) VIV_SIMD_OP(f64x2_trunc)
    VIV_SIMD_OP(i8x16_avgr_u) VIV_SIMD_OP(i16x8_extadd_pairwise_i8x16_s) VIV_SIMD_OP(i16x8_extadd_pairwise_i8x16_u)
    VIV_SIMD_OP(i32x4_extadd_pairwise_i16x8_s) VIV_SIMD_OP(i32x4_extadd_pairwise_i16x8_u) VIV_SIMD_OP(i16x8_abs)
    VIV_SIMD_OP(i16x8_neg) VIV_SIMD_OP(i16x8_q15mulr_sat_s) VIV_SIMD_OP(i16x8_all_true)
    VIV_SIMD_OP(i16x8_bitmask) VIV_SIMD_OP(i16x8_narrow_i32x4_s) VIV_SIMD_OP(i16x8_narrow_i32x4_u)
    VIV_SIMD_OP(i16x8_extend_low_i8x16_s) VIV_SIMD_OP(i16x8_extend_high_i8x16_s) VIV_SIMD_OP(i16x8_extend_low_i8x16_u)
    VIV_SIMD_OP(i16x8_extend_high_i8x16_u) VIV_SIMD_OP(i16x8_shl) VIV_SIMD_OP(i16x8_shr_s)
    VIV_SIMD_OP(i16x8_shr_u) VIV_SIMD_OP(i16x8_add) VIV_SIMD_OP(i16x8_add_sat_s)
    VIV_SIMD_OP(i16x8_add_sat_u) VIV_SIMD_OP(i16x8_sub) VIV_SIMD_OP(i16x8_sub_sat_s)
    VIV_SIMD_OP(i16x8_sub_sat_u) VIV_SIMD_OP(f64x2_nearest) VIV_SIMD_OP(i16x8_mul)
    VIV_SIMD_OP(i16x8_min_s) VIV_SIMD_OP(i16x8_min_u) VIV_SIMD_OP(i16x8_max_s)
    VIV_SIMD_OP(i16x8_max_u) VIV_SIMD_OP(i16x8_avgr_u) VIV_SIMD_OP(i16x8_extmul_low_i8x16_s)
    VIV_SIMD_OP(i16x8_extmul_high_i8x16_s) VIV_SIMD_OP(i16x8_extmul_low_i8x16_u) VIV_SIMD_OP(i16x8_extmul_high_i8x16_u)
    VIV_SIMD_OP(i32x4_abs) VIV_SIMD_OP(i32x4_neg) VIV_SIMD_OP(i32x4_all_true)
    VIV_SIMD_OP(i32x4_bitmask) VIV_SIMD_OP(i32x4_extend_low_i16x8_s) VIV_SIMD_OP(i32x4_extend_high_i16x8_s)
    VIV_SIMD_OP(i32x4_extend_low_i16x8_u) VIV_SIMD_OP(i32x4_extend_high_i16x8_u) VIV_SIMD_OP(i32x4_shl)
    VIV_SIMD_OP(i32x4_shr_s) VIV_SIMD_OP(i32x4_shr_u) VIV_SIMD_OP(i32x4_add)
    VIV_SIMD_OP(i32x4_sub) VIV_SIMD_OP(i32x4_mul) VIV_SIMD_OP(i32x4_min_s)
    VIV_SIMD_OP(i32x4_min_u) VIV_SIMD_OP(i32x4_max_s) VIV_SIMD_OP(i32x4_max_u)
    VIV_SIMD_OP(i32x4_dot_i16x8_s) VIV_SIMD_OP(i32x4_extmul_low_i16x8_s) VIV_SIMD_OP(i32x4_extmul_high_i16x8_s)
    VIV_SIMD_OP(i32x4_extmul_low_i16x8_u) VIV_SIMD_OP(i32x4_extmul_high_i16x8_u) VIV_SIMD_OP(i64x2_abs)
    VIV_SIMD_OP(i64x2_neg) VIV_SIMD_OP(i64x2_all_true) VIV_SIMD_OP(i64x2_bitmask)
    VIV_SIMD_OP(i64x2_extend_low_i32x4_s) VIV_SIMD_OP(i64x2_extend_high_i32x4_s) VIV_SIMD_OP(i64x2_extend_low_i32x4_u)
    VIV_SIMD_OP(i64x2_extend_high_i32x4_u) VIV_SIMD_OP(i64x2_shl) VIV_SIMD_OP(i64x2_shr_s)
    VIV_SIMD_OP(i64x2_shr_u) VIV_SIMD_OP(i64x2_add) VIV_SIMD_OP(i64x2_sub)
    VIV_SIMD_OP(i64x2_mul) VIV_SIMD_OP(i64x2_eq) VIV_SIMD_OP(i64x2_ne)
    VIV_SIMD_OP(i64x2_lt_s) VIV_SIMD_OP(i64x2_gt_s) VIV_SIMD_OP(i64x2_le_s)
    VIV_SIMD_OP(i64x2_ge_s) VIV_SIMD_OP(i64x2_extmul_low_i32x4_s) VIV_SIMD_OP(i64x2_extmul_high_i32x4_s)
    VIV_SIMD_OP(i64x2_extmul_low_i32x4_u) VIV_SIMD_OP(i64x2_extmul_high_i32x4_u) VIV_SIMD_OP(f32x4_abs)
    VIV_SIMD_OP(f32x4_neg) VIV_SIMD_OP(f32x4_sqrt) VIV_SIMD_OP(f32x4_add)
    VIV_SIMD_OP(f32x4_sub) VIV_SIMD_OP(f32x4_mul) VIV_SIMD_OP(f32x4_div)
    VIV_SIMD_OP(f32x4_min) VIV_SIMD_OP(f32x4_max) VIV_SIMD_OP(f32x4_pmin)
    VIV_SIMD_OP(f32x4_pmax) VIV_SIMD_OP(f64x2_abs) VIV_SIMD_OP(f64x2_neg)
    VIV_SIMD_OP(f64x2_sqrt) VIV_SIMD_OP(f64x2_add) VIV_SIMD_OP(f64x2_sub)
    VIV_SIMD_OP(f64x2_mul) VIV_SIMD_OP(f64x2_div) VIV_SIMD_OP(f64x2_min)
    VIV_SIMD_OP(f64x2_max) VIV_SIMD_OP(f64x2_pmin) VIV_SIMD_OP(f64x2_pmax)
    VIV_SIMD_OP(i32x4_trunc_sat_f32x4_s) VIV_SIMD_OP(i32x4_trunc_sat_f32x4_u) VIV_SIMD_OP(f32x4_convert_i32x4_s)
    VIV_SIMD_OP(f32x4_convert_i32x4_u) VIV_SIMD_OP(i32x4_trunc_sat_f64x2_s_zero) VIV_SIMD_OP(i32x4_trunc_sat_f64x2_u_zero)
    VIV_SIMD_OP(f64x2_convert_low_i32x4_s) VIV_SIMD_OP(f64x2_convert_low_i32x4_u)
#undef VIV_SIMD_OP
    h[static_cast<size_t>(Op::i8x16_shuffle)] = &h_i8x16_shuffle;
    register_memory_handlers(h.data());
  }
};

}  // namespace

Handler simd_handler(Op op) {
  // Without SSE4.1/SSSE3 no handler exists, so a module using v128 fails to
  // lower with an Unsupported error instead of dying on an illegal
  // instruction (cpu.h has the message naming what is missing).
  if (!viv::simd::host_supports_simd()) return nullptr;
  static const Table table;
  return table.h[static_cast<size_t>(op)];
}

}  // namespace viv::interp

#else  // no host implementation: every SIMD opcode is unsupported (host.h)

namespace viv::interp {
Handler simd_handler(Op) { return nullptr; }
}  // namespace viv::interp

#endif
