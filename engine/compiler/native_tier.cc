#include "engine/compiler/native_tier.h"

#include "engine/tier/native_slot.h"
#include "vivarium/module.h"

#include <pthread.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "engine/compiler/code_cache.h"
#include "engine/compiler/guard_fault.h"
#include "engine/compiler/jit.h"
#include "engine/compiler/native_build.h"
#include "engine/compiler/native_module.h"
#include "engine/compiler/translate.h"
#include "engine/interp/interp_tier.h"
#include "engine/interp/native_stack.h"
#include "engine/runtime/module_impl.h"

namespace vivarium::engine::compiler {

using vivarium::detail::FuncInst;
using vivarium::detail::StoreImpl;
using vivarium::detail::TierArtifact;

NativeModule::NativeModule() = default;
NativeModule::~NativeModule() = default;

namespace {


// Lowest address compiled code may push frames to on this thread: its stack's
// low end plus what the runtime and host functions need below the last wasm
// frame. 0 (no check) when the current frame is not on the thread's stack
// (a fiber), where the frame count alone bounds recursion.
uintptr_t stack_limit() {
  thread_local uintptr_t low = 0, high = 0;
  thread_local bool known = false;
  if (!known) {
    known = true;
    pthread_attr_t a;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
      void* addr = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&a, &addr, &size) == 0) {
        low = reinterpret_cast<uintptr_t>(addr);
        high = low + size;
      }
      pthread_attr_destroy(&a);
    }
  }
  const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (low == 0 || here < low || here >= high) return 0;
  return low + 2 * vivarium::engine::interp::kNativeStackReserve;
}

// VIVARIUM_NATIVE_STATS=FILE appends "compiled N interpreted M" per module
// compiled: the spec tests (tests/spec/run_spec.sh) fail when any function
// silently stays in the interpreter.
void report_stats(const ModuleIR& ir) {
  const char* path = std::getenv("VIVARIUM_NATIVE_STATS");
  if (!path || !*path) return;
  size_t n = 0;
  for (uint32_t i = 0; i < ir.funcs.size(); ++i) n += can_compile(ir, i) ? 1 : 0;
  if (std::FILE* f = std::fopen(path, "a")) {
    std::fprintf(f, "compiled %zu interpreted %zu\n", n, ir.funcs.size() - n);
    std::fclose(f);
  }
}

// setjmp lives in its own frame so nothing the caller keeps in registers is
// clobbered by the longjmp of a trap.
[[gnu::noinline]] bool run_entry(NativeCtx* ctx, EntryFn entry, const uint64_t* args, uint64_t* results) {
  std::jmp_buf jb;
  ctx->trap_jmp = &jb;
  if (setjmp(jb) != 0) return false;
  entry(ctx, args, results);
  return true;
}

// A guard-page fault: the interpreter's error for an out-of-bounds access,
// naming the function whose code faulted and, where the line table knows
// the instruction (NativeModule::trap_site), its offset.
Error guard_trap(const NativeModule& n, const FuncInst& f, uintptr_t pc) {
  Error e(ErrorCode::MemoryOutOfBounds, vivarium::trap_message(ErrorCode::MemoryOutOfBounds));
  const NativeModule::Range* r = n.find_code(pc);
  uint32_t fi = r && r->func_index != UINT32_MAX ? r->func_index : f.func_index;
  const auto site = n.trap_site(pc);
  if (site) fi = site->func_index;
  const std::string name = f.instance->module->module().func_display_name(fi);
  e.where().function = name;
  if (!site) {
    e.with_backtrace("  at " + name + "\n");
    return e;
  }
  e.where().offset = site->offset;
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(site->offset));
  e.with_backtrace("  at " + name + " (offset " + buf + ")\n");
  return e;
}

thread_local uint64_t t_native_entries = 0;

}  // namespace

uint64_t native_entries_on_this_thread() { return t_native_entries; }

Result<void> call_native(StoreImpl& store, FuncInst& f, const NativeModule* n, const RawSlot* args, RawSlot* results) {
  const uint32_t defined = f.func_index - f.instance->module->module().num_imported_funcs;
  const EntryFn entry = n && !n->entries.empty() ? n->entries[defined] : nullptr;
  // Code without bounds checks needs the guard reservation; a memory
  // without it (address space limits) runs in the interpreter.
  const bool guarded = !entry || !n->elides_bounds || f.instance->memories.empty() ||
                       f.instance->memories[0]->reserved >= vivarium::detail::kFullReservation;
  if (!entry || !guarded) return interpreter_tier().call(store, f, args, results);

  NativeCtx ctx;
  std::optional<vivarium::Error> error;
  ctx.error = &error;
  NativeCtx*& current = current_native_ctx();  // a nested activation continues its frame count
  NativeCtx* const parent = current;
  ctx.inst = f.instance;
  ctx.mem = f.instance->memories.empty() ? nullptr : f.instance->memories[0];
  ctx.globals = f.instance->globals.data();
  ctx.typed = n->typed.data();
  ctx.store = &store;
  ctx.module = n;
  ctx.max_depth = store.limits.max_call_depth;
  ctx.depth = parent ? parent->depth : 0;
  ctx.stack_limit = stack_limit();
  if (parent && parent->store == &store) {
    ctx.budget = parent->budget;
  } else if (store.fuel_enabled) {
    ctx.budget = static_cast<int64_t>(std::min<uint64_t>(store.fuel, kCheckInterval));
    store.fuel -= static_cast<uint64_t>(ctx.budget);
  } else {
    ctx.budget = kCheckInterval;
  }
  current = &ctx;
  ++t_native_entries;
  const bool ok = run_entry(&ctx, entry, args, results);
  current = parent;
  if (parent && parent->store == &store) {
    parent->budget = ctx.budget;
  } else if (store.fuel_enabled) {
    store.fuel += static_cast<uint64_t>(std::max<int64_t>(ctx.budget, 0));
  }
  if (!ok && ctx.fault_pc) return guard_trap(*n, f, ctx.fault_pc);
  if (!ok) {
    if (!error) return Error(ErrorCode::Internal, "native code trapped without an error");
    return std::move(*error);
  }
  return {};
}

namespace {

class NativeTier final : public vivarium::detail::Tier {
 public:
  explicit NativeTier(std::string cache_dir) : cache_dir_(std::move(cache_dir)) {}
  const char* name() const override { return "native"; }

  Result<std::unique_ptr<TierArtifact>> compile(const ModuleIR& ir) const override {
    auto a = std::make_unique<NativeArtifact>();
    // The interpreter's lowering validates every body; its form stays as the fallback.
    VIV_TRY_ASSIGN(a->interp, interpreter_tier().compile(ir));
    NativeModule& n = a->native;
    report_stats(ir);
    if (!plan_native(ir, n)) return std::unique_ptr<TierArtifact>(std::move(a));
    // A cached object skips translation, optimization and code generation.
    const std::string key = cache_dir_.empty() ? std::string() : cache_key(ir.bytes);
    if (!load_native(ir, cache_dir_, key, n)) VIV_TRY(compile_native(ir, cache_dir_, key, n));
    publish_native(*a->interp, n);
    return std::unique_ptr<TierArtifact>(std::move(a));
  }

  Result<void> call(StoreImpl& store, FuncInst& f, const RawSlot* args, RawSlot* results) const override {
    const auto& art = static_cast<const NativeArtifact&>(*f.instance->module->artifact);
    return call_native(store, f, &art.native, args, results);
  }

 private:
  std::string cache_dir_;
};

}  // namespace

const vivarium::detail::Tier& native_tier(const std::string& cache_dir, bool tiering) {
  static std::mutex mu;
  // Never freed: modules point at them.
  static std::map<std::pair<std::string, bool>, std::unique_ptr<vivarium::detail::Tier>> tiers;
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<vivarium::detail::Tier>& t = tiers[{cache_dir, tiering}];
  if (!t) t = tiering ? make_tiering_tier(cache_dir) : std::make_unique<NativeTier>(cache_dir);
  return *t;
}

std::string cached_code_path(std::span<const uint8_t> wasm, const std::string& cache_dir) {
  return cache_dir + "/" + cache_key(wasm) + ".vcode";
}

}  // namespace vivarium::engine::compiler

// The API reaches this tier only through the slot (engine/tier/native_slot.h),
// so that programs which never ask for it link none of LLVM.
void vivarium::Module::enable_native_tier() {
  vivarium::detail::set_native_tier_factory(&vivarium::engine::compiler::native_tier);
}
