#include "engine/runtime/call.h"

#include "engine/runtime/module_impl.h"

namespace vivarium::detail {

Result<void> call_function(StoreImpl& store, FuncInst& f, const RawSlot* args, RawSlot* results) {
  if (f.is_host()) {
    if (!store.owner) return Error(ErrorCode::Internal, "host function called without a Store");
    // A host function of type [] -> [] may still copy zero slots: give it
    // real (empty) buffers, never null ones.
    RawSlot none[1] = {};
    return store.owner->call_host(f, nullptr, args ? args : none, results ? results : none);
  }
  return f.instance->module->tier->call(store, f, args, results);
}

}  // namespace vivarium::detail
