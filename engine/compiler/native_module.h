// What the LLVM tier makes of one module: its machine code (kept alive by
// the JIT that linked it) and, per function, the compiled entry points, next
// to the interpreter's form of every function (which the interpreter runs
// when it calls into this module, and which runs the functions the compiler
// does not handle yet).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/compiler/native_abi.h"
#include "engine/module/module.h"
#include "engine/tier/tier.h"

namespace vivarium::engine::compiler {

// Calls and loop iterations between two metering checks (the interpreter's interval).
constexpr int64_t kCheckInterval = 1 << 14;

class Jit;  // engine/compiler/jit.h

struct NativeModule {
  std::unique_ptr<Jit> jit;
  std::vector<EntryFn> entries;  // per defined function; nullptr = interpreted
  std::vector<void*> typed;      // per function index: the typed compiled function, or nullptr
  size_t code_bytes = 0;
  NativeModule();
  ~NativeModule();
};

class NativeArtifact final : public vivarium::detail::TierArtifact {
 public:
  std::unique_ptr<vivarium::detail::TierArtifact> interp;  // every function, interpreted
  NativeModule native;
  const vivarium::detail::TierCode* code(uint32_t defined_index) const override { return interp->code(defined_index); }
  size_t code_bytes() const override { return interp->code_bytes() + native.code_bytes; }
};

}  // namespace vivarium::engine::compiler
