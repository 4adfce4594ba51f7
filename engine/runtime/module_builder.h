// Turns a decoded, module-validated IR into the immutable ModuleImpl: lowers
// (and thereby validates) every function body and precomputes what
// instantiation needs, so that instantiating is allocation plus copying.
#pragma once
#include <memory>
#include <string>

#include "engine/runtime/module_impl.h"

namespace vivarium::detail {

// Errors carry `file` in their location.
// Compiles every body with `tier` (which outlives the module) and
// precomputes what instantiation needs.
Result<std::shared_ptr<const ModuleImpl>> build_module(std::unique_ptr<vivarium::engine::ModuleIR> ir, std::string file,
                                                       const Tier& tier);

}  // namespace vivarium::detail
