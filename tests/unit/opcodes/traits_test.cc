// The facts columns of opcodes.def (traits, negate, mirror): consistent with
// each other and with the operators' signatures, so a tier can rely on them.
#include <gtest/gtest.h>

#include "engine/opcodes/opcodes.h"

namespace vivarium::engine {
namespace {

TEST(OpcodeTraits, NegateAndMirrorAreInvolutionsOnComparisons) {
  int negated = 0, mirrored = 0;
  for (uint32_t i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    const OpInfo& in = info(op);
    if (in.negate != Op::nop) {
      ++negated;
      EXPECT_EQ(negate_compare(in.negate), op) << in.text;
      EXPECT_NE(in.negate, op) << in.text;
      EXPECT_EQ(info(in.negate).sig, in.sig) << in.text;
    }
    if (in.mirror != Op::nop) {
      ++mirrored;
      EXPECT_EQ(mirror_compare(in.mirror), op) << in.text;
      EXPECT_EQ(info(in.mirror).sig, in.sig) << in.text;
    }
  }
  EXPECT_EQ(negated, 20);   // i32/i64 eq..ge_u; float comparisons have none (NaN)
  EXPECT_EQ(mirrored, 32);  // every scalar comparison
  EXPECT_EQ(negate_compare(Op::i32_lt_s), Op::i32_ge_s);
  EXPECT_EQ(negate_compare(Op::f64_lt), Op::nop);
  EXPECT_EQ(mirror_compare(Op::f32_le), Op::f32_ge);
  EXPECT_EQ(mirror_compare(Op::i64_gt_u), Op::i64_lt_u);
  EXPECT_EQ(mirror_compare(Op::i32_eq), Op::i32_eq);
  EXPECT_EQ(mirror_compare(Op::i32_add), Op::nop);
}

TEST(OpcodeTraits, TrapsCommutesAndLanes) {
  for (Op op : {Op::i32_div_s, Op::i64_rem_u, Op::i32_trunc_f64_u, Op::i64_load, Op::f32_store,
                Op::memory_copy, Op::table_get, Op::call_indirect, Op::v128_load8_lane, Op::unreachable})
    EXPECT_TRUE(can_trap(op)) << name(op);
  for (Op op : {Op::i32_add, Op::i32_trunc_sat_f32_s, Op::f64_div, Op::memory_size, Op::i32x4_add})
    EXPECT_FALSE(can_trap(op)) << name(op);
  for (Op op : {Op::i32_add, Op::i64_mul, Op::i32_xor, Op::i64_ne, Op::f64_eq}) EXPECT_TRUE(commutes(op)) << name(op);
  for (Op op : {Op::i32_sub, Op::i32_lt_s, Op::f64_add, Op::i32_shl}) EXPECT_FALSE(commutes(op)) << name(op);
  int lanes = 0;
  for (uint32_t i = 0; i < kOpCount; ++i) {
    const OpInfo& in = info(static_cast<Op>(i));
    if (in.trait != OpTrait::Lanes) continue;
    ++lanes;
    EXPECT_EQ(in.prefix, 0xFD) << in.text;
    EXPECT_NE(in.imm, ImmKind::MemArg) << in.text;
  }
  EXPECT_GT(lanes, 200);
}

}  // namespace
}  // namespace vivarium::engine
