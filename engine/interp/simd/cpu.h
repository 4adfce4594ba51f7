// Whether this machine can run the SIMD semantics (target.h needs SSE4.1 and
// SSSE3). Every x86-64 CPU since 2008 has them, but the baseline ABI only
// promises SSE2, so a module that uses v128 is refused with a clear error
// rather than dying on an illegal instruction.
#pragma once
#include "vivarium/error.h"

namespace vivarium::engine::simd {

// Cached after the first call; safe from any thread.
bool host_supports_simd();
// OK, or an Unsupported error naming the missing instructions.
vivarium::Result<void> require_host_simd();

}  // namespace vivarium::engine::simd
