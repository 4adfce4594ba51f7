// The runtime's private per-store bookkeeping, hung off StoreImpl::extras.
#pragma once
#include <deque>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "engine/runtime/objects.h"
#include "vivarium/module.h"

namespace vivarium::detail {

struct StoreImpl::Extras {
  // Instantiation allocates all of an instance's functions (and globals) in
  // one block instead of one heap object each: instantiation stays cheap for
  // modules with thousands of functions. Never freed before the store.
  std::deque<std::unique_ptr<FuncInst[]>> func_blocks;
  std::deque<std::unique_ptr<GlobalInst[]>> global_blocks;
  // One FuncInst per host function definition, so instantiating many times in
  // one store does not grow the store. Keyed by the definition, which the
  // FuncInst keeps alive (so the key cannot be reused while the store lives).
  std::unordered_map<const HostFuncDef*, FuncInst*> host_funcs;
  // Module handles for Instance::module(), one per distinct module.
  std::unordered_map<const ModuleImpl*, Module> modules;
  uint32_t instance_count = 0;  // including instances whose instantiation failed
  // Membership, so funcrefs handed in by the host can be checked: a function
  // of another store in a table here would dangle once that store dies.
  std::unordered_set<const InstanceImpl*> instance_set;
  std::unordered_set<const FuncInst*> host_func_set;
};

// The store's extras, created on first use.
StoreImpl::Extras& extras_of(StoreImpl& s);

// Whether `f` (non-null) is a function of store `s`.
bool store_owns(StoreImpl& s, const FuncInst* f);

}  // namespace vivarium::detail
