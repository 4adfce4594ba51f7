// Entry point for embedders: define every wasi_snapshot_preview1 function
// (all 46 of the witx, proc_raise included) in a Linker, bound to one
// WasiCtx. The context must outlive every instance linked with it.
#pragma once
#include "host/wasi/wasi_ctx.h"
#include "vivarium/linker.h"

namespace vivarium::wasi {

inline constexpr const char* kModule = "wasi_snapshot_preview1";

void add_to_linker(Linker& linker, WasiCtx& ctx);

}  // namespace vivarium::wasi
