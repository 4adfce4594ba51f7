// A Store owns instances and everything they create (memories, tables,
// globals, function instances). One Store is used by one thread at a time;
// the edge server makes one per request (cheap), or reuses pooled ones.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "vivarium/engine.h"
#include "vivarium/error.h"

namespace vivarium {

namespace detail { struct StoreImpl; }

// What one store may allocate, checked before anything is allocated (as
// wasmtime's ResourceLimiter): at instantiation (which fails with
// LimitExceeded naming the limit) and at every memory.grow / table.grow
// (which returns -1 to the guest, as the spec allows).
struct StoreLimits {
  uint32_t max_memory_pages = 65536;       // per memory, 64 KiB pages (65536 = 4 GiB)
  uint32_t max_table_elements = 10000000;  // per table
  uint32_t max_instances = 10000;
  uint32_t max_memories = 10000;           // linear memories in the store (defined or host-created)
  uint32_t max_tables = 10000;             // tables in the store (defined or host-created)
  // Bytes across all memories (64 KiB per page) and tables (8 per element)
  // of the store. The default is no limit beyond the per-object ones.
  uint64_t max_total_bytes = UINT64_MAX;
  uint32_t max_call_depth = 20000;         // wasm frames before "call stack exhausted"
  uint64_t max_stack_bytes = 16u << 20;    // operand+locals stack size
};

class Store {
 public:
  // A store of the process's default engine (Engine::default_engine()).
  explicit Store(StoreLimits limits = {});
  // A store of `engine`, which must outlive it (e.g. a pooling engine of a
  // server, one store per request).
  explicit Store(Engine& engine, StoreLimits limits = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const StoreLimits& limits() const;

  // Fuel: each loop back-edge and call consumes one unit. 0 disables metering.
  void set_fuel(uint64_t fuel);
  uint64_t fuel_remaining() const;
  // Deadline checked at loop back-edges and calls; traps with DeadlineExceeded.
  void set_deadline(std::chrono::steady_clock::time_point when);
  void clear_deadline();
  // Thread-safe: ask running code in this store to stop at its next check.
  void interrupt();

  // Opaque per-store data for host functions (e.g. a WASI context).
  void set_user_data(void* p);
  void* user_data() const;

  detail::StoreImpl& impl() { return *impl_; }
  const detail::StoreImpl& impl() const { return *impl_; }

 private:
  std::unique_ptr<detail::StoreImpl> impl_;
};

}  // namespace vivarium
