// Table-driven instruction decoding. The opcode -> Op and Op -> ImmKind maps
// are built at compile time from opcodes.def, so decoding an instruction is
// one array lookup plus a switch on how its immediates are encoded; this runs
// for every instruction of every function the engine compiles.
#include <array>

#include "engine/binary/instr.h"

namespace viv {
namespace {

struct Tables {
  std::array<int16_t, 256> one_byte{};  // opcode byte -> Op, -1 when unknown
  std::array<int16_t, 32> fc{};         // 0xFC sub-opcode -> Op
  std::array<int16_t, 256> fd{};        // 0xFD sub-opcode -> Op
  std::array<ImmKind, kOpCount> imm{};
};

constexpr Tables make_tables() {
  Tables t;
  t.one_byte.fill(-1);
  t.fc.fill(-1);
  t.fd.fill(-1);
#define VIV_OP(id, prefix, code, text, immkind, sig, aux)                       \
  {                                                                             \
    const auto i = static_cast<int16_t>(Op::id);                                \
    if constexpr ((prefix) == 0) t.one_byte[(code)] = i;                        \
    else if constexpr ((prefix) == 0xFC) t.fc[(code)] = i;                      \
    else t.fd[(code)] = i;                                                      \
    t.imm[static_cast<size_t>(i)] = ImmKind::immkind;                           \
  }
#include "engine/opcodes/opcodes.def"
#undef VIV_OP
  return t;
}

constexpr Tables kTables = make_tables();

constexpr bool is_val_type_byte(uint8_t b) {
  return b == 0x7F || b == 0x7E || b == 0x7D || b == 0x7C || b == 0x7B || b == 0x70 || b == 0x6F;
}

Error illegal_opcode(uint64_t at) { return Reader::error_at(at, ErrorCode::BadOpcode, "illegal opcode"); }

// The reserved memory-index byte of memory.size/grow/fill/copy/init: exactly 0x00.
Result<void> zero_byte(Reader& r) {
  uint64_t at = r.offset();
  VIV_TRY_ASSIGN(uint8_t b, r.u8());
  if (b != 0) return Reader::error_at(at, ErrorCode::Malformed, "zero byte expected");
  return {};
}

Result<void> read_memarg(Reader& r, MemArg& m) {
  const uint64_t at = r.offset();
  VIV_TRY_ASSIGN(m.align, r.u32());
  // The alignment exponent of a 32-bit address space is below 32; larger
  // values (including bit 6, the later multi-memory flag) are not 2.0 code.
  if (m.align >= 32) return Reader::error_at(at, ErrorCode::Malformed, "malformed memop flags");
  VIV_TRY_ASSIGN(uint32_t off, r.u32());
  m.offset = off;
  m.memory = 0;
  return {};
}

Result<void> read_block_type(Reader& r, BlockType& bt) {
  VIV_TRY_ASSIGN(uint8_t b, r.peek());
  if (b == 0x40) {
    r.skip_to(r.pos() + 1);
    bt.kind = BlockType::Empty;
    return {};
  }
  if (is_val_type_byte(b)) {
    r.skip_to(r.pos() + 1);
    bt.kind = BlockType::Value;
    bt.value = static_cast<ValType>(b);
    return {};
  }
  // A type index, encoded as a positive s33 so that it cannot collide with
  // the one-byte value type encodings (which are negative).
  uint64_t at = r.offset();
  VIV_TRY_ASSIGN(int64_t x, r.s33());
  if (x < 0) return Reader::error_at(at, ErrorCode::BadType, "malformed block type");
  bt.kind = BlockType::TypeIndex;
  bt.type_index = static_cast<uint32_t>(x);
  return {};
}

}  // namespace

Result<ValType> read_val_type(Reader& r) {
  uint64_t at = r.offset();
  VIV_TRY_ASSIGN(uint8_t b, r.u8());
  if (!is_val_type_byte(b)) return Reader::error_at(at, ErrorCode::BadType, "malformed value type");
  return static_cast<ValType>(b);
}

Result<ValType> read_ref_type(Reader& r) {
  uint64_t at = r.offset();
  VIV_TRY_ASSIGN(uint8_t b, r.u8());
  if (b != 0x70 && b != 0x6F) return Reader::error_at(at, ErrorCode::BadType, "malformed reference type");
  return static_cast<ValType>(b);
}

Result<void> InstrReader::next(Instr& out) {
  const uint64_t at = r_.offset();
  out.offset = at;
  VIV_TRY_ASSIGN(const uint8_t b, r_.u8());
  int16_t idx = kTables.one_byte[b];
  if (b == 0xFC || b == 0xFD) {
    VIV_TRY_ASSIGN(const uint32_t code, r_.u32());
    if (b == 0xFC) idx = code < kTables.fc.size() ? kTables.fc[code] : int16_t{-1};
    else idx = code < kTables.fd.size() ? kTables.fd[code] : int16_t{-1};
  }
  if (idx < 0) return illegal_opcode(at);
  out.op = static_cast<Op>(idx);

  switch (kTables.imm[static_cast<size_t>(idx)]) {
    case ImmKind::None:
      return {};
    case ImmKind::Block:
      return read_block_type(r_, out.block);
    case ImmKind::Label:
    case ImmKind::Func:
    case ImmKind::Local:
    case ImmKind::Global:
    case ImmKind::Table:
    case ImmKind::Elem:
    case ImmKind::Data: {
      VIV_TRY_ASSIGN(out.index, r_.u32());
      return {};
    }
    case ImmKind::LabelTable: {
      VIV_TRY_ASSIGN(const uint32_t n, r_.u32());
      // Each label takes at least one byte: a count beyond the remaining input
      // is malformed, and checking first keeps hostile counts from allocating.
      if (n >= r_.remaining()) return r_.error(ErrorCode::UnexpectedEnd, "unexpected end");
      targets_.resize(static_cast<size_t>(n) + 1);
      for (uint32_t i = 0; i <= n; ++i) {
        VIV_TRY_ASSIGN(targets_[i], r_.u32());
      }
      out.br_targets = std::span<const uint32_t>(targets_.data(), targets_.size());
      return {};
    }
    case ImmKind::CallIndirect:
    case ImmKind::TableInit:
    case ImmKind::TableCopy: {
      VIV_TRY_ASSIGN(out.index, r_.u32());
      VIV_TRY_ASSIGN(out.index2, r_.u32());
      return {};
    }
    case ImmKind::MemArg:
      return read_memarg(r_, out.mem);
    case ImmKind::MemArgLane: {
      VIV_TRY(read_memarg(r_, out.mem));
      VIV_TRY_ASSIGN(out.lane, r_.u8());
      return {};
    }
    case ImmKind::Mem:
      out.index = 0;
      return zero_byte(r_);
    case ImmKind::MemoryInit: {
      VIV_TRY_ASSIGN(out.index, r_.u32());
      out.index2 = 0;
      return zero_byte(r_);
    }
    case ImmKind::MemoryCopy: {
      VIV_TRY(zero_byte(r_));
      out.index = out.index2 = 0;
      return zero_byte(r_);
    }
    case ImmKind::I32: {
      VIV_TRY_ASSIGN(out.i32, r_.s32());
      return {};
    }
    case ImmKind::I64: {
      VIV_TRY_ASSIGN(out.i64, r_.s64());
      return {};
    }
    case ImmKind::F32: {
      VIV_TRY_ASSIGN(out.f32_bits, r_.fixed_u32());
      return {};
    }
    case ImmKind::F64: {
      VIV_TRY_ASSIGN(out.f64_bits, r_.fixed_u64());
      return {};
    }
    case ImmKind::V128:
    case ImmKind::Shuffle: {
      // Lane indices >= 32 are a validation error ("invalid lane index"), not
      // a malformed encoding, so they are left to the validator.
      VIV_TRY_ASSIGN(auto bytes, r_.bytes(16));
      std::memcpy(out.v128.bytes, bytes.data(), 16);
      return {};
    }
    case ImmKind::Lane: {
      VIV_TRY_ASSIGN(out.lane, r_.u8());
      return {};
    }
    case ImmKind::RefType: {
      VIV_TRY_ASSIGN(out.ref_type, read_ref_type(r_));
      return {};
    }
    case ImmKind::SelectT: {
      VIV_TRY_ASSIGN(const uint32_t n, r_.u32());
      if (n > r_.remaining()) return r_.error(ErrorCode::UnexpectedEnd, "unexpected end");
      select_.resize(n);
      for (uint32_t i = 0; i < n; ++i) {
        VIV_TRY_ASSIGN(select_[i], read_val_type(r_));
      }
      out.select_types = std::span<const ValType>(select_.data(), select_.size());
      return {};
    }
  }
  return illegal_opcode(at);  // unreachable: every ImmKind is handled above
}

}  // namespace viv
