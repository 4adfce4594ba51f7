// fstflags + timestamps -> the timespec pair of futimens/utimensat.
#pragma once
#include <sys/stat.h>

#include <array>

#include "host/wasi/errno_or.h"

namespace vivarium::wasi {

// INVAL for unknown bits, or for asking both "set to this" and "set to now"
// for the same timestamp (the witx leaves that undefined; wasmtime rejects it).
ErrnoOr<std::array<struct timespec, 2>> file_times(Timestamp atim, Timestamp mtim, uint32_t fst_flags);

}  // namespace vivarium::wasi
