#include "host/terrarium/request_store.h"

#include <algorithm>

#include "vivarium/engine.h"

namespace vivarium::terrarium {

// GuestLimits::max_memory_bytes bounds every memory and table of the instance
// together (the store's resource limiter: checked before each allocation and
// grow): memories in 64 KiB pages, tables at 8 bytes an element.
StoreLimits store_limits(const GuestLimits& limits) {
  StoreLimits s;
  s.max_total_bytes = limits.max_memory_bytes;
  s.max_memory_pages = static_cast<uint32_t>(std::clamp<uint64_t>(limits.max_memory_bytes >> 16, 1, 65536));
  s.max_table_elements = static_cast<uint32_t>(std::clamp<uint64_t>(limits.max_memory_bytes / 8, 1, 10000000));
  s.max_instances = 1;
  return s;
}

// Every request makes and drops a Store: a pooling engine keeps memory
// reservations, copy-on-write data images and interpreter stacks for the
// next one, so a request costs no mmap/munmap. It lives as long as the
// process (stores may be dropped by any thread until exit).
static Engine& request_engine() {
  static Engine* engine = new Engine(EngineConfig{InstanceAllocation::Pooling, {}});
  return *engine;
}

Engine::PoolStats request_pool_stats() { return request_engine().pool_stats(); }

std::unique_ptr<Store> new_request_store(const GuestLimits& limits) {
  return std::make_unique<Store>(request_engine(), store_limits(limits));
}

}  // namespace vivarium::terrarium
