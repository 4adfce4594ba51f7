// The handler layer: every 0xFD opcode the lowering hands to us has a
// handler, and the handlers read operands from and write results to the
// SimdInst slots of engine/interp/handler.h.
#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86  // the semantics exist only for x86-64 hosts (host.h)
#include "engine/interp/simd/simd.h"

#include "tests/unit/simd/reference.h"

namespace vivarium::engine::interp {
namespace {

using vivarium::engine::simd::test::Vec;

TEST(SimdHandlers, EveryVectorOpcodeIsRegistered) {
  int registered = 0;
  for (uint32_t i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    const OpInfo& in = info(op);
    // The scalar side lowers these three itself (handler.h).
    const bool scalar_side = op == Op::v128_load || op == Op::v128_store || op == Op::v128_const;
    if (in.prefix == 0xFD && !scalar_side) {
      EXPECT_NE(simd_handler(op), nullptr) << in.text;
      ++registered;
    } else {
      EXPECT_EQ(simd_handler(op), nullptr) << in.text;
    }
  }
  EXPECT_EQ(registered, 233);
}

// Ends a test program: returns its own pc so both dispatch modes (tail calls
// with clang, returned pcs otherwise) report where the run stopped.
VIV_HANDLER(stop) { return pc; }

struct Program {
  Word w[kSimdShuffleWords + 1] = {};
  uint32_t words;  // the instruction's size: where `stop` goes
  Program(Op op, uint32_t dst, uint32_t a, uint32_t b = 0, uint32_t c = 0, uint32_t lane = 0)
      : words(op == Op::i8x16_shuffle ? kSimdShuffleWords : kSimdInstWords) {
    encode_handler(simd_handler(op), w[0]);
    w[1].u32 = dst;
    w[2].u32 = a;
    w[3].u32 = b;
    w[4].u32 = c;
    w[5].u32 = lane;
    encode_handler(&stop, w[words]);
  }
  // Runs the one instruction on `fp`; returns true if it ran to `stop`.
  bool run(Slot* fp) { return handler_at(w)(w, fp, nullptr, nullptr) == &w[words]; }
};

Vec slots_vec(const Slot* fp, uint32_t s) {
  Vec v;
  std::memcpy(v.b, &fp[s], 16);
  return v;
}

TEST(SimdHandlers, BinaryReadsTwoVectorSlotsAndWritesDst) {
  alignas(16) Slot fp[8] = {};
  Vec a = Vec::splat<int32_t>(40), b = Vec::splat<int32_t>(2);
  std::memcpy(&fp[1], a.b, 16);  // odd slot: v128 operands need not be 16-byte aligned
  std::memcpy(&fp[4], b.b, 16);
  Program p(Op::i32x4_add, 6, 1, 4);
  ASSERT_TRUE(p.run(fp));
  EXPECT_EQ(slots_vec(fp, 6).get<int32_t>(3), 42);
  // dst may be an operand's own slot.
  Program q(Op::i32x4_sub, 1, 1, 4);
  ASSERT_TRUE(q.run(fp));
  EXPECT_EQ(slots_vec(fp, 1).get<int32_t>(0), 38);
}

TEST(SimdHandlers, LaneImmediateAndScalarOperand) {
  alignas(16) Slot fp[8] = {};
  Vec a = Vec::splat<int16_t>(7);
  std::memcpy(&fp[0], a.b, 16);
  fp[2] = uint32_t(-300);
  Program rep(Op::i16x8_replace_lane, 4, 0, 2, 0, 5);
  ASSERT_TRUE(rep.run(fp));
  Vec r = slots_vec(fp, 4);
  EXPECT_EQ(r.get<int16_t>(5), -300);
  EXPECT_EQ(r.get<int16_t>(4), 7);
  Program ext(Op::i16x8_extract_lane_s, 7, 4, 0, 0, 5);
  ASSERT_TRUE(ext.run(fp));
  EXPECT_EQ(fp[7], uint64_t(uint32_t(-300))) << "i32 results are stored zero-extended";
  Program shl(Op::i16x8_shl, 4, 0, 2);  // count -300 mod 16 = 4
  ASSERT_TRUE(shl.run(fp));
  EXPECT_EQ(slots_vec(fp, 4).get<int16_t>(0), 7 << 4);
}

TEST(SimdHandlers, BitselectAndShuffle) {
  alignas(16) Slot fp[10] = {};
  Vec a = Vec::splat<uint8_t>(0xF0), b = Vec::splat<uint8_t>(0x0F), c = Vec::splat<uint8_t>(0x3C);
  std::memcpy(&fp[0], a.b, 16);
  std::memcpy(&fp[2], b.b, 16);
  std::memcpy(&fp[4], c.b, 16);
  Program sel(Op::v128_bitselect, 6, 0, 2, 4);
  ASSERT_TRUE(sel.run(fp));
  EXPECT_EQ(slots_vec(fp, 6).get<uint8_t>(9), 0x33);

  for (int i = 0; i < 16; ++i) { a.b[i] = uint8_t(i); b.b[i] = uint8_t(0x10 + i); }
  std::memcpy(&fp[0], a.b, 16);
  std::memcpy(&fp[2], b.b, 16);
  Program shuf(Op::i8x16_shuffle, 8, 0, 2);
  uint8_t lanes[16];
  for (int i = 0; i < 16; ++i) lanes[i] = uint8_t(31 - 2 * i);
  std::memcpy(&shuf.w[6], lanes, 16);  // simd_imm
  ASSERT_TRUE(shuf.run(fp));
  Vec r = slots_vec(fp, 8);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(r.b[i], lanes[i]) << i;  // byte k of a||b is k
}

}  // namespace
}  // namespace vivarium::engine::interp

#endif  // VIV_SIMD_HOST_X86
