// Module instantiation (spec 4.5.4, WebAssembly 2.0 semantics).
#pragma once
#include <memory>
#include <span>

#include "engine/runtime/module_impl.h"
#include "engine/runtime/objects.h"
#include "vivarium/instance.h"

namespace vivarium::detail {

// Instantiates `m` in `store`. `imports` holds one extern per import of `m`,
// in order, already checked against the import types (check_import).
//
// Order, as the spec gives it: allocate functions, tables, memories and
// globals (evaluating global initializers), then apply active element
// segments and then active data segments one at a time, each bounds-checked
// before it writes. A segment out of bounds traps, and writes made by the
// segments before it stay visible in imported tables and memories. Finally
// the start function runs.
//
// Limits (StoreLimits) and allocation failures are detected before anything
// is added to the store. Once segments start being applied the instance is
// in the store for good (a table may already hold its functions), even if a
// later segment or the start function traps: the store stays consistent.
Result<InstanceImpl*> instantiate_module(Store& store, const std::shared_ptr<const ModuleImpl>& m,
                                         std::span<const Extern> imports);

}  // namespace vivarium::detail
