// The LLVM tier (issue #15) as an execution tier (engine/tier/tier.h):
// compile translates every function it can to machine code (the others stay
// in the interpreter, whose form of every function is kept: the interpreter
// runs it when it calls into this module); call enters compiled code through
// its slot-convention entry, with traps coming back as the interpreter's
// errors.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "engine/tier/tier.h"

namespace vivarium::engine::compiler {

// The process's native tier caching compiled code in `cache_dir` (none when
// empty; see code_cache.h): with `tiering`, the tier that starts modules in
// the interpreter and switches them to native code compiled in the background
// (tiering.cc, ExecutionTier::Auto); else the one that compiles first. One
// per folder and kind, living forever.
const vivarium::detail::Tier& native_tier(const std::string& cache_dir = "", bool tiering = false);
// A new tiering tier (use native_tier(dir, true), which keeps one per folder).
std::unique_ptr<vivarium::detail::Tier> make_tiering_tier(const std::string& cache_dir);

// How many times this thread has entered compiled code from the runtime
// (tests observe tier-up with it).
uint64_t native_entries_on_this_thread();

// Where the code of module `wasm` is cached in `cache_dir` (vivarium compile -o copies it).
std::string cached_code_path(std::span<const uint8_t> wasm, const std::string& cache_dir);

}  // namespace vivarium::engine::compiler
