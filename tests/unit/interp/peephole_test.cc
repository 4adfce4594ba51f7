// The peephole stage's machinery (engine/interp/peephole.h): the layout
// table as the encoder, the handlers and describe() see it, the encoder's
// narrow-field and trap-site rules, and a row of fusions.def end to end.
#include <gtest/gtest.h>

#include <string>

#include "engine/interp/code_buffer.h"
#include "engine/interp/layout.h"
#include "engine/interp/ops.h"
#include "engine/interp/peephole.h"
#include "tests/unit/interp/lowering_test_util.h"

namespace vivarium::engine::test {
namespace {

using namespace vivarium::engine::interp;

TEST(InterpLayouts, DescriptorsFollowLayoutsDef) {
  const LayoutDesc& ab_cd = layout_desc(LayoutId::ab_cd);
  EXPECT_EQ(ab_cd.name, "ab_cd");
  EXPECT_EQ(ab_cd.words, 3);
  ASSERT_EQ(ab_cd.nfields, 4);
  EXPECT_EQ(ab_cd.fields[2].name, "c");
  EXPECT_EQ(ab_cd.fields[2].kind, FieldKind::Lo);
  EXPECT_EQ(ab_cd.result, 3);
  EXPECT_EQ(ab_cd.rel, -1);
  const LayoutDesc& lk = layout_desc(LayoutId::load_k_rel);
  EXPECT_EQ(lk.fields[0].kind, FieldKind::Trap);
  EXPECT_EQ(lk.fields[0].word, 0);
  EXPECT_EQ(lk.rel, 4);
  EXPECT_EQ(layout::load_k_rel::kWords, 5u);
}

TEST(InterpLayouts, EncoderWritesWhatHandlersRead) {
  CodeBuffer buf;
  Field d;
  ASSERT_TRUE(buf.encode_at(0, &h_copy_n, LayoutId::ab_cd, {1, 2, 65535, 7}, &d));
  ASSERT_EQ(buf.pos(), 3u);
  const Word* pc = buf.code.data();
  EXPECT_EQ(handler_at(pc), &h_copy_n);
  EXPECT_EQ(layout::ab_cd::a(pc), 1u);
  EXPECT_EQ(layout::ab_cd::b(pc), 2u);
  EXPECT_EQ(layout::ab_cd::c(pc), 65535u);
  EXPECT_EQ(layout::ab_cd::d(pc), 7u);
  EXPECT_EQ(d.word, 2u);
  EXPECT_EQ(d.half, Field::kHigh);
  EXPECT_EQ(describe(pc, LayoutId::ab_cd), "a=1 b=2 c=65535 d=7");
  // A value a half-Word field cannot hold: the row does not match, nothing changes.
  EXPECT_FALSE(buf.encode_at(0, &h_copy, LayoutId::ab_cd, {1, 2, 65536, 7}, &d));
  EXPECT_EQ(buf.pos(), 3u);
  EXPECT_EQ(handler_at(buf.code.data()), &h_copy_n);
  // Wrong arity never encodes.
  EXPECT_FALSE(CodeBuffer::fits(LayoutId::ab_cd, {1, 2, 3}));
}

TEST(InterpLayouts, TrapSitesReplaceTheOffsetsOfWhatIsRewound) {
  CodeBuffer buf;
  const uint32_t first = buf.emit(&h_copy, 3);
  buf.offsets.emplace_back(first, 10);
  const uint32_t load = buf.emit(&h_copy, 4);
  buf.offsets.emplace_back(load, 20);
  EXPECT_EQ(buf.trap_at(load), 20u);
  EXPECT_EQ(buf.trap_at(load + 1), kNoTrap);
  uint32_t rel = 0;
  Field unused;
  ASSERT_TRUE(buf.encode_at(load, &h_br, LayoutId::load_k_rel, {buf.trap_at(load), 5, 8, 42, 0}, &unused, &rel));
  EXPECT_EQ(rel, load + 4);
  ASSERT_EQ(buf.offsets.size(), 2u);
  EXPECT_EQ(buf.offsets[0], std::make_pair(first, 10u));
  EXPECT_EQ(buf.offsets[1], std::make_pair(load, 20u));
  EXPECT_EQ(describe(buf.code.data() + load, LayoutId::load_k_rel), "addr=5 off=8 k=42 rel=+0");
  // Rewinding over it drops its entry.
  buf.rewind(load);
  ASSERT_EQ(buf.offsets.size(), 1u);
}

// A load moved into a later instruction (the mul+add read-modify-write):
// its Words and offset entry leave, later entries move down with their Words.
TEST(InterpLayouts, RemoveDropsWordsAndTheirOffsets) {
  CodeBuffer buf;
  buf.emit(&h_copy, 3);
  const uint32_t load = buf.emit(&h_copy, 4);
  buf.offsets.emplace_back(load, 20);
  const uint32_t div = buf.emit(&h_copy, 3);
  buf.offsets.emplace_back(div, 30);
  buf.remove(load, load + 4);
  EXPECT_EQ(buf.pos(), 6u);
  ASSERT_EQ(buf.offsets.size(), 1u);
  EXPECT_EQ(buf.offsets[0], std::make_pair(load, 30u));
  // Two Trap fields (mem_copy): one entry per replaced instruction, in order.
  Field unused;
  ASSERT_TRUE(buf.encode_at(3, &h_copy, LayoutId::mem_copy, {7, 9, 1, 2, 0, 8, 0, 16}, &unused));
  ASSERT_EQ(buf.offsets.size(), 2u);
  EXPECT_EQ(buf.offsets[0], std::make_pair(3u, 7u));
  EXPECT_EQ(buf.offsets[1], std::make_pair(4u, 9u));
  // kNoTrap: no entry (a plain binop that cannot trap).
  ASSERT_TRUE(buf.encode_at(buf.pos(), &h_copy, LayoutId::binop_n, {kNoTrap, 1, 2, 3}, &unused));
  EXPECT_EQ(buf.offsets.size(), 2u);
}

// fusions.def's int_chain row, end to end: `(a & b) ^ c` lowers to one
// chain instruction whose fields the layout names.
TEST(InterpPeephole, ChainRowEndToEnd) {
  const std::string text = R"((module (func (param $a i32) (param $b i32) (param $c i32) (result i32)
    (i32.xor (i32.and (local.get $a) (local.get $b)) (local.get $c)))))";
  const CompiledFuncPtr cf = lower_wat(text, 0);
  ASSERT_TRUE(cf);
  const Word* pc = cf->code.get();
  EXPECT_EQ(handler_at(pc), chain_handler(Op::i32_and, Op::i32_xor, false, false));
  // a, b, c are the params' slots; the result goes straight to fp[0].
  EXPECT_EQ(describe(pc, LayoutId::ab_cd), "a=0 b=1 c=2 d=0");
}

}  // namespace
}  // namespace vivarium::engine::test
