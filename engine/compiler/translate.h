// WebAssembly function bodies -> LLVM IR. One LLVM module per wasm module:
// for each defined function the compiler can handle, an internal function
// "f<index>" with wasm's own signature (ctx first; several results come back
// as a struct) and an exported wrapper "entry<index>" in the runtime's slot
// convention (NativeCtx, args, results); SIMD is in translate_simd.h. A
// function it cannot handle is left to the interpreter; compiled code reaches
// such functions, imports and other instances' functions through
// viv_native_call (engine/compiler/native_abi.h).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/module/module.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace vivarium::engine::compiler {

// Whether defined function `defined_index` of validated `ir` is within what
// translate_module compiles (every body that decodes).
bool can_compile(const ModuleIR& ir, uint32_t defined_index);

// Whether compiled code of `ir` leaves memory bounds checks to guard pages:
// memory 0 may grow to 4 GiB, so the runtime gives it the full reservation
// (engine/memory/linear_memory.h) unless store limits or the OS prevent it,
// which NativeTier::call checks before it runs such code.
bool elides_bounds_checks(const ModuleIR& ir);

struct TranslatedModule {
  std::unique_ptr<llvm::Module> module;
  std::vector<uint8_t> compiled;  // per defined function: 1 when it has f<i>/entry<i>
};

// `type_ids` are the module's interned type ids (call_indirect compares them).
// The bodies have been validated (the interpreter's lowering did it).
// Gives an instruction that uses a guard-checked load the load's debug
// location (the wasm offset a fault reports), for when x86 folds the load
// into it. Run after optimization, which creates such users anew.
void locate_folded_loads(llvm::Module& m);

TranslatedModule translate_module(const ModuleIR& ir, const std::vector<uint32_t>& type_ids, llvm::LLVMContext& llvm_ctx);

}  // namespace vivarium::engine::compiler
