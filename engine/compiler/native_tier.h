// The LLVM tier (issue #15) as an execution tier (engine/tier/tier.h):
// compile translates every function it can to machine code (the others stay
// in the interpreter, whose form of every function is kept: the interpreter
// runs it when it calls into this module); call enters compiled code through
// its slot-convention entry, with traps coming back as the interpreter's
// errors.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "engine/tier/tier.h"

namespace vivarium::engine::compiler {

// The process's native tier caching compiled code in `cache_dir` (none when
// empty; see code_cache.h). One per folder, living forever.
const vivarium::detail::Tier& native_tier(const std::string& cache_dir = "");

// Where the code of module `wasm` is cached in `cache_dir` (vivarium compile -o copies it).
std::string cached_code_path(std::span<const uint8_t> wasm, const std::string& cache_dir);

}  // namespace vivarium::engine::compiler
