// The memory handlers' bounds checks and operand wiring: an access of N
// bytes at address + offset is allowed exactly when it ends within memory,
// computed without 32-bit wrap-around; otherwise the handler traps with
// "out of bounds memory access" and leaves memory and dst untouched.
#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86  // the semantics exist only for x86-64 hosts (host.h)
#include "engine/interp/exec_state.h"
#include "engine/interp/simd/simd.h"
#include "tests/unit/simd/reference.h"

namespace vivarium::engine::interp {
namespace {

using vivarium::engine::simd::test::Vec;

VIV_HANDLER(stop) { return pc; }

struct Machine {
  uint8_t mem[64];
  uint64_t size = sizeof(mem);
  ExecState st;
  alignas(16) Slot fp[8] = {};
  Word w[kSimdMemInstWords + 1] = {};
  Machine() {
    for (int i = 0; i < 64; ++i) mem[i] = uint8_t(i);
    st.mem_size = &size;
  }
  // Runs `op` with address operand in slot 0 (= addr), vector operand in
  // slots 2-3, result at slots 4-5. Returns false when it trapped.
  bool run(Op op, uint32_t addr, uint64_t offset, uint32_t lane = 0) {
    encode_handler(simd_handler(op), w[0]);
    w[1].u32 = 4;
    w[2].u32 = 0;
    w[3].u32 = 2;
    w[5].u32 = lane;
    w[6].u32 = static_cast<uint32_t>(offset);
    encode_handler(&stop, w[kSimdMemInstWords]);
    fp[0] = addr;
    const Word* end = handler_at(w)(w, fp, mem, &st);
    if (end == &w[kSimdMemInstWords]) return true;
    EXPECT_EQ(end, nullptr);
    EXPECT_TRUE(st.trapped);
    EXPECT_EQ(st.trap_code, ErrorCode::MemoryOutOfBounds);
    EXPECT_EQ(st.trap_pc, w);
    st.trapped = false;
    return false;
  }
  Vec result() const { Vec v; std::memcpy(v.b, &fp[4], 16); return v; }
};

TEST(SimdMemoryHandlers, LoadBoundsAreExact) {
  Machine m;
  EXPECT_TRUE(m.run(Op::v128_load64_splat, 56, 0));  // bytes 56..63: the last 8
  EXPECT_EQ(m.result().get<uint64_t>(1), m.result().get<uint64_t>(0));
  EXPECT_EQ(m.result().get<uint8_t>(0), 56);
  EXPECT_FALSE(m.run(Op::v128_load64_splat, 57, 0));
  EXPECT_FALSE(m.run(Op::v128_load64_splat, 0, 57));
  EXPECT_TRUE(m.run(Op::v128_load8x8_u, 50, 6));
  EXPECT_EQ(m.result().get<uint16_t>(7), 63);
  EXPECT_TRUE(m.run(Op::v128_load8_splat, 63, 0));
  EXPECT_FALSE(m.run(Op::v128_load8_splat, 64, 0));
  // address + offset would wrap in 32 bits: still out of bounds.
  EXPECT_FALSE(m.run(Op::v128_load32_zero, 0xFFFFFFFFu, 1));
  EXPECT_FALSE(m.run(Op::v128_load32_zero, 4, 0xFFFFFFFFu));
}

TEST(SimdMemoryHandlers, LaneOpsUseVectorOperandAndLane) {
  Machine m;
  Vec v = Vec::splat<uint32_t>(0xAABBCCDD);
  std::memcpy(&m.fp[2], v.b, 16);
  ASSERT_TRUE(m.run(Op::v128_load32_lane, 8, 4, 3));  // bytes 12..15 into lane 3
  EXPECT_EQ(m.result().get<uint32_t>(3), 0x0F0E0D0Cu);
  EXPECT_EQ(m.result().get<uint32_t>(2), 0xAABBCCDDu);

  ASSERT_TRUE(m.run(Op::v128_store16_lane, 62, 0, 1));
  EXPECT_EQ(m.mem[62], 0xBB);
  EXPECT_EQ(m.mem[63], 0xAA);
  EXPECT_EQ(m.mem[61], 61) << "bytes outside the lane stay";
  uint8_t before[64];
  std::memcpy(before, m.mem, 64);
  EXPECT_FALSE(m.run(Op::v128_store16_lane, 63, 0, 1));
  EXPECT_EQ(std::memcmp(before, m.mem, 64), 0) << "a trapping store writes nothing";
}

TEST(SimdMemoryHandlers, EmptyMemoryTrapsEverything) {
  Machine m;
  m.size = 0;
  EXPECT_FALSE(m.run(Op::v128_load8_lane, 0, 0));
  EXPECT_FALSE(m.run(Op::v128_store8_lane, 0, 0));
  EXPECT_FALSE(m.run(Op::v128_load64_zero, 0, 0));
}

}  // namespace
}  // namespace vivarium::engine::interp

#endif  // VIV_SIMD_HOST_X86
