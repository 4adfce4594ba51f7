// The tiering tier (ExecutionTier::Auto, issue #15 item 3): a module is
// ready to run as soon as the interpreter has lowered it; LLVM compiles it
// on a background thread meanwhile, and when the machine code is linked every
// function that has some switches to it at its next call: calls from the
// host or other modules through Tiering::call, calls from interpreted code
// through CompiledFunc::tier_up. Activations already running finish in the
// interpreter (there is no on-stack replacement). The whole module becomes
// ready at once: LLVM compiles it as one unit, which keeps cross-function
// calls direct. With the code cache warm, compile() links the cached code
// before returning, so the first call is native.
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "engine/compiler/code_cache.h"
#include "engine/compiler/native_build.h"
#include "engine/compiler/native_tier.h"
#include "engine/interp/interp_tier.h"
#include "engine/runtime/module_impl.h"

namespace vivarium::engine::compiler {
namespace {

using vivarium::detail::FuncInst;
using vivarium::detail::StoreImpl;
using vivarium::detail::TierArtifact;

class TieringArtifact final : public TierArtifact {
 public:
  std::unique_ptr<TierArtifact> interp;  // every function, interpreted; runs until `ready`
  NativeModule native;                   // written by `worker` only, until it sets `ready`
  std::atomic<const NativeModule*> ready{nullptr};
  std::atomic<bool> compiling{false};
  std::thread worker;

  // The module goes only after its compile: it is what the thread reads.
  ~TieringArtifact() override {
    if (worker.joinable()) worker.join();
  }
  const vivarium::detail::TierCode* code(uint32_t defined_index) const override { return interp->code(defined_index); }
  size_t code_bytes() const override { return interp->code_bytes() + native.code_bytes; }
  // From the start: instances made while compiling switch at their next call too.
  bool needs_guard_reservation() const override { return native.elides_bounds; }
  const char* status() const override {
    if (ready.load(std::memory_order_acquire)) return "native";
    return compiling.load(std::memory_order_acquire) ? "compiling" : "interpreter";
  }
};

// The compile thread yields to the threads running requests and guests.
void lower_priority() { ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10); }

class TieringTier final : public vivarium::detail::Tier {
 public:
  explicit TieringTier(std::string cache_dir) : cache_dir_(std::move(cache_dir)) {}
  const char* name() const override { return "auto"; }

  Result<std::unique_ptr<TierArtifact>> compile(const ModuleIR& ir) const override {
    auto a = std::make_unique<TieringArtifact>();
    VIV_TRY_ASSIGN(a->interp, interpreter_tier().compile(ir));
    if (!plan_native(ir, a->native)) return std::unique_ptr<TierArtifact>(std::move(a));
    const std::string key = cache_dir_.empty() ? std::string() : cache_key(ir.bytes);
    if (load_native(ir, cache_dir_, key, a->native)) {
      a->ready.store(&a->native, std::memory_order_release);
      publish_native(*a->interp, a->native);
      return std::unique_ptr<TierArtifact>(std::move(a));
    }
    a->compiling.store(true, std::memory_order_release);
    TieringArtifact* art = a.get();
    art->worker = std::thread([art, &ir, dir = cache_dir_, key] {
      lower_priority();
      // A module LLVM cannot compile keeps running in the interpreter.
      if (compile_native(ir, dir, key, art->native)) {
        art->ready.store(&art->native, std::memory_order_release);
        publish_native(*art->interp, art->native);
      }
      art->compiling.store(false, std::memory_order_release);
    });
    return std::unique_ptr<TierArtifact>(std::move(a));
  }

  Result<void> call(StoreImpl& store, FuncInst& f, const RawSlot* args, RawSlot* results) const override {
    const auto& art = static_cast<const TieringArtifact&>(*f.instance->module->artifact);
    return call_native(store, f, art.ready.load(std::memory_order_acquire), args, results);
  }

 private:
  std::string cache_dir_;
};

}  // namespace

std::unique_ptr<vivarium::detail::Tier> make_tiering_tier(const std::string& cache_dir) {
  return std::make_unique<TieringTier>(cache_dir);
}

}  // namespace vivarium::engine::compiler
