#include "host/terrarium/request_store.h"

#include <algorithm>

namespace vivarium::terrarium {

// GuestLimits::max_memory_bytes bounds every memory and table of the instance:
// memories in 64 KiB pages, tables at 8 bytes an element.
StoreLimits store_limits(const GuestLimits& limits) {
  StoreLimits s;
  s.max_memory_pages = static_cast<uint32_t>(std::clamp<uint64_t>(limits.max_memory_bytes >> 16, 1, 65536));
  s.max_table_elements = static_cast<uint32_t>(std::clamp<uint64_t>(limits.max_memory_bytes / 8, 1, 10000000));
  s.max_instances = 1;
  return s;
}

std::unique_ptr<Store> new_request_store(const GuestLimits& limits) {
  return std::make_unique<Store>(store_limits(limits));
}

}  // namespace vivarium::terrarium
