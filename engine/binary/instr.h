// One decoded instruction and the table-driven reader that produces it.
// Decoder (constant expressions), validator, interpreter lowering and printer
// all read code through InstrReader, so immediates are decoded in one place.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "engine/binary/reader.h"
#include "engine/opcodes/opcodes.h"
#include "vivarium/types.h"

namespace vivarium::engine {

using vivarium::V128;

struct BlockType {
  enum Kind : uint8_t { Empty, Value, TypeIndex } kind = Empty;
  ValType value = ValType::I32;  // kind == Value
  uint32_t type_index = 0;       // kind == TypeIndex
};

struct MemArg {
  uint32_t align = 0;   // log2 as encoded
  uint64_t offset = 0;  // u32 in 2.0
  uint32_t memory = 0;  // always 0 in 2.0
};

struct Instr {
  Op op = Op::nop;
  uint64_t offset = 0;  // module offset of the opcode's first byte
  // Immediates; which are meaningful is given by info(op).imm.
  uint32_t index = 0;   // label / func / local / global / table / elem / data / type index
  uint32_t index2 = 0;  // call_indirect table; table.init table; table.copy src; memory.init memory
  BlockType block;
  MemArg mem;
  uint8_t lane = 0;
  int32_t i32 = 0;
  int64_t i64 = 0;
  uint32_t f32_bits = 0;
  uint64_t f64_bits = 0;
  V128 v128;                    // v128.const value; i8x16.shuffle lanes
  ValType ref_type = ValType::FuncRef;  // ref.null
  // select t*: the listed types (valid modules have exactly one).
  std::span<const ValType> select_types;
  // br_table: label depths, default last. Points into the reader's scratch
  // buffer: valid until the next read.
  std::span<const uint32_t> br_targets;
};

class InstrReader {
 public:
  // `code` holds instructions; `base_offset` is the module offset of code[0].
  InstrReader(std::span<const uint8_t> code, uint64_t base_offset) : r_(code, base_offset) {}

  bool at_end() const { return r_.at_end(); }
  uint64_t offset() const { return r_.offset(); }
  // Decodes the next instruction. Errors are Malformed ("illegal opcode",
  // "unexpected end", "integer too large", "zero byte expected", ...).
  Result<void> next(Instr& out);
  // The same for hot loops (validation, lowering): returns false on error and
  // leaves it in error(). Avoids building a Result per instruction.
  bool read(Instr& out);
  const Error& error() const { return err_; }
  Reader& reader() { return r_; }

 private:
  bool fail(Error e);
  bool slow_u32(const uint8_t*& p, uint32_t& v);
  bool read_block_type(const uint8_t*& p, BlockType& bt);
  bool read_memarg(const uint8_t*& p, MemArg& m);
  bool zero_byte(const uint8_t*& p);

  Reader r_;
  Error err_;
  std::vector<uint32_t> targets_;
  std::vector<ValType> select_;
};

// Decodes a value type byte ("malformed value type" otherwise).
Result<ValType> read_val_type(Reader& r);
// Decodes a reference type byte ("malformed reference type" otherwise).
Result<ValType> read_ref_type(Reader& r);

}  // namespace vivarium::engine
