#include "engine/opcodes/opcodes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vivarium::engine {
namespace {

TEST(Opcodes, EveryRowRoundTripsThroughLookups) {
  std::set<std::pair<uint32_t, uint32_t>> codes;
  for (uint32_t i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    const OpInfo& in = info(op);
    EXPECT_EQ(in.op, op);
    EXPECT_TRUE(codes.insert({in.prefix, in.code}).second) << in.text << " has a duplicate encoding";
    auto back = in.prefix == 0 ? lookup_byte(static_cast<uint8_t>(in.code)) : lookup_prefixed(in.prefix, in.code);
    ASSERT_TRUE(back.has_value()) << in.text;
    EXPECT_EQ(*back, op);
    if (op != Op::select_t) {
      auto t = lookup_text(in.text);
      ASSERT_TRUE(t.has_value()) << in.text;
      EXPECT_EQ(*t, op);
    }
  }
}

TEST(Opcodes, UnknownEncodingsAreRejected) {
  EXPECT_FALSE(lookup_byte(0x06).has_value());
  EXPECT_FALSE(lookup_byte(0xFF).has_value());
  EXPECT_FALSE(lookup_prefixed(0xFC, 18).has_value());
  EXPECT_FALSE(lookup_prefixed(0xFD, 0x9A).has_value());
  EXPECT_FALSE(lookup_text("i32.frobnicate").has_value());
}

TEST(Opcodes, SignaturesMatchTheSpec) {
  const SigTypes* s = sig_types(info(Op::i64_store32).sig);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->nparams, 2);
  EXPECT_EQ(s->params[0], ValType::I32);
  EXPECT_EQ(s->params[1], ValType::I64);
  EXPECT_EQ(s->nresults, 0);
  s = sig_types(info(Op::f32x4_replace_lane).sig);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->params[1], ValType::F32);
  EXPECT_EQ(s->result, ValType::V128);
  EXPECT_EQ(sig_types(info(Op::call).sig), nullptr);
  EXPECT_EQ(info(Op::i64_load).aux, 3);
  EXPECT_EQ(info(Op::i16x8_extract_lane_s).aux, 8);
}

TEST(Opcodes, TableSize) {
  // 2.0: 201 core + 18 0xFC + 236 SIMD... count what the table holds so a
  // dropped row shows up here.
  uint32_t simd = 0, fc = 0, core = 0;
  for (uint32_t i = 0; i < kOpCount; ++i) {
    const OpInfo& in = info(static_cast<Op>(i));
    (in.prefix == 0xFD ? simd : in.prefix == 0xFC ? fc : core)++;
  }
  EXPECT_EQ(fc, 18u);
  EXPECT_EQ(simd, 236u);
  EXPECT_EQ(core, 183u);
}

}  // namespace
}  // namespace vivarium::engine
