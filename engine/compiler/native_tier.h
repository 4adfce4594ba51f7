// The LLVM tier (issue #15) as an execution tier (engine/tier/tier.h):
// compile translates every function it can to machine code (the others stay
// in the interpreter, whose form of every function is kept: the interpreter
// runs it when it calls into this module); call enters compiled code through
// its slot-convention entry, with traps coming back as the interpreter's
// errors.
#pragma once
#include "engine/tier/tier.h"

namespace vivarium::engine::compiler {

// The process's native tier (stateless; lives forever).
const vivarium::detail::Tier& native_tier();

}  // namespace vivarium::engine::compiler
