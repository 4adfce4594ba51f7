// The interpreter as an execution tier (engine/tier/tier.h): compile lowers
// every body to its internal form (engine/interp/compiled.h), call runs one
// through vivarium::engine::invoke.
#pragma once
#include "engine/tier/tier.h"

namespace vivarium::engine {

// The process's interpreter tier (stateless; lives forever).
const vivarium::detail::Tier& interpreter_tier();

}  // namespace vivarium::engine
