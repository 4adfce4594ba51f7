// Table-driven instruction decoding. The opcode -> Op and Op -> ImmKind maps
// are built at compile time from opcodes.def, so decoding an instruction is
// one array lookup plus a switch on how its immediates are encoded; this runs
// for every instruction of every function the engine compiles.
#include <array>

#include "engine/binary/instr.h"

namespace vivarium::engine {
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
#define VIV_OP(id, prefix, code, text, immkind, sig, aux, ...)                  \
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

// The hot path works on a local cursor `p` (kept in a register) and only
// syncs the Reader when it falls back to a slow path or returns. One-byte
// LEBs, by far the most common, never leave the inline path.

bool InstrReader::fail(Error e) {
  err_ = std::move(e);
  return false;
}

bool InstrReader::slow_u32(const uint8_t*& p, uint32_t& v) {
  r_.skip_to(p);
  auto x = r_.u32();
  if (!x.ok()) return fail(std::move(x).error());
  v = *x;
  p = r_.pos();
  return true;
}

#define VIV_U32(dst)                                     \
  do {                                                   \
    if (p != end && *p < 0x80) [[likely]] {              \
      (dst) = *p++;                                      \
    } else if (!slow_u32(p, (dst))) {                    \
      return false;                                      \
    }                                                    \
  } while (0)

bool InstrReader::read_memarg(const uint8_t*& p, MemArg& m) {
  const uint8_t* end = r_.end();
  const uint8_t* at = p;
  VIV_U32(m.align);
  // The alignment exponent of a 32-bit address space is below 32; larger
  // values (including bit 6, the later multi-memory flag) are not 2.0 code.
  if (m.align >= 32) {
    r_.skip_to(at);
    return fail(r_.error(ErrorCode::Malformed, "malformed memop flags"));
  }
  uint32_t off;
  VIV_U32(off);
  m.offset = off;
  m.memory = 0;
  return true;
}

// The reserved memory-index byte of memory.size/grow/fill/copy/init: exactly 0x00.
bool InstrReader::zero_byte(const uint8_t*& p) {
  r_.skip_to(p);
  if (p == r_.end()) return fail(r_.error(ErrorCode::UnexpectedEnd, "unexpected end"));
  if (*p != 0) return fail(r_.error(ErrorCode::Malformed, "zero byte expected"));
  ++p;
  return true;
}

bool InstrReader::read_block_type(const uint8_t*& p, BlockType& bt) {
  r_.skip_to(p);
  if (p == r_.end()) return fail(r_.error(ErrorCode::UnexpectedEnd, "unexpected end"));
  const uint8_t b = *p;
  if (b == 0x40) {
    bt.kind = BlockType::Empty;
    ++p;
    return true;
  }
  if (is_val_type_byte(b)) {
    bt.kind = BlockType::Value;
    bt.value = static_cast<ValType>(b);
    ++p;
    return true;
  }
  // A type index, encoded as a positive s33 so that it cannot collide with
  // the one-byte value type encodings (which are negative).
  const uint64_t at = r_.offset();
  auto x = r_.s33();
  if (!x.ok()) return fail(std::move(x).error());
  if (*x < 0) return fail(Reader::error_at(at, ErrorCode::BadType, "malformed block type"));
  bt.kind = BlockType::TypeIndex;
  bt.type_index = static_cast<uint32_t>(*x);
  p = r_.pos();
  return true;
}

Result<void> InstrReader::next(Instr& out) {
  if (read(out)) return {};
  return err_;
}

bool InstrReader::read(Instr& out) {
  const uint8_t* p = r_.pos();
  const uint8_t* const end = r_.end();
  const uint64_t at = r_.offset();
  out.offset = at;
  if (p == end) [[unlikely]] return fail(r_.error(ErrorCode::UnexpectedEnd, "unexpected end"));
  const uint8_t b = *p++;
  int16_t idx = kTables.one_byte[b];
  if (b >= 0xFC) {
    if (b == 0xFC || b == 0xFD) {
      uint32_t code;
      VIV_U32(code);
      if (b == 0xFC) idx = code < kTables.fc.size() ? kTables.fc[code] : int16_t{-1};
      else idx = code < kTables.fd.size() ? kTables.fd[code] : int16_t{-1};
    }
  }
  if (idx < 0) [[unlikely]] return fail(illegal_opcode(at));
  out.op = static_cast<Op>(idx);

  switch (kTables.imm[static_cast<size_t>(idx)]) {
    case ImmKind::None:
      break;
    case ImmKind::Block:
      if (!read_block_type(p, out.block)) return false;
      break;
    case ImmKind::Label:
    case ImmKind::Func:
    case ImmKind::Local:
    case ImmKind::Global:
    case ImmKind::Table:
    case ImmKind::Elem:
    case ImmKind::Data:
      VIV_U32(out.index);
      break;
    case ImmKind::LabelTable: {
      uint32_t n;
      VIV_U32(n);
      // Each label takes at least one byte: a count beyond the remaining input
      // is malformed, and checking first keeps hostile counts from allocating.
      if (n >= static_cast<size_t>(end - p)) {
        r_.skip_to(end);
        return fail(r_.error(ErrorCode::UnexpectedEnd, "unexpected end"));
      }
      targets_.resize(static_cast<size_t>(n) + 1);
      for (uint32_t i = 0; i <= n; ++i) VIV_U32(targets_[i]);
      out.br_targets = std::span<const uint32_t>(targets_.data(), targets_.size());
      break;
    }
    case ImmKind::CallIndirect:
    case ImmKind::TableInit:
    case ImmKind::TableCopy:
      VIV_U32(out.index);
      VIV_U32(out.index2);
      break;
    case ImmKind::MemArg:
      if (!read_memarg(p, out.mem)) return false;
      break;
    case ImmKind::MemArgLane:
      if (!read_memarg(p, out.mem)) return false;
      if (p == end) {
        r_.skip_to(p);
        return fail(r_.error(ErrorCode::UnexpectedEnd, "unexpected end"));
      }
      out.lane = *p++;
      break;
    case ImmKind::Mem:
      out.index = 0;
      if (!zero_byte(p)) return false;
      break;
    case ImmKind::MemoryInit:
      VIV_U32(out.index);
      out.index2 = 0;
      if (!zero_byte(p)) return false;
      break;
    case ImmKind::MemoryCopy:
      out.index = out.index2 = 0;
      if (!zero_byte(p) || !zero_byte(p)) return false;
      break;
    case ImmKind::I32:
      if (p != end && *p < 0x80) [[likely]] {
        out.i32 = static_cast<int32_t>(*p) - ((*p & 0x40) ? 0x80 : 0);
        ++p;
      } else {
        r_.skip_to(p);
        auto x = r_.s32();
        if (!x.ok()) return fail(std::move(x).error());
        out.i32 = *x;
        p = r_.pos();
      }
      break;
    case ImmKind::I64: {
      r_.skip_to(p);
      auto x = r_.s64();
      if (!x.ok()) return fail(std::move(x).error());
      out.i64 = *x;
      p = r_.pos();
      break;
    }
    case ImmKind::F32:
      if (end - p < 4) {
        r_.skip_to(p);
        return fail(r_.error(ErrorCode::UnexpectedEnd, "unexpected end"));
      }
      std::memcpy(&out.f32_bits, p, 4);
      p += 4;
      break;
    case ImmKind::F64:
      if (end - p < 8) {
        r_.skip_to(p);
        return fail(r_.error(ErrorCode::UnexpectedEnd, "unexpected end"));
      }
      std::memcpy(&out.f64_bits, p, 8);
      p += 8;
      break;
    case ImmKind::V128:
    case ImmKind::Shuffle:
      // Lane indices >= 32 are a validation error ("invalid lane index"), not
      // a malformed encoding, so they are left to the validator.
      if (end - p < 16) {
        r_.skip_to(p);
        return fail(r_.error(ErrorCode::UnexpectedEnd, "unexpected end"));
      }
      std::memcpy(out.v128.bytes, p, 16);
      p += 16;
      break;
    case ImmKind::Lane:
      if (p == end) {
        r_.skip_to(p);
        return fail(r_.error(ErrorCode::UnexpectedEnd, "unexpected end"));
      }
      out.lane = *p++;
      break;
    case ImmKind::RefType: {
      r_.skip_to(p);
      auto t = read_ref_type(r_);
      if (!t.ok()) return fail(std::move(t).error());
      out.ref_type = *t;
      p = r_.pos();
      break;
    }
    case ImmKind::SelectT: {
      uint32_t n;
      VIV_U32(n);
      r_.skip_to(p);
      if (n > r_.remaining()) return fail(r_.error(ErrorCode::UnexpectedEnd, "unexpected end"));
      select_.resize(n);
      for (uint32_t i = 0; i < n; ++i) {
        auto t = read_val_type(r_);
        if (!t.ok()) return fail(std::move(t).error());
        select_[i] = *t;
      }
      p = r_.pos();
      out.select_types = std::span<const ValType>(select_.data(), select_.size());
      break;
    }
  }
  r_.skip_to(p);
  return true;
}

#undef VIV_U32

}  // namespace vivarium::engine
