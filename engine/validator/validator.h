// Validation (spec chapter 3). Every rule lives in exactly one place.
//
// Module-level rules live in module_validator.cc; per-instruction typing lives
// in FuncValidator. A tier's compiler (the interpreter's lowering today)
// drives a FuncValidator instruction by instruction and reads its state
// (operand counts and types, label types, locals) to emit code: that state is
// the validator's output, and the decoded module is never modified. The
// validator is tier-neutral: it speaks only of wasm types and operand counts;
// how a tier places values (the interpreter's slots) is that tier's business.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "engine/binary/instr.h"
#include "engine/module/module.h"

namespace vivarium::engine {

// The type of an operand in unreachable (stack-polymorphic) code.
constexpr ValType kUnknownType = static_cast<ValType>(0);

enum class FrameKind : uint8_t { Function, Block, Loop, If, Else };

struct CtrlFrame {
  FrameKind kind;
  std::span<const ValType> params;   // block type inputs
  std::span<const ValType> results;  // block type outputs
  uint32_t height;       // operand count at frame entry (params already popped)
  bool unreachable;      // the rest of this frame is stack-polymorphic
  // Types a branch to this label carries: params for loops, results otherwise.
  std::span<const ValType> label_types() const { return kind == FrameKind::Loop ? params : results; }
};

class FuncValidator {
 public:
  // `defined_index` indexes ModuleIR::funcs (not the function index space).
  FuncValidator(const ModuleIR& module, uint32_t defined_index);

  // Checks `in` against the current state and applies its effect. The first
  // error ends validation of the function; the error's location carries
  // `in.offset` and the function's display name.
  Result<void> step(const Instr& in);
  // Call after the last instruction: the body must have ended exactly at its
  // final `end` ("unexpected end" / "END opcode expected" otherwise).
  Result<void> finish();

  // ---- state, valid between steps -----------------------------------------
  bool reachable() const;
  uint32_t operand_count() const;          // all operands on the stack
  // Type of the i-th operand from the top (0 = top); kUnknownType if it
  // comes from the polymorphic bottom of unreachable code.
  ValType operand_type(uint32_t i_from_top) const;
  uint32_t control_depth() const;          // open frames, including the function frame
  const CtrlFrame& frame(uint32_t label_depth) const;  // 0 = innermost

  std::span<const ValType> local_types() const;        // params, then declared locals
  const FuncType& func_type() const;

 private:
  struct State;
  std::shared_ptr<State> s_;
};

// Validates every module-level rule and, when `bodies`, every function body.
// Module::compile passes bodies=false and validates each body while lowering it
// (one pass per function); `vivarium validate` passes true.
Result<void> validate_module(const ModuleIR& module, bool bodies = true);

// Validates a constant expression of the expected type (globals, segment
// offsets, element expressions). Shared by module validation.
Result<void> validate_const_expr(const ModuleIR& module, const ConstExpr& e, ValType expected,
                                 uint32_t visible_globals);

// Upper bound on locals per function (params + locals); beyond it the
// function is rejected ("too many locals"). Matches wasmtime's 50,000.
constexpr uint64_t kMaxLocals = 50000;

}  // namespace vivarium::engine
