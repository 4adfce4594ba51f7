#include "engine/compiler/native_tier.h"

#include <pthread.h>

#include <algorithm>
#include <csetjmp>
#include <string>

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

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

// The innermost native activation on this thread: a nested one (wasm ->
// host or interpreter -> wasm) continues its frame count.
thread_local NativeCtx* t_current = nullptr;

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

class NativeTier final : public vivarium::detail::Tier {
 public:
  const char* name() const override { return "native"; }

  Result<std::unique_ptr<TierArtifact>> compile(const ModuleIR& ir) const override {
    auto a = std::make_unique<NativeArtifact>();
    // The interpreter's lowering validates every body; its form stays as the fallback.
    VIV_TRY_ASSIGN(a->interp, interpreter_tier().compile(ir));
    std::vector<uint32_t> type_ids;
    type_ids.reserve(ir.types.size());
    for (const FuncType& t : ir.types) type_ids.push_back(vivarium::detail::intern_func_type(t));
    auto ctx = std::make_unique<llvm::LLVMContext>();
    TranslatedModule tm = translate_module(ir, type_ids, *ctx);
    NativeModule& n = a->native;
    n.entries.assign(ir.funcs.size(), nullptr);
    n.typed.assign(ir.total_funcs(), nullptr);
    const bool any = std::find(tm.compiled.begin(), tm.compiled.end(), 1) != tm.compiled.end();
    if (!any) return std::unique_ptr<TierArtifact>(std::move(a));
    VIV_TRY_ASSIGN(n.jit, Jit::create(std::move(ctx), std::move(tm.module)));
    for (uint32_t i = 0; i < ir.funcs.size(); ++i) {
      if (!tm.compiled[i]) continue;
      n.entries[i] = reinterpret_cast<EntryFn>(n.jit->lookup("entry" + std::to_string(i)));
      n.typed[ir.num_imported_funcs + i] = n.jit->lookup("f" + std::to_string(i));
      if (!n.entries[i] || !n.typed[ir.num_imported_funcs + i]) {
        return Error(ErrorCode::Internal, "native tier lost the code of " + ir.func_display_name(ir.num_imported_funcs + i));
      }
    }
    return std::unique_ptr<TierArtifact>(std::move(a));
  }

  Result<void> call(StoreImpl& store, FuncInst& f, const RawSlot* args, RawSlot* results) const override {
    const auto& art = static_cast<const NativeArtifact&>(*f.instance->module->artifact);
    const uint32_t defined = f.func_index - f.instance->module->module().num_imported_funcs;
    const EntryFn entry = art.native.entries[defined];
    if (!entry) return interpreter_tier().call(store, f, args, results);

    NativeCtx ctx;
    std::optional<vivarium::Error> error;
    ctx.error = &error;
    NativeCtx* const parent = t_current;
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
    t_current = &ctx;
    const bool ok = run_entry(&ctx, entry, args, results);
    t_current = parent;
    if (parent && parent->store == &store) {
      parent->budget = ctx.budget;
    } else if (store.fuel_enabled) {
      store.fuel += static_cast<uint64_t>(std::max<int64_t>(ctx.budget, 0));
    }
    if (!ok) {
      if (!error) return Error(ErrorCode::Internal, "native code trapped without an error");
      return std::move(*error);
    }
    return {};
  }
};

}  // namespace

const vivarium::detail::Tier& native_tier() {
  static const NativeTier tier;
  return tier;
}

}  // namespace vivarium::engine::compiler
