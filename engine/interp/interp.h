// The interpreter's entry points, used by the runtime.
//
// Design (details in compiled.h and handler.h): each function is lowered once,
// in the same pass that validates it, to threaded code for a register/slot
// machine -- every instruction is a handler pointer plus the frame-slot
// indices of its operands and result, branch targets are resolved offsets,
// unreachable code is dropped. Handlers tail-call each other ([[clang::musttail]],
// a dispatch loop elsewhere) with pc, frame, memory base and state in
// registers. Calls push explicit frames on the store's ExecState, so wasm
// recursion never grows the native stack. This form leaves the speed work
// (operand variants, superinstructions) to new handlers, not a new format.
#pragma once
#include <memory>

#include "engine/module/module.h"
#include "engine/runtime/objects.h"

namespace vivarium::engine {

using vivarium::RawSlot;

// Lowers one validated-while-lowering function to the internal form. Drives a
// FuncValidator (engine/validator/validator.h) through the body, so this is
// also where a body's validation errors come from when compiling.
void destroy_compiled(CompiledFunc* f);
struct CompiledFuncDeleter { void operator()(CompiledFunc* f) const { destroy_compiled(f); } };
using CompiledFuncPtr = std::unique_ptr<CompiledFunc, CompiledFuncDeleter>;
Result<CompiledFuncPtr> lower_function(const ModuleIR& module, uint32_t defined_index);

// Size in bytes of a function's internal form (for `vivarium inspect` and the
// internal-form size benchmark).
size_t compiled_size(const CompiledFunc& f);

// Calls `f` (wasm or host) in `store`. `args` and `results` use the slot
// layout of include/vivarium/host_func.h. Traps and exhaustion come back as
// Errors with a backtrace of guest function names.
Result<void> invoke(vivarium::detail::StoreImpl& store, vivarium::detail::FuncInst* f, const RawSlot* args,
                    RawSlot* results);

}  // namespace vivarium::engine
