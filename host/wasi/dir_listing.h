// Reading a directory once into a DirListing (for fd_readdir's cookies).
#pragma once
#include <memory>

#include "host/wasi/errno_or.h"
#include "host/wasi/fd_table.h"

namespace vivarium::wasi {

// Lists the directory open at `dirfd` (not moving dirfd's own position),
// "." and ".." included, in the order the OS returns them.
ErrnoOr<std::shared_ptr<DirListing>> list_directory(int dirfd);

}  // namespace vivarium::wasi
