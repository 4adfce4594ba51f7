// The steps both native tiers share (native_tier.cc compiles before a module
// is returned, tiering.cc in the background): filling a NativeModule from
// the code cache or with LLVM, marking the interpreter's functions that now
// leave for native code, and entering compiled code.
#pragma once
#include <string>

#include "engine/compiler/native_module.h"
#include "engine/runtime/objects.h"

namespace vivarium::engine::compiler {

// Sizes `n` for `ir` and installs the guard-fault handler its code needs;
// false when no function of `ir` can be compiled (then `n` stays empty).
bool plan_native(const ModuleIR& ir, NativeModule& n);
// Links the code cached under `key` in `cache_dir`; false on a miss (or an
// unusable artifact, which is then recompiled).
bool load_native(const ModuleIR& ir, const std::string& cache_dir, const std::string& key, NativeModule& n);
// Translates and compiles `ir` with LLVM, storing the object under `key` in
// `cache_dir` (when not empty).
Result<void> compile_native(const ModuleIR& ir, const std::string& cache_dir, const std::string& key, NativeModule& n);
// Marks the interpreter's form of each function `n` has code for, so calls
// from interpreted code enter the native code (CompiledFunc::tier_up).
void publish_native(const vivarium::detail::TierArtifact& interp, const NativeModule& n);
// Calls wasm function `f` of a module whose native code is `n`: its compiled
// entry, or the interpreter when it has none (or when `n` is null, or when
// memory 0 lacks the guard reservation code without bounds checks needs).
Result<void> call_native(vivarium::detail::StoreImpl& store, vivarium::detail::FuncInst& f, const NativeModule* n,
                         const RawSlot* args, RawSlot* results);

}  // namespace vivarium::engine::compiler
