#include "engine/runtime/store_extras.h"

namespace vivarium::detail {

StoreImpl::Extras& extras_of(StoreImpl& s) {
  if (!s.extras) {
    s.extras = std::unique_ptr<StoreImpl::Extras, void (*)(StoreImpl::Extras*)>(
        new StoreImpl::Extras, [](StoreImpl::Extras* e) { delete e; });
    // A WASI guest imports a few dozen host functions; growing the map one
    // rehash at a time showed up in per-request instantiation profiles.
    s.extras->host_funcs.reserve(64);
  }
  return *s.extras;
}

bool store_owns(StoreImpl& s, const FuncInst* f) {
  StoreImpl::Extras& ex = extras_of(s);
  return f->instance != nullptr ? ex.instance_set.contains(f->instance) : ex.host_func_set.contains(f);
}

// Members are destroyed in reverse declaration order; nothing here depends on
// it (no object runs code on destruction except memories unmapping
// themselves), but the interpreter's state goes first in case it refers to
// instances.
StoreImpl::~StoreImpl() {
  tier_state.reset();
  extras.reset();
  for (auto& t : tables) allocator->release_table(std::move(t->elems));
}

}  // namespace vivarium::detail
