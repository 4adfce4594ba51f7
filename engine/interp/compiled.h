// CompiledFunc: one function's internal form, built once by lower_function.
//
// Why this form (design note for the interpreter):
// - A register/slot machine, not a stack machine. The lowering knows, from
//   the validator's state, which frame slot every operand-stack position
//   occupies, so `i32.add` is one instruction naming two source slots and one
//   destination slot: no push/pop, no stack pointer at run time. `local.get`
//   usually emits nothing (the consumer reads the local's slot directly) and
//   `local.set` of a just-computed value retargets that instruction's
//   destination, so most wasm instructions cost zero or one dispatch.
// - Threaded code: each instruction starts with a Word naming its handler (a
//   32-bit distance from h_anchor), and handlers tail-call the next one
//   (engine/interp/handler.h), so dispatch is one add and one indirect jump
//   with pc, fp, memory base and state held in registers. Words are 4 bytes:
//   an `i32.add` of two slots into a third is 16 bytes.
// - Control flow is resolved at lowering: branches carry relative targets
//   (patched when a forward block's `end` is reached) and the moves that put
//   branch values where the target expects them; nothing searches for `end`
//   or inspects block types at run time. Unreachable code is not emitted.
// - Room for the speed work (issue 5): an instruction is "handler + operand
//   Words", so operand variants (constant or local operands), fused
//   compare-and-branch or load-with-local-address are new handlers plus a
//   row of the pattern table (fusions.def, with its layout in layouts.def),
//   not a new format.
// - Traps need the wasm byte offset; it lives in a side table (pc -> offset)
//   consulted only when a trap or a backtrace is built.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "engine/interp/handler.h"
#include "engine/module/module.h"
#include "engine/tier/tier.h"

namespace vivarium::engine {

// The interpreter's slots are 8 bytes; a v128 takes two.
constexpr uint32_t slots_of(ValType t) { return t == ValType::V128 ? 2 : 1; }

struct CompiledFunc {
  // `code_words` Words of code, then the offset table (below) in the same
  // allocation: one block per function.
  std::unique_ptr<interp::Word[]> code;
  uint32_t code_words = 0;
  uint32_t offset_table_bytes = 0;
  uint32_t param_slots = 0;   // parameters occupy fp[0, param_slots)
  uint32_t local_slots = 0;   // parameters + declared locals (zeroed on entry)
  uint32_t frame_slots = 0;   // locals + maximum operand-stack slots
  uint32_t result_slots = 0;  // results are left in fp[0, result_slots)
  uint32_t func_index = 0;    // in the module's function index space
  const ModuleIR* module = nullptr;
  // Set by a compiling tier (engine/compiler) once this function has native
  // code: calls from interpreted code then leave through the module's tier
  // (Tier::call) instead of running this form. kTierUpAlways, or
  // kTierUpIfGuarded: only where memory 0 has the full guard reservation
  // (code that elides bounds checks). Checked on the call path only.
  mutable std::atomic<uint8_t> tier_up{0};
  static constexpr uint8_t kTierUpAlways = 1, kTierUpIfGuarded = 2;

  // The offset table maps each instruction that can trap or call to its wasm
  // byte offset, for trap locations and backtraces. It is read only when an
  // error is built, so it is stored for size, not speed: entries ascending by
  // Word index, each a LEB128 pair (Word index - previous Word index,
  // signed module offset - previous module offset), from (0, 0): two or three
  // bytes an entry (2.5 on average in bench/large) where two u32 take eight.
  static std::vector<uint8_t> encode_offsets(const std::vector<std::pair<uint32_t, uint32_t>>& entries);
  const uint8_t* offset_table() const { return reinterpret_cast<const uint8_t*>(code.get() + code_words); }

  // Module offset of the instruction at or before `pc` (Location::kNone if unknown).
  uint64_t offset_of(const interp::Word* pc) const;
};

// FuncInst::code is a tier-neutral handle (engine/tier/tier.h); the functions
// the interpreter compiled carry their CompiledFunc behind it. Host functions
// have none (nullptr). (With a second tier, a callee of another tier will be
// recognised by its module's tier and called through Tier::call.)
inline const CompiledFunc* compiled(const vivarium::detail::TierCode* c) {
  return reinterpret_cast<const CompiledFunc*>(c);
}
inline const vivarium::detail::TierCode* as_tier_code(const CompiledFunc* f) {
  return reinterpret_cast<const vivarium::detail::TierCode*>(f);
}

}  // namespace vivarium::engine
