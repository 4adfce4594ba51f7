#include "engine/compiler/native_tier.h"

#include "engine/tier/native_slot.h"
#include "vivarium/module.h"

#include <pthread.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "engine/compiler/code_cache.h"
#include "engine/compiler/guard_fault.h"
#include "engine/compiler/jit.h"
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

class NativeTier final : public vivarium::detail::Tier {
 public:
  explicit NativeTier(std::string cache_dir) : cache_dir_(std::move(cache_dir)) {}
  const char* name() const override { return "native"; }

  Result<std::unique_ptr<TierArtifact>> compile(const ModuleIR& ir) const override {
    auto a = std::make_unique<NativeArtifact>();
    // The interpreter's lowering validates every body; its form stays as the fallback.
    VIV_TRY_ASSIGN(a->interp, interpreter_tier().compile(ir));
    // Unused by translation: call_indirect names its type by index (ids are per engine).
    const std::vector<uint32_t> type_ids;
    NativeModule& n = a->native;
    n.entries.assign(ir.funcs.size(), nullptr);
    n.typed.assign(ir.total_funcs(), nullptr);
    std::vector<uint8_t> compiled(ir.funcs.size(), 0);
    for (uint32_t i = 0; i < ir.funcs.size(); ++i) compiled[i] = can_compile(ir, i) ? 1 : 0;
    if (std::find(compiled.begin(), compiled.end(), 1) == compiled.end()) return std::unique_ptr<TierArtifact>(std::move(a));
    n.elides_bounds = elides_bounds_checks(ir);
    if (n.elides_bounds) install_guard_fault_handler();
    // A cached object skips translation, optimization and code generation.
    const std::string key = cache_dir_.empty() ? std::string() : cache_key(ir.bytes);
    std::string object;
    if (auto cached = cache_load(cache_dir_, key)) {
      auto jit = Jit::load(*cached, &n.code_ranges, ir.num_imported_funcs);
      if (jit) n.jit = std::move(jit).value();
    }
    if (!n.jit) {
      n.code_ranges.clear();
      auto ctx = std::make_unique<llvm::LLVMContext>();
      TranslatedModule tm = translate_module(ir, type_ids, *ctx);
      VIV_TRY_ASSIGN(n.jit, Jit::create(std::move(ctx), std::move(tm.module), &n.code_ranges, ir.num_imported_funcs,
                                        cache_dir_.empty() ? nullptr : &object));
    }
    for (uint32_t i = 0; i < ir.funcs.size(); ++i) {
      if (!compiled[i]) continue;
      n.entries[i] = reinterpret_cast<EntryFn>(n.jit->lookup("entry" + std::to_string(i)));
      n.typed[ir.num_imported_funcs + i] = n.jit->lookup("f" + std::to_string(i));
      if (!n.entries[i] || !n.typed[ir.num_imported_funcs + i]) {
        return Error(ErrorCode::Internal, "native tier lost the code of " + ir.func_display_name(ir.num_imported_funcs + i));
      }
    }
    if (!object.empty()) cache_store(cache_dir_, key, object);  // compiled by the lookups above
    return std::unique_ptr<TierArtifact>(std::move(a));
  }

  Result<void> call(StoreImpl& store, FuncInst& f, const RawSlot* args, RawSlot* results) const override {
    const auto& art = static_cast<const NativeArtifact&>(*f.instance->module->artifact);
    const uint32_t defined = f.func_index - f.instance->module->module().num_imported_funcs;
    const EntryFn entry = art.native.entries[defined];
    // Code without bounds checks needs the guard reservation; a memory
    // without it (store limits, address space) runs in the interpreter.
    const bool guarded = !art.native.elides_bounds || f.instance->memories.empty() ||
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
    ctx.typed = art.native.typed.data();
    ctx.store = &store;
    ctx.module = &art.native;
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
    const bool ok = run_entry(&ctx, entry, args, results);
    current = parent;
    if (parent && parent->store == &store) {
      parent->budget = ctx.budget;
    } else if (store.fuel_enabled) {
      store.fuel += static_cast<uint64_t>(std::max<int64_t>(ctx.budget, 0));
    }
    if (!ok && ctx.fault_pc) return guard_trap(art.native, f, ctx.fault_pc);
    if (!ok) {
      if (!error) return Error(ErrorCode::Internal, "native code trapped without an error");
      return std::move(*error);
    }
    return {};
  }

 private:
  std::string cache_dir_;
};

}  // namespace

const vivarium::detail::Tier& native_tier(const std::string& cache_dir) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<NativeTier>> tiers;  // never freed: modules point at them
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<NativeTier>& t = tiers[cache_dir];
  if (!t) t = std::make_unique<NativeTier>(cache_dir);
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
