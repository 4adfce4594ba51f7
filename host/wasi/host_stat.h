// Host stat results in WASI terms.
#pragma once
#include <sys/stat.h>

#include "host/wasi/abi_types.h"

namespace vivarium::wasi {

// FIFOs have no WASI type: Unknown, as wasmtime reports them. Sockets found
// by path are reported as stream sockets (their kind needs an open fd).
FileType filetype_from_mode(mode_t mode);
// For an open descriptor: sockets are told apart by SO_TYPE.
FileType filetype_of_fd(int fd, const struct stat& st);
Timestamp to_timestamp(const struct timespec& ts);

}  // namespace vivarium::wasi
