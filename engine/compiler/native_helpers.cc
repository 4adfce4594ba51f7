// The helpers compiled code calls (declared in native_abi.h). They do what
// the interpreter's handlers do for the same instructions, on the instance of
// the calling activation, and trap the same way: the interpreter's trap code
// and message, the calling function's name and the instruction's offset.
// A trap longjmps to the activation's entry (NativeTier::call): nothing with
// a destructor may be alive in a helper's frame when it does, hence the
// [[noreturn]] trap functions take only plain values.
#include <algorithm>
#include <cstring>
#include <string>

#include "engine/compiler/native_abi.h"
#include "engine/compiler/native_module.h"
#include "engine/runtime/call.h"
#include "engine/runtime/module_impl.h"

using vivarium::Error;
using vivarium::ErrorCode;
using vivarium::detail::FuncInst;
using vivarium::detail::TableInst;

namespace vivarium::engine::compiler {
namespace {

[[noreturn]] void unwind(NativeCtx* ctx) { std::longjmp(*ctx->trap_jmp, 1); }

// Names the trapping function and offset, as the interpreter's trap_error does.
void locate(NativeCtx* ctx, Error& e, uint32_t func_index, uint64_t offset) {
  const ModuleIR& ir = ctx->inst->module->module();
  const std::string name = ir.func_display_name(func_index);
  if (e.where().function.empty()) {
    e.where().function = name;
    if (e.where().offset == vivarium::Location::kNone) e.where().offset = offset;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(offset));
  if (e.backtrace().empty()) e.with_backtrace("  at " + name + " (offset " + buf + ")\n");
}

void record(NativeCtx* ctx, ErrorCode code, uint32_t func_index, uint64_t offset) {
  Error e(code, vivarium::trap_message(code));
  locate(ctx, e, func_index, offset);
  *ctx->error = std::move(e);
}

TableInst* table(NativeCtx* ctx, uint32_t t) { return ctx->inst->tables[t]; }

}  // namespace
}  // namespace vivarium::engine::compiler

using vivarium::engine::compiler::locate;
using vivarium::engine::compiler::record;
using vivarium::engine::compiler::table;
using vivarium::engine::compiler::unwind;

extern "C" {

void viv_native_trap(NativeCtx* ctx, uint32_t code, uint32_t func_index, uint64_t offset) {
  record(ctx, static_cast<ErrorCode>(code), func_index, offset);
  unwind(ctx);
}

// Same policy as the interpreter's slow_check (engine/interp/exec_state.cc).
void viv_native_check(NativeCtx* ctx, uint32_t func_index, uint64_t offset) {
  vivarium::detail::StoreImpl& s = *ctx->store;
  if (s.check_hook != nullptr && !s.check_hook(s.check_hook_arg)) {  // Store::set_check_hook
    ctx->budget = 0;
    {
      Error e(ErrorCode::DeadlineExceeded, "stopped by the store's check hook");
      locate(ctx, e, func_index, offset);
      *ctx->error = std::move(e);
    }
    unwind(ctx);
  }
  if (s.interrupt_requested.exchange(false, std::memory_order_relaxed)) {
    ctx->budget = 0;
    {
      Error e(ErrorCode::DeadlineExceeded, "interrupted");
      locate(ctx, e, func_index, offset);
      *ctx->error = std::move(e);
    }
    unwind(ctx);
  }
  if (s.has_deadline && std::chrono::steady_clock::now() >= s.deadline) {
    ctx->budget = 0;
    viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::DeadlineExceeded), func_index, offset);
  }
  if (s.fuel_enabled) {
    // The grant is used up; this event needs one more unit.
    if (s.fuel == 0) {
      ctx->budget = 0;
      viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::OutOfFuel), func_index, offset);
    }
    const uint64_t grant = std::min<uint64_t>(s.fuel, vivarium::engine::compiler::kCheckInterval);
    s.fuel -= grant;
    ctx->budget = static_cast<int64_t>(grant) - 1;
    return;
  }
  ctx->budget = vivarium::engine::compiler::kCheckInterval;
}

namespace {

// Runs `f` through the runtime (its own tier, or the host) and traps with its
// error. The Error is moved into ctx before unwinding, so no destructor is skipped.
void call_through_runtime(NativeCtx* ctx, FuncInst& f, uint64_t* slots) {
  bool failed = false;
  {
    vivarium::Result<void> r = f.is_host()
                                   ? ctx->store->owner ? ctx->store->owner->call_host(f, ctx->inst, slots, slots)
                                                       : vivarium::Result<void>(Error(ErrorCode::Internal,
                                                                                      "host function called without a Store"))
                                   : vivarium::detail::call_function(*ctx->store, f, slots, slots);
    if (!r.ok()) {
      *ctx->error = std::move(r).error();
      failed = true;
    }
  }
  if (failed) unwind(ctx);
}

}  // namespace

void viv_native_call(NativeCtx* ctx, uint32_t func_index, uint64_t* slots, uint64_t) {
  call_through_runtime(ctx, *ctx->inst->funcs[func_index], slots);
}

void viv_native_call_ref(NativeCtx* ctx, void* func, uint64_t* slots, uint64_t) {
  call_through_runtime(ctx, *static_cast<FuncInst*>(func), slots);
}

void* viv_native_indirect(NativeCtx* ctx, uint32_t t, uint32_t type_index, uint32_t i, void** other, uint32_t fi,
                          uint64_t off) {
  // Interned ids differ between processes: cached code names the type by index.
  const uint32_t type_id = ctx->inst->type_ids[type_index];
  const TableInst* tab = table(ctx, t);
  if (i >= tab->elems.size()) viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::UndefinedElement), fi, off);
  auto* callee = static_cast<FuncInst*>(tab->elems[i]);
  if (!callee) viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::UninitializedElement), fi, off);
  if (callee->type_id != type_id) {
    viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::IndirectCallTypeMismatch), fi, off);
  }
  if (callee->instance == ctx->inst && ctx->typed[callee->func_index]) return ctx->typed[callee->func_index];
  *other = callee;
  return nullptr;
}

uint32_t viv_native_memory_grow(NativeCtx* ctx, uint32_t delta) {
  const int64_t old = ctx->mem->grow(delta);
  return static_cast<uint32_t>(old < 0 ? -1 : old);
}

void viv_native_memory_fill(NativeCtx* ctx, uint32_t d, uint32_t v, uint32_t n, uint32_t fi, uint64_t off) {
  if (uint64_t{d} + n > ctx->mem->size) viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::MemoryOutOfBounds), fi, off);
  if (n) std::memset(ctx->mem->base + d, static_cast<int>(v & 0xFF), n);
}

void viv_native_memory_copy(NativeCtx* ctx, uint32_t d, uint32_t s, uint32_t n, uint32_t fi, uint64_t off) {
  const uint64_t size = ctx->mem->size;
  if (uint64_t{d} + n > size || uint64_t{s} + n > size) {
    viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::MemoryOutOfBounds), fi, off);
  }
  if (n) std::memmove(ctx->mem->base + d, ctx->mem->base + s, n);
}

void viv_native_memory_init(NativeCtx* ctx, uint32_t seg, uint32_t d, uint32_t s, uint32_t n, uint32_t fi,
                            uint64_t off) {
  std::span<const uint8_t> bytes;  // a dropped segment is empty (spec 4.4.8 memory.init)
  if (ctx->inst->data_live[seg]) bytes = ctx->inst->module->data_bytes(seg);
  if (uint64_t{s} + n > bytes.size() || uint64_t{d} + n > ctx->mem->size) {
    viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::MemoryOutOfBounds), fi, off);
  }
  if (n) std::memcpy(ctx->mem->base + d, bytes.data() + s, n);
}

void viv_native_data_drop(NativeCtx* ctx, uint32_t seg) { ctx->inst->data_live[seg] = 0; }

uint64_t viv_native_table_get(NativeCtx* ctx, uint32_t t, uint32_t i, uint32_t fi, uint64_t off) {
  TableInst* tab = table(ctx, t);
  if (i >= tab->elems.size()) viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::TableOutOfBounds), fi, off);
  return reinterpret_cast<uint64_t>(tab->elems[i]);
}

void viv_native_table_set(NativeCtx* ctx, uint32_t t, uint32_t i, uint64_t v, uint32_t fi, uint64_t off) {
  TableInst* tab = table(ctx, t);
  if (i >= tab->elems.size()) viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::TableOutOfBounds), fi, off);
  tab->elems[i] = reinterpret_cast<void*>(v);
}

uint32_t viv_native_table_size(NativeCtx* ctx, uint32_t t) {
  return static_cast<uint32_t>(table(ctx, t)->elems.size());
}

uint32_t viv_native_table_grow(NativeCtx* ctx, uint32_t t, uint64_t init, uint32_t n) {
  const int64_t old = table(ctx, t)->grow(n, reinterpret_cast<void*>(init));
  return static_cast<uint32_t>(old < 0 ? -1 : old);
}

void viv_native_table_fill(NativeCtx* ctx, uint32_t t, uint32_t i, uint64_t v, uint32_t n, uint32_t fi, uint64_t off) {
  TableInst* tab = table(ctx, t);
  if (uint64_t{i} + n > tab->elems.size()) {
    viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::TableOutOfBounds), fi, off);
  }
  std::fill_n(tab->elems.begin() + i, n, reinterpret_cast<void*>(v));
}

void viv_native_table_copy(NativeCtx* ctx, uint32_t dt, uint32_t st, uint32_t d, uint32_t s, uint32_t n, uint32_t fi,
                           uint64_t off) {
  TableInst* dtab = table(ctx, dt);
  TableInst* stab = table(ctx, st);
  if (uint64_t{d} + n > dtab->elems.size() || uint64_t{s} + n > stab->elems.size()) {
    viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::TableOutOfBounds), fi, off);
  }
  if (n) std::memmove(dtab->elems.data() + d, stab->elems.data() + s, n * sizeof(void*));
}

void viv_native_table_init(NativeCtx* ctx, uint32_t t, uint32_t seg, uint32_t d, uint32_t s, uint32_t n, uint32_t fi,
                           uint64_t off) {
  TableInst* tab = table(ctx, t);
  const std::vector<void*>& items = ctx->inst->elem_segments[seg];  // empty once dropped
  if (uint64_t{s} + n > items.size() || uint64_t{d} + n > tab->elems.size()) {
    viv_native_trap(ctx, static_cast<uint32_t>(ErrorCode::TableOutOfBounds), fi, off);
  }
  std::copy_n(items.begin() + s, n, tab->elems.begin() + d);
}

void viv_native_elem_drop(NativeCtx* ctx, uint32_t seg) {
  std::vector<void*>& items = ctx->inst->elem_segments[seg];
  items.clear();
  items.shrink_to_fit();
}

uint64_t viv_native_ref_func(NativeCtx* ctx, uint32_t func_index) {
  return reinterpret_cast<uint64_t>(ctx->inst->funcs[func_index]);
}

}  // extern "C"
