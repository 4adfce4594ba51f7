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
#include "vivarium/limits.h"

namespace vivarium {

namespace detail { struct StoreImpl; }

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
  // Called on the running thread at the same checks as the deadline (every
  // few thousand loop back-edges and calls, i.e. every few tens of
  // microseconds of guest code): a time slicer may suspend the calling
  // fiber inside it and return once the guest may go on. Returning false
  // stops the code with DeadlineExceeded, like interrupt(). nullptr: none.
  using CheckHook = bool (*)(void* arg);
  void set_check_hook(CheckHook hook, void* arg);

  // Opaque per-store data for host functions (e.g. a WASI context).
  void set_user_data(void* p);
  void* user_data() const;

  detail::StoreImpl& impl() { return *impl_; }
  const detail::StoreImpl& impl() const { return *impl_; }

 private:
  std::unique_ptr<detail::StoreImpl> impl_;
};

}  // namespace vivarium
