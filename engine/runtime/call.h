// The runtime's one way to call a function, whatever runs it: host functions
// through the store's owner (StoreHost), wasm functions through the tier that
// compiled their module (engine/tier/tier.h).
#pragma once
#include "engine/runtime/objects.h"

namespace vivarium::detail {

// `args`/`results` in the RawSlot layout; may be null when there are none.
Result<void> call_function(StoreImpl& store, FuncInst& f, const RawSlot* args, RawSlot* results);

}  // namespace vivarium::detail
