// Writing a host `struct stat` as the guest's 64-byte filestat.
#pragma once
#include <sys/stat.h>

#include "host/wasi/errno_or.h"
#include "vivarium/memory_view.h"

namespace vivarium::wasi {

Errno write_filestat(const MemoryView& mem, uint32_t addr, const struct stat& st, FileType type);

}  // namespace vivarium::wasi
