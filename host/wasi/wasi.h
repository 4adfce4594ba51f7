// Entry point for embedders: define every wasi_snapshot_preview1 function
// (all 46 of the witx, proc_raise included) in a Linker, bound to one
// WasiCtx. The context must outlive every instance linked with it.
#pragma once
#include <cstdint>

#include "host/wasi/wasi_ctx.h"
#include "vivarium/linker.h"

namespace vivarium::wasi {

inline constexpr const char* kModule = "wasi_snapshot_preview1";

// proc_exit codes a runner may pass on as its own exit status: 0..125.
// Larger codes are an error, as in wasmtime (shells give 126 and up their own
// meanings, and a runner keeps them for its own statuses -- a trap, a
// timeout -- so that a guest cannot forge them). ErrorCode::Exit still
// carries whatever code the guest gave; the embedder decides.
inline constexpr int64_t kExitCodeLimit = 126;

void add_to_linker(Linker& linker, WasiCtx& ctx);

}  // namespace vivarium::wasi
