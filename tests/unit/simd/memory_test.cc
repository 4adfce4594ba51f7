// Data movement of the v128 memory instructions (memory.h), on a plain
// buffer: which bytes are read or written and how they are widened. Bounds
// checks belong to the handlers and are exercised by the spec suite.
#include "engine/interp/simd/host.h"
#if VIV_SIMD_HOST_X86  // the semantics exist only for x86-64 hosts (host.h)
#include "engine/interp/simd/memory.h"

#include "tests/unit/simd/reference.h"

namespace vivarium::engine::simd::test {
namespace {

struct Buffer {
  uint8_t b[32];
  Buffer() { for (int i = 0; i < 32; ++i) b[i] = uint8_t(0x80 + i * 7); }
  template <class T> T at(int off) const { T v; std::memcpy(&v, b + off, sizeof(T)); return v; }
};

template <class Narrow, class Wide>
Vec widened(const Buffer& m, int off) {
  Vec r;
  for (int i = 0; i < lanes<Wide>(); ++i) r.set<Wide>(i, Wide(m.at<Narrow>(off + i * int(sizeof(Narrow)))));
  return r;
}

TEST(SimdMemory, LoadExtend) {
  Buffer m;
  for (int off : {0, 1, 5, 13}) {
    EXPECT_TRUE(vec_ok(Vec::of(v128_load8x8_s(m.b + off)), widened<int8_t, int16_t>(m, off), Lanes::Exact));
    EXPECT_TRUE(vec_ok(Vec::of(v128_load8x8_u(m.b + off)), widened<uint8_t, uint16_t>(m, off), Lanes::Exact));
    EXPECT_TRUE(vec_ok(Vec::of(v128_load16x4_s(m.b + off)), widened<int16_t, int32_t>(m, off), Lanes::Exact));
    EXPECT_TRUE(vec_ok(Vec::of(v128_load16x4_u(m.b + off)), widened<uint16_t, uint32_t>(m, off), Lanes::Exact));
    EXPECT_TRUE(vec_ok(Vec::of(v128_load32x2_s(m.b + off)), widened<int32_t, int64_t>(m, off), Lanes::Exact));
    EXPECT_TRUE(vec_ok(Vec::of(v128_load32x2_u(m.b + off)), widened<uint32_t, uint64_t>(m, off), Lanes::Exact));
  }
}

TEST(SimdMemory, SplatAndZero) {
  Buffer m;
  const int off = 3;
  EXPECT_TRUE(vec_ok(Vec::of(v128_load8_splat(m.b + off)), Vec::splat(m.at<uint8_t>(off)), Lanes::Exact));
  EXPECT_TRUE(vec_ok(Vec::of(v128_load16_splat(m.b + off)), Vec::splat(m.at<uint16_t>(off)), Lanes::Exact));
  EXPECT_TRUE(vec_ok(Vec::of(v128_load32_splat(m.b + off)), Vec::splat(m.at<uint32_t>(off)), Lanes::Exact));
  EXPECT_TRUE(vec_ok(Vec::of(v128_load64_splat(m.b + off)), Vec::splat(m.at<uint64_t>(off)), Lanes::Exact));
  Vec z32, z64;
  z32.set<uint32_t>(0, m.at<uint32_t>(off));
  z64.set<uint64_t>(0, m.at<uint64_t>(off));
  EXPECT_TRUE(vec_ok(Vec::of(v128_load32_zero(m.b + off)), z32, Lanes::Exact));
  EXPECT_TRUE(vec_ok(Vec::of(v128_load64_zero(m.b + off)), z64, Lanes::Exact));
}

template <class T>
void check_lane_ops(v128 (*load)(const uint8_t*, v128, uint32_t), void (*store)(uint8_t*, v128, uint32_t)) {
  Buffer m;
  Vec v = random_vec<int8_t>();
  for (uint32_t i = 0; i < uint32_t(lanes<T>()); ++i) {
    Vec e = v;
    e.set<T>(i, m.at<T>(5));
    EXPECT_TRUE(vec_ok(Vec::of(load(m.b + 5, v.m(), i)), e, Lanes::Exact)) << "lane " << i;
    Buffer out;
    Buffer before = out;
    store(out.b + 9, v.m(), i);
    EXPECT_EQ(out.at<T>(9), v.get<T>(i));
    // Nothing outside the lane's bytes is touched.
    EXPECT_EQ(std::memcmp(out.b, before.b, 9), 0);
    EXPECT_EQ(std::memcmp(out.b + 9 + sizeof(T), before.b + 9 + sizeof(T), 32 - 9 - sizeof(T)), 0);
  }
}
TEST(SimdMemory, LoadStoreLane) {
  check_lane_ops<uint8_t>(v128_load8_lane, v128_store8_lane);
  check_lane_ops<uint16_t>(v128_load16_lane, v128_store16_lane);
  check_lane_ops<uint32_t>(v128_load32_lane, v128_store32_lane);
  check_lane_ops<uint64_t>(v128_load64_lane, v128_store64_lane);
}

}  // namespace
}  // namespace vivarium::engine::simd::test

#endif  // VIV_SIMD_HOST_X86
