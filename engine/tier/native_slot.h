// Where the LLVM tier (engine/compiler) plugs into Module::compile.
//
// The API layer does not link the compiler: a program that wants native code
// calls Module::enable_native_tier() (defined in engine/compiler), which puts
// its factory here. A program that never does — the static `vivarium` CLI,
// whose `vivarium run hello.wasm` must start in about a millisecond — then
// links none of LLVM, whose static constructors and relocations alone cost
// ~2 ms per process (3.1M instructions, measured with callgrind).
#pragma once
#include <string>

namespace vivarium::detail {

class Tier;

// The process's native tier caching compiled code in `cache_dir`; with
// `tiering`, the one that starts in the interpreter and switches to native
// code compiled in the background (ExecutionTier::Auto).
using NativeTierFactory = const Tier& (*)(const std::string& cache_dir, bool tiering);

void set_native_tier_factory(NativeTierFactory factory);
// Null until a program enables the native tier.
NativeTierFactory native_tier_factory();

}  // namespace vivarium::detail
