#include "host/wasi/guest_memory.h"

#include <climits>
#include <cstdint>

#include "host/wasi/abi_types.h"
#include "host/wasi/guest_path.h"

namespace vivarium::wasi {

ErrnoOr<std::vector<struct iovec>> guest_iovecs(const MemoryView& mem, uint32_t iovs, uint32_t count) {
  if (!mem.in_bounds(iovs, uint64_t{count} * layout::kIovecSize)) return Errno::Fault;
  std::vector<struct iovec> out;
  out.reserve(count < IOV_MAX ? count : IOV_MAX);
  uint64_t total = 0;
  for (uint32_t i = 0; i < count && out.size() < IOV_MAX; ++i) {
    uint32_t buf = *mem.load<uint32_t>(iovs + uint64_t{i} * layout::kIovecSize);
    uint32_t len = *mem.load<uint32_t>(iovs + uint64_t{i} * layout::kIovecSize + 4);
    auto span = mem.bytes(buf, len);
    if (!span) return Errno::Fault;
    total += len;
    if (total > UINT32_MAX) return Errno::Inval;
    if (len == 0) continue;
    out.push_back({span->data(), len});
  }
  return out;
}

ErrnoOr<std::string> guest_path(const MemoryView& mem, uint32_t ptr, uint32_t len) {
  auto s = mem.string(ptr, len);
  if (!s) return Errno::Fault;
  return checked_guest_path(*s);
}

}  // namespace vivarium::wasi
