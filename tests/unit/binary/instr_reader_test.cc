// InstrReader: every opcode of the table decodes with its immediates, and
// malformed encodings fail with the spec suite's messages.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/binary/instr.h"

namespace vivarium::engine {
namespace {

using Bytes = std::vector<uint8_t>;

void put_u32(Bytes& b, uint32_t v) {
  do {
    uint8_t x = v & 0x7F;
    v >>= 7;
    b.push_back(v ? (x | 0x80) : x);
  } while (v);
}

// Sample immediates for an ImmKind, chosen to be distinguishable after decoding.
void put_imms(Bytes& b, ImmKind k) {
  switch (k) {
    case ImmKind::None: break;
    case ImmKind::Block: b.push_back(0x7F); break;
    case ImmKind::Label: case ImmKind::Func: case ImmKind::Local: case ImmKind::Global:
    case ImmKind::Table: case ImmKind::Elem: case ImmKind::Data:
      put_u32(b, 300);
      break;
    case ImmKind::LabelTable: put_u32(b, 2); put_u32(b, 1); put_u32(b, 2); put_u32(b, 3); break;
    case ImmKind::CallIndirect: case ImmKind::TableInit: case ImmKind::TableCopy:
      put_u32(b, 300); put_u32(b, 7);
      break;
    case ImmKind::MemArg: put_u32(b, 2); put_u32(b, 0xFFFFFFFF); break;
    case ImmKind::MemArgLane: put_u32(b, 1); put_u32(b, 16); b.push_back(3); break;
    case ImmKind::Mem: b.push_back(0); break;
    case ImmKind::MemoryInit: put_u32(b, 300); b.push_back(0); break;
    case ImmKind::MemoryCopy: b.push_back(0); b.push_back(0); break;
    case ImmKind::I32: b.insert(b.end(), {0x80, 0x80, 0x80, 0x80, 0x78}); break;  // INT32_MIN
    case ImmKind::I64: b.push_back(0x7F); break;                                  // -1
    case ImmKind::F32: b.insert(b.end(), {0x00, 0x00, 0x80, 0x3F}); break;        // 1.0f
    case ImmKind::F64: b.insert(b.end(), {0, 0, 0, 0, 0, 0, 0xF0, 0x3F}); break;   // 1.0
    case ImmKind::V128: case ImmKind::Shuffle:
      for (uint8_t i = 0; i < 16; ++i) b.push_back(i);
      break;
    case ImmKind::Lane: b.push_back(5); break;
    case ImmKind::RefType: b.push_back(0x6F); break;
    case ImmKind::SelectT: put_u32(b, 1); b.push_back(0x7B); break;
  }
}

void check_imms(const Instr& in, ImmKind k, const std::string& what) {
  switch (k) {
    case ImmKind::Block: EXPECT_EQ(in.block.kind, BlockType::Value) << what; EXPECT_EQ(in.block.value, ValType::I32); break;
    case ImmKind::Label: case ImmKind::Func: case ImmKind::Local: case ImmKind::Global:
    case ImmKind::Table: case ImmKind::Elem: case ImmKind::Data:
      EXPECT_EQ(in.index, 300u) << what;
      break;
    case ImmKind::LabelTable:
      ASSERT_EQ(in.br_targets.size(), 3u) << what;
      EXPECT_EQ(in.br_targets[0], 1u);
      EXPECT_EQ(in.br_targets[2], 3u);  // default last
      break;
    case ImmKind::CallIndirect: case ImmKind::TableInit: case ImmKind::TableCopy:
      EXPECT_EQ(in.index, 300u) << what;
      EXPECT_EQ(in.index2, 7u) << what;
      break;
    case ImmKind::MemArg: EXPECT_EQ(in.mem.align, 2u) << what; EXPECT_EQ(in.mem.offset, 0xFFFFFFFFu); break;
    case ImmKind::MemArgLane: EXPECT_EQ(in.mem.offset, 16u) << what; EXPECT_EQ(in.lane, 3); break;
    case ImmKind::MemoryInit: EXPECT_EQ(in.index, 300u) << what; break;
    case ImmKind::I32: EXPECT_EQ(in.i32, INT32_MIN) << what; break;
    case ImmKind::I64: EXPECT_EQ(in.i64, -1) << what; break;
    case ImmKind::F32: EXPECT_EQ(in.f32_bits, 0x3F800000u) << what; break;
    case ImmKind::F64: EXPECT_EQ(in.f64_bits, 0x3FF0000000000000u) << what; break;
    case ImmKind::V128: case ImmKind::Shuffle: EXPECT_EQ(in.v128.bytes[15], 15) << what; break;
    case ImmKind::Lane: EXPECT_EQ(in.lane, 5) << what; break;
    case ImmKind::RefType: EXPECT_EQ(in.ref_type, ValType::ExternRef) << what; break;
    case ImmKind::SelectT:
      ASSERT_EQ(in.select_types.size(), 1u) << what;
      EXPECT_EQ(in.select_types[0], ValType::V128);
      break;
    default: break;
  }
}

TEST(InstrReader, EveryOpcodeDecodesWithItsImmediates) {
  for (uint32_t i = 0; i < kOpCount; ++i) {
    const OpInfo& o = info(static_cast<Op>(i));
    Bytes b = {0xAA};  // a leading byte, so offsets are checked to be module-relative
    if (o.prefix) {
      b.push_back(o.prefix);
      put_u32(b, o.code);
    } else {
      b.push_back(static_cast<uint8_t>(o.code));
    }
    put_imms(b, o.imm);
    InstrReader ir(std::span<const uint8_t>(b).subspan(1), 1000);
    Instr in;
    auto r = ir.next(in);
    ASSERT_TRUE(r.ok()) << o.text << ": " << r.error().message();
    EXPECT_EQ(in.op, o.op) << o.text;
    EXPECT_EQ(in.offset, 1000u) << o.text;
    EXPECT_TRUE(ir.at_end()) << o.text << " left bytes unread";
    check_imms(in, o.imm, std::string(o.text));
  }
}

Result<Instr> decode_one(const Bytes& b) {
  InstrReader ir(b, 0);
  Instr in;
  auto r = ir.next(in);
  if (!r.ok()) return r.error();
  return in;
}

std::string err_of(const Bytes& b) {
  auto r = decode_one(b);
  return r.ok() ? "<ok>" : r.error().message();
}

TEST(InstrReader, IllegalOpcodes) {
  for (uint8_t b : {0x06, 0x07, 0x08, 0x09, 0x0A, 0x12, 0x1D, 0x27, 0xC5, 0xD3, 0xFB, 0xFE, 0xFF})
    EXPECT_EQ(err_of({b}), "illegal opcode") << int(b);
  EXPECT_EQ(err_of({0xFC, 18}), "illegal opcode");
  EXPECT_EQ(err_of({0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}), "illegal opcode");
  EXPECT_EQ(err_of({0xFD, 0x9A, 0x01}), "illegal opcode");
  EXPECT_EQ(err_of({0xFD, 0x80, 0x02}), "illegal opcode");  // 256, past the table
  auto r = decode_one({0xFC, 18});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::BadOpcode);
  EXPECT_EQ(r.error().where().offset, 0u);  // points at the prefix byte
}

TEST(InstrReader, PrefixedSubOpcodeIsALeb) {
  // A padded LEB for sub-opcode 8 (memory.init) is still memory.init.
  auto r = decode_one({0xFC, 0x88, 0x80, 0x80, 0x00, 0x05, 0x00});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->op, Op::memory_init);
  EXPECT_EQ(r->index, 5u);
  EXPECT_EQ(err_of({0xFC, 0x88, 0x80, 0x80, 0x80, 0x80, 0x00}), "integer representation too long");
  EXPECT_EQ(err_of({0xFD, 0x8C, 0x80, 0x80, 0x80, 0x10}), "integer too large");
  EXPECT_EQ(err_of({0xFC}), "unexpected end");
}

TEST(InstrReader, ReservedZeroBytes) {
  EXPECT_EQ(err_of({0x3F, 0x01}), "zero byte expected");                    // memory.size
  EXPECT_EQ(err_of({0x40, 0x80, 0x00}), "zero byte expected");              // memory.grow: a byte, not a LEB
  EXPECT_EQ(err_of({0xFC, 0x0B, 0x01}), "zero byte expected");              // memory.fill
  EXPECT_EQ(err_of({0xFC, 0x0A, 0x00, 0x01}), "zero byte expected");        // memory.copy, 2nd byte
  EXPECT_EQ(err_of({0xFC, 0x0A, 0x01, 0x00}), "zero byte expected");        // memory.copy, 1st byte
  EXPECT_EQ(err_of({0xFC, 0x08, 0x00, 0x01}), "zero byte expected");        // memory.init
  EXPECT_EQ(err_of({0x3F}), "unexpected end");
  auto r = decode_one({0x3F, 0x01});
  EXPECT_EQ(r.error().where().offset, 1u);
}

TEST(InstrReader, CallIndirectTableIsAFullU32) {
  auto r = decode_one({0x11, 0x02, 0x81, 0x01});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->index, 2u);
  EXPECT_EQ(r->index2, 129u);
}

TEST(InstrReader, BlockTypes) {
  auto e = decode_one({0x02, 0x40});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->block.kind, BlockType::Empty);
  auto v = decode_one({0x03, 0x7B});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->block.kind, BlockType::Value);
  EXPECT_EQ(v->block.value, ValType::V128);
  auto f = decode_one({0x04, 0x6F});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->block.value, ValType::ExternRef);
  auto t = decode_one({0x02, 0x80, 0x01});  // type index 128 (two bytes)
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->block.kind, BlockType::TypeIndex);
  EXPECT_EQ(t->block.type_index, 128u);
  auto big = decode_one({0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F});  // 2^32-1
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->block.type_index, 0xFFFFFFFFu);
  EXPECT_EQ(err_of({0x02, 0x7A}), "malformed block type");  // negative, not a value type
  EXPECT_EQ(err_of({0x02, 0x80, 0x80, 0x80, 0x80, 0x10}), "integer too large");
  EXPECT_EQ(err_of({0x02}), "unexpected end");
}

TEST(InstrReader, RefAndValueTypes) {
  EXPECT_EQ(err_of({0xD0, 0x7F}), "malformed reference type");
  EXPECT_EQ(err_of({0xD0, 0x40}), "malformed reference type");
  auto r = decode_one({0xD0, 0x70});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ref_type, ValType::FuncRef);
  EXPECT_EQ(err_of({0x1C, 0x01, 0x40}), "malformed value type");
  Bytes b = {0x1C, 0x02, 0x7F, 0x70, 0x1C, 0x00};  // two types: well-formed, invalid later
  InstrReader ir(b, 0);
  Instr in;
  ASSERT_TRUE(ir.next(in).ok());
  ASSERT_EQ(in.select_types.size(), 2u);
  EXPECT_EQ(in.select_types[1], ValType::FuncRef);
  ASSERT_TRUE(ir.next(in).ok());
  EXPECT_TRUE(in.select_types.empty());
}

TEST(InstrReader, HostileCountsDoNotAllocate) {
  // br_table / select claiming 2^32-1 entries with two bytes of input.
  EXPECT_EQ(err_of({0x0E, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x00}), "unexpected end");
  EXPECT_EQ(err_of({0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F}), "unexpected end");
  EXPECT_EQ(err_of({0x0E, 0x01, 0x00}), "unexpected end");  // default missing
  Bytes b = {0x0E, 0x00, 0x04};
  InstrReader ir(b, 0);  // br_targets points into the reader: keep it alive
  Instr in;
  ASSERT_TRUE(ir.next(in).ok());
  ASSERT_EQ(in.br_targets.size(), 1u);
  EXPECT_EQ(in.br_targets[0], 4u);
}

TEST(InstrReader, MemArgs) {
  EXPECT_EQ(err_of({0x28, 0x20, 0x00}), "malformed memop flags");  // align 2^32
  EXPECT_EQ(err_of({0x28, 0x40, 0x00}), "malformed memop flags");  // multi-memory bit
  EXPECT_EQ(err_of({0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10}), "integer too large");  // offset > u32
  auto r = decode_one({0x28, 0x1F, 0x00});  // too large for i32 but well-formed: the validator says no
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->mem.align, 31u);
  EXPECT_EQ(err_of({0xFD, 0x54, 0x00, 0x00}), "unexpected end");  // lane byte missing
}

TEST(InstrReader, ConstantsAndTruncation) {
  auto r = decode_one({0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->i64, INT64_MIN);
  EXPECT_EQ(err_of({0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}), "integer representation too long");
  EXPECT_EQ(err_of({0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}), "integer too large");
  EXPECT_EQ(err_of({0x43, 0x00, 0x00, 0x80}), "unexpected end");
  EXPECT_EQ(err_of({0x44, 0, 0, 0, 0, 0, 0, 0}), "unexpected end");
  EXPECT_EQ(err_of({0xFD, 0x0C, 1, 2, 3}), "unexpected end");
}

TEST(InstrReader, SequenceOffsetsAdvance) {
  Bytes b = {0x41, 0x2A, 0x20, 0x00, 0x6A, 0x0B};  // i32.const 42; local.get 0; i32.add; end
  InstrReader ir(b, 50);
  Instr in;
  std::vector<std::pair<Op, uint64_t>> seen;
  while (!ir.at_end()) {
    ASSERT_TRUE(ir.next(in).ok());
    seen.emplace_back(in.op, in.offset);
  }
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], std::make_pair(Op::i32_const, uint64_t{50}));
  EXPECT_EQ(seen[1], std::make_pair(Op::local_get, uint64_t{52}));
  EXPECT_EQ(seen[2], std::make_pair(Op::i32_add, uint64_t{54}));
  EXPECT_EQ(seen[3], std::make_pair(Op::end, uint64_t{55}));
}

}  // namespace
}  // namespace vivarium::engine

namespace vivarium::engine {
namespace {

TEST(InstrReader, ReadAgreesWithNext) {
  // The bool API used by hot loops reports the same instructions and errors.
  const Bytes good = {0x02, 0x40, 0x41, 0xC0, 0x00, 0x28, 0x02, 0x90, 0x4E, 0x0B, 0x0B};
  InstrReader a(good, 7), b(good, 7);
  Instr x, y;
  while (!a.at_end()) {
    ASSERT_TRUE(a.read(x));
    ASSERT_TRUE(b.next(y).ok());
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.offset, y.offset);
  }
  EXPECT_TRUE(b.at_end());
  const Bytes bad = {0x01, 0x28, 0x40, 0x00};
  InstrReader c(bad, 0), d(bad, 0);
  ASSERT_TRUE(c.read(x));
  EXPECT_FALSE(c.read(x));
  ASSERT_TRUE(d.next(y).ok());
  auto r = d.next(y);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(c.error().message(), "malformed memop flags");
  EXPECT_EQ(r.error().message(), c.error().message());
  EXPECT_EQ(c.error().where().offset, 2u);
}

}  // namespace
}  // namespace vivarium::engine
