// The contract between machine code the LLVM tier generates and the runtime:
// the context every compiled function receives as its first argument, and
// the helpers compiled code calls for what it does not do inline (traps,
// calls into other tiers and host functions, memory.grow, tables, bulk
// memory, metering). Field offsets of NativeCtx are baked into generated
// code (translate.cc reads them with offsetof), so the layout is plain and
// every field is named here.
#pragma once
#include <csetjmp>
#include <cstdint>
#include <optional>

#include "engine/runtime/objects.h"
#include "vivarium/error.h"

namespace vivarium::engine::compiler {

struct NativeModule;

// One activation of compiled code of one instance: made by NativeTier::call
// on the C++ stack, passed to every compiled function of that instance.
struct NativeCtx {
  vivarium::detail::InstanceImpl* inst = nullptr;
  vivarium::detail::MemoryInst* mem = nullptr;      // memory 0, or nullptr
  vivarium::detail::GlobalInst** globals = nullptr; // inst->globals.data()
  void* const* typed = nullptr;     // per function index: compiled entry, or nullptr
  int64_t budget = 0;               // calls + loop iterations until the next metering check
  uint32_t depth = 0;               // wasm frames on this thread (all native activations)
  uint32_t max_depth = 0;
  uintptr_t stack_limit = 0;        // lowest frame address compiled code may use
  vivarium::detail::StoreImpl* store = nullptr;
  const NativeModule* module = nullptr;
  // A trap longjmps here (helpers and the fault handler), with `error` set.
  std::jmp_buf* trap_jmp = nullptr;
  std::optional<vivarium::Error>* error = nullptr;  // where a trap leaves its error (a pointer keeps this struct standard-layout)
};

// Signature of the exported entry of each compiled function: arguments and
// results in the runtime's slot layout (RawSlot).
using EntryFn = void (*)(NativeCtx*, const uint64_t* args, uint64_t* results);

}  // namespace vivarium::engine::compiler

// Helpers compiled code calls by name (resolved by the JIT to these symbols'
// addresses, never through the dynamic linker). Each that can fail traps by
// longjmp to ctx->trap_jmp; none returns to compiled code after a trap.
extern "C" {
using vivarium::engine::compiler::NativeCtx;
[[noreturn]] void viv_native_trap(NativeCtx* ctx, uint32_t code, uint32_t func_index, uint64_t offset);
void viv_native_check(NativeCtx* ctx, uint32_t func_index, uint64_t offset);  // metering slow path
void viv_native_call(NativeCtx* ctx, uint32_t func_index, uint64_t* slots, uint64_t offset);
// call_indirect: checks and returns the callee's compiled entry of this
// instance, or nullptr after writing the callee to *other (then call it with
// viv_native_call_ref).
void* viv_native_indirect(NativeCtx* ctx, uint32_t table, uint32_t type_id, uint32_t i, void** other,
                          uint32_t func_index, uint64_t offset);
void viv_native_call_ref(NativeCtx* ctx, void* func, uint64_t* slots, uint64_t offset);
uint32_t viv_native_memory_grow(NativeCtx* ctx, uint32_t delta);
void viv_native_memory_fill(NativeCtx* ctx, uint32_t d, uint32_t v, uint32_t n, uint32_t fi, uint64_t off);
void viv_native_memory_copy(NativeCtx* ctx, uint32_t d, uint32_t s, uint32_t n, uint32_t fi, uint64_t off);
void viv_native_memory_init(NativeCtx* ctx, uint32_t seg, uint32_t d, uint32_t s, uint32_t n, uint32_t fi, uint64_t off);
void viv_native_data_drop(NativeCtx* ctx, uint32_t seg);
uint64_t viv_native_table_get(NativeCtx* ctx, uint32_t t, uint32_t i, uint32_t fi, uint64_t off);
void viv_native_table_set(NativeCtx* ctx, uint32_t t, uint32_t i, uint64_t v, uint32_t fi, uint64_t off);
uint32_t viv_native_table_size(NativeCtx* ctx, uint32_t t);
uint32_t viv_native_table_grow(NativeCtx* ctx, uint32_t t, uint64_t init, uint32_t n);
void viv_native_table_fill(NativeCtx* ctx, uint32_t t, uint32_t i, uint64_t v, uint32_t n, uint32_t fi, uint64_t off);
void viv_native_table_copy(NativeCtx* ctx, uint32_t dt, uint32_t st, uint32_t d, uint32_t s, uint32_t n, uint32_t fi,
                           uint64_t off);
void viv_native_table_init(NativeCtx* ctx, uint32_t t, uint32_t seg, uint32_t d, uint32_t s, uint32_t n, uint32_t fi,
                           uint64_t off);
void viv_native_elem_drop(NativeCtx* ctx, uint32_t seg);
uint64_t viv_native_ref_func(NativeCtx* ctx, uint32_t func_index);
}
