// Runtime objects shared by the runtime (engine/runtime, engine/api) and the
// interpreter (engine/interp). Plain structs: the interpreter reads them on
// hot paths, so layout is explicit and nothing here is virtual.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "engine/memory/byte_budget.h"
#include "engine/memory/instance_allocator.h"
#include "engine/memory/linear_memory.h"
#include "engine/module/module.h"
#include "engine/runtime/type_registry.h"
#include "engine/tier/tier.h"
#include "vivarium/instance.h"
#include "vivarium/limits.h"
#include "vivarium/types.h"

namespace vivarium {
struct HostFuncDef;   // include/vivarium/host_func.h: only the store's owner calls it
}  // namespace vivarium

namespace vivarium::detail {

struct InstanceImpl;
struct ModuleImpl;

struct FuncInst {
  const FuncType* type = nullptr;     // owned by the module or by `host`
  uint32_t type_id = 0;               // the store's TypeRegistry id of *type
  InstanceImpl* instance = nullptr;   // defining instance; nullptr for host functions
  const TierCode* code = nullptr;     // wasm functions: the entry in the module's tier artifact
  std::shared_ptr<const HostFuncDef> host;  // host functions
  uint32_t func_index = 0;            // index in the defining module (names, backtraces)
  bool is_host() const { return host != nullptr; }
};

struct TableInst {
  TableType type;
  std::vector<void*> elems;   // FuncInst* for funcref, host pointer for externref; nullptr = null
  uint32_t max_elems = 0;     // effective maximum
  ByteBudget* budget = nullptr;  // the owning store's, charged by grow; nullptr = unbounded
  // Grows by delta with `init`; returns the old size, or -1 when it cannot.
  int64_t grow(uint32_t delta, void* init);
};

struct GlobalInst {
  GlobalType type;
  alignas(16) uint64_t slots[2] = {0, 0};  // value in slot layout (v128 uses both)
};

struct InstanceImpl {
  std::shared_ptr<const ModuleImpl> module;
  // Module type index -> id in the store's TypeRegistry (call_indirect's
  // check: the code names the type by index, as cached native code must).
  std::shared_ptr<const std::vector<uint32_t>> type_id_table;
  const uint32_t* type_ids = nullptr;  // type_id_table->data()
  std::vector<FuncInst*> funcs;       // whole index space, imports first
  std::vector<TableInst*> tables;
  std::vector<MemoryInst*> memories;
  std::vector<GlobalInst*> globals;
  // Element segments evaluated at instantiation (refs); emptied by elem.drop
  // and, for active/declarative segments, after instantiation (spec 4.5.4).
  std::vector<std::vector<void*>> elem_segments;
  // Data segments: false once dropped (data.drop, or active after instantiation).
  std::vector<uint8_t> data_live;
  std::vector<std::pair<std::string, Extern>> exports;
};

// The store as the runtime and its tiers call into it (as wasmtime's runtime
// defines the VMStore it calls): the owner of a StoreImpl (the public Store,
// engine/api/store.cc) implements it. Running a host function needs the
// public API's Caller, which the layers below the API never build.
class StoreHost {
 public:
  virtual ~StoreHost() = default;
  // Runs host function `f`, called by wasm code of `caller` (nullptr when
  // the embedder calls it directly). `args` and `results` are never null.
  virtual Result<void> call_host(const FuncInst& f, InstanceImpl* caller, const RawSlot* args,
                                 RawSlot* results) = 0;
};

// Owns everything a Store creates. Objects are never freed before the store
// (references may point at them from tables anywhere in the store).
struct StoreImpl {
  explicit StoreImpl(const StoreLimits& l, InstanceAllocator& a = default_instance_allocator(),
                     std::shared_ptr<TypeRegistry> t = nullptr)
      : limits(l), budget(l.max_total_bytes), allocator(&a),
        types(t ? std::move(t) : std::make_shared<TypeRegistry>()) {}
  ~StoreImpl();
  StoreLimits limits;
  // Bytes held by the store's memories and tables (engine/runtime/resource_limiter.h).
  ByteBudget budget;
  // The engine's: memories and interpreter stacks come from it.
  InstanceAllocator* allocator;
  // The engine's function-type ids (host functions and instances take theirs from it).
  std::shared_ptr<TypeRegistry> types;

  std::deque<std::unique_ptr<FuncInst>> funcs;
  std::deque<std::unique_ptr<MemoryInst>> memories;
  std::deque<std::unique_ptr<TableInst>> tables;
  std::deque<std::unique_ptr<GlobalInst>> globals;
  std::deque<std::unique_ptr<InstanceImpl>> instances;

  // Metering, read by the interpreter at loop back-edges and calls.
  bool fuel_enabled = false;
  uint64_t fuel = 0;
  bool has_deadline = false;
  std::chrono::steady_clock::time_point deadline;
  std::atomic<bool> interrupt_requested{false};
  bool (*check_hook)(void*) = nullptr;  // Store::set_check_hook
  void* check_hook_arg = nullptr;

  void* user_data = nullptr;
  // Whoever owns this store (the public Store sets it): host functions run
  // through it. nullptr for a StoreImpl made without a Store.
  std::unique_ptr<StoreHost> owner;
  // The running tier's per-store state (the interpreter's stack and frames,
  // engine/interp/exec_state.h), created by the tier on the first call.
  std::unique_ptr<TierStoreState, void (*)(TierStoreState*)> tier_state{nullptr, nullptr};
  // Runtime-private bookkeeping (engine/runtime/store_extras.h): bulk
  // allocations of instances' functions and globals, host-function and
  // module-handle caches. Created on first use.
  struct Extras;
  std::unique_ptr<Extras, void (*)(Extras*)> extras{nullptr, nullptr};
};

}  // namespace vivarium::detail
