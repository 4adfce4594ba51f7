// The seam between the runtime and the execution tiers (issue #11).
//
// A tier compiles a decoded module into a tier-neutral artifact (one per
// module, owned by the runtime's ModuleImpl) with one entry per defined
// function, and runs those functions through one calling convention:
// arguments and results in the slot layout of RawSlot (64 bits per i32, i64,
// f32, f64 and reference, two per v128), a trap or host error coming back as
// a vivarium::Error carrying its location and a backtrace of guest frames.
// Host functions are not a tier's business: a tier calls them through the
// store (StoreHost, engine/runtime/objects.h).
//
// The interpreter (engine/interp/interp_tier.h) is one tier; an optimizing
// tier (LLVM, issue #15) is another: it would produce an artifact of native
// code whose entries follow the same convention, so the runtime, the API and
// the hosts do not change.
//
// Layering: this header sits below the runtime, so it names the runtime's
// objects only by declaration. A tier that runs code sits above the runtime
// and sees them whole.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "vivarium/error.h"
#include "vivarium/types.h"

namespace vivarium::engine {
struct ModuleIR;
}  // namespace vivarium::engine

namespace vivarium::detail {

struct FuncInst;   // engine/runtime/objects.h
struct StoreImpl;  // engine/runtime/objects.h

// One function's code in some tier: an opaque handle. FuncInst::code holds
// it; only the tier that made it looks inside (an interpreter's CompiledFunc,
// a native entry point).
struct TierCode;

// A tier's per-store state (an interpreter's value stack and frames), held
// by the store and opaque to it: the tier that made it creates, reads and
// (through the deleter it gives) destroys it.
struct TierStoreState;

// Everything one tier made from one module. Immutable: any number of
// threads may instantiate and call it at once.
class TierArtifact {
 public:
  virtual ~TierArtifact() = default;
  // Entry of defined function `defined_index` (imports not counted).
  virtual const TierCode* code(uint32_t defined_index) const = 0;
  // Bytes of the compiled form (vivarium inspect, benchmarks).
  virtual size_t code_bytes() const = 0;
  // What runs the module's functions now: "interpreter", "native", or
  // "compiling" (the interpreter, while native code is being compiled in the
  // background). May change once, from "compiling", on another thread.
  virtual const char* status() const { return "interpreter"; }
  // Whether the code relies on memory 0's full guard reservation for bounds
  // checks (instantiation then reserves it even when store limits cap growth).
  virtual bool needs_guard_reservation() const { return false; }
};

class Tier {
 public:
  virtual ~Tier() = default;
  virtual const char* name() const = 0;
  // Compiles every function body of `ir`, which has passed module-level
  // validation; a tier that validates bodies while compiling returns their
  // errors. `ir` outlives the artifact.
  virtual Result<std::unique_ptr<TierArtifact>> compile(const vivarium::engine::ModuleIR& ir) const = 0;
  // Calls wasm function `f` (whose code this tier made) in `store`. `args`
  // and `results` may be null when there are none.
  virtual Result<void> call(StoreImpl& store, FuncInst& f, const RawSlot* args, RawSlot* results) const = 0;
};

}  // namespace vivarium::detail
