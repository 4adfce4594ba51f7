// Opcode identifiers and per-opcode facts, generated from opcodes.def.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "vivarium/types.h"

namespace vivarium::engine {

using vivarium::ValType;

enum class Op : uint16_t {
#define VIV_OP(id, prefix, code, text, imm, sig, aux, ...) id,
#include "engine/opcodes/opcodes.def"
#undef VIV_OP
  kCount
};
constexpr uint32_t kOpCount = static_cast<uint32_t>(Op::kCount);

// How an instruction's immediates are encoded in the binary format.
enum class ImmKind : uint8_t {
  None,
  Block,         // blocktype: 0x40 | valtype | s33 type index
  Label,         // u32 label depth
  LabelTable,    // vec(u32) + u32 default
  Func,          // u32 function index
  CallIndirect,  // u32 type index, u32 table index
  Local,         // u32
  Global,        // u32
  Table,         // u32
  Elem,          // u32 element segment index
  Data,          // u32 data segment index
  MemArg,        // u32 align, u32 offset (memory 0)
  MemArgLane,    // memarg + u8 lane
  Mem,           // one reserved 0x00 byte (memory index 0)
  MemoryInit,    // u32 data index, reserved 0x00
  MemoryCopy,    // two reserved 0x00 bytes
  TableInit,     // u32 elem index, u32 table index
  TableCopy,     // u32 dst table, u32 src table
  I32,           // s32
  I64,           // s64
  F32,           // 4 bytes
  F64,           // 8 bytes
  V128,          // 16 bytes
  Shuffle,       // 16 lane bytes, each < 32
  Lane,          // u8 lane index
  RefType,       // reftype byte
  SelectT,       // vec(valtype)
};

// Fixed operand/result signature, or Special for hand-typed instructions.
enum class Sig : uint8_t {
#define VIV_SIG(name) name,
#include "engine/opcodes/sigs.def"
#undef VIV_SIG
};

struct SigTypes {
  uint8_t nparams;
  uint8_t nresults;
  ValType params[3];
  ValType result;
};

// The `traits` column of opcodes.def.
enum class OpTrait : uint8_t { None, Trap, Commutes, Lanes };

struct OpInfo {
  Op op;
  uint8_t prefix;      // 0, 0xFC or 0xFD
  uint32_t code;       // byte after the prefix (or the opcode byte)
  std::string_view text;
  ImmKind imm;
  Sig sig;
  uint8_t aux;         // see opcodes.def
  OpTrait trait;
  Op negate;           // Op::nop if none
  Op mirror;           // Op::nop if none
};

const OpInfo& info(Op op);
inline std::string_view name(Op op) { return info(op).text; }
// The opcodes.def columns every tier reads (see the comment there).
inline bool can_trap(Op op) { return info(op).trait == OpTrait::Trap; }
inline bool commutes(Op op) { return info(op).trait == OpTrait::Commutes; }
// The comparison that is true exactly when `cmp` is false, or Op::nop (not a
// comparison, or a float one).
inline Op negate_compare(Op cmp) { return info(cmp).negate; }
// `cmp` with its operands swapped, or Op::nop if not a comparison.
inline Op mirror_compare(Op cmp) { return info(cmp).mirror; }
// nullptr when the sig is Special.
const SigTypes* sig_types(Sig s);

// Binary lookup: nullopt for an unknown opcode.
std::optional<Op> lookup_byte(uint8_t b);
std::optional<Op> lookup_prefixed(uint8_t prefix, uint32_t code);
// Text lookup by mnemonic. For "select" returns Op::select (the text parser
// picks select_t when a result type follows).
std::optional<Op> lookup_text(std::string_view mnemonic);

}  // namespace vivarium::engine
