// Guest-memory helpers for the ABI functions, all on top of the checked
// MemoryView: nothing here can touch host memory outside the guest's linear
// memory. Out-of-bounds pointers answer FAULT (what wasmtime reports for a
// bad guest pointer), bad path bytes ILSEQ/INVAL.
#pragma once
#include <sys/uio.h>

#include <string>
#include <vector>

#include "host/wasi/errno_or.h"
#include "vivarium/memory_view.h"

namespace vivarium::wasi {

// Reads a list of `count` iovecs ({buf u32, len u32}) and returns host iovecs
// pointing into guest memory. Every buffer must lie inside memory (a buffer
// whose end wraps past 4 GiB does not); a list whose total length does not
// fit the u32 result is INVAL. Lists longer than IOV_MAX are cut there: a
// short read/write is always allowed.
ErrnoOr<std::vector<struct iovec>> guest_iovecs(const MemoryView& mem, uint32_t iovs, uint32_t count);

// A path argument: in bounds, valid UTF-8, no NUL.
ErrnoOr<std::string> guest_path(const MemoryView& mem, uint32_t ptr, uint32_t len);

// Stores that fail with FAULT when out of bounds.
template <class T>
Errno put(const MemoryView& mem, uint32_t addr, T v) {
  return mem.store<T>(addr, v) ? Errno::Success : Errno::Fault;
}
inline Errno check_out(const MemoryView& mem, uint32_t addr, uint32_t len) {
  return mem.in_bounds(addr, len) ? Errno::Success : Errno::Fault;
}

}  // namespace vivarium::wasi
