// What the LLVM tier makes of one module: its machine code (kept alive by
// the JIT that linked it) and, per function, the compiled entry points, next
// to the interpreter's form of every function (which the interpreter runs
// when it calls into this module, and which runs the functions the compiler
// does not handle yet).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
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
  // Memory accesses carry no bounds checks (memory 0 may reach 4 GiB): the
  // code runs only on a memory with the full guard reservation, where an
  // out-of-bounds access faults in the guard and becomes a trap.
  bool elides_bounds = false;
  // The machine code's address ranges, [begin, end), and per function its
  // entry range: a fault is a wasm trap only at a PC in here.
  struct Range {
    uintptr_t begin, end;
    uint32_t func_index;  // UINT32_MAX: not a function's body
  };
  std::vector<Range> code_ranges;
  // The function whose code holds `pc`, or nullptr when `pc` is not compiled code.
  const Range* find_code(uintptr_t pc) const;
  // The wasm instruction whose machine code starts at `pc` (where a
  // guard-page fault happened), when the line table knows it.
  struct TrapSite {
    uint32_t func_index;
    uint64_t offset;
  };
  std::optional<TrapSite> trap_site(uintptr_t pc) const;
  NativeModule();
  ~NativeModule();
};

class NativeArtifact final : public vivarium::detail::TierArtifact {
 public:
  std::unique_ptr<vivarium::detail::TierArtifact> interp;  // every function, interpreted
  NativeModule native;
  const vivarium::detail::TierCode* code(uint32_t defined_index) const override { return interp->code(defined_index); }
  size_t code_bytes() const override { return interp->code_bytes() + native.code_bytes; }
  const char* status() const override { return native.jit ? "native" : "interpreter"; }
  bool needs_guard_reservation() const override { return native.elides_bounds; }
};

}  // namespace vivarium::engine::compiler
