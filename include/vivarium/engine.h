// An Engine holds what stores share: how instances' memories and stacks are
// allocated (on demand, or from a pool for a server that makes one store per
// request). Every Store belongs to one Engine; Store(StoreLimits) uses the
// process's default engine (on demand), so code that never names an Engine
// behaves as before. An Engine must outlive its stores. Thread-safe: any
// number of threads may create stores of one engine at the same time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace vivarium {

namespace detail { struct EngineImpl; }

enum class InstanceAllocation {
  // Memories reserved when an instance is created and released when its
  // store dies; one stack mapping per store.
  OnDemand,
  // Memory reservations, interpreter stacks and tables' element storage are
  // kept when a store dies and reused by the next: memory pages go back to
  // the OS at once (madvise; a memory of at most one 64 KiB page is zeroed
  // and stays resident), the address space and protections stay, so
  // instantiating from a warm pool costs no mmap or mprotect; a table's
  // storage is cleared and refilled with nulls. Engine::trim() releases idle
  // ones.
  Pooling,
};

struct PoolingConfig {
  size_t max_idle_memories = 1000;  // memory reservations kept for reuse
  size_t max_idle_stacks = 1000;    // interpreter stacks (one per store) kept for reuse
  size_t max_idle_tables = 1000;    // tables' element storage (up to 64 Ki elements each) kept for reuse
};

struct EngineConfig {
  InstanceAllocation allocation = InstanceAllocation::OnDemand;
  PoolingConfig pooling;
};

class Engine {
 public:
  explicit Engine(EngineConfig config = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // The process's engine (on demand), used by stores made without one.
  static Engine& default_engine();

  const EngineConfig& config() const { return config_; }

  // What the pool keeps now (always zero for on-demand allocation).
  struct PoolStats {
    size_t idle_memories = 0;
    size_t idle_stacks = 0;
    size_t idle_tables = 0;
  };
  PoolStats pool_stats() const;
  // Returns every idle pooled memory, stack and table to the OS (munmap, free).
  void trim();

  detail::EngineImpl& impl() { return *impl_; }

 private:
  EngineConfig config_;
  std::unique_ptr<detail::EngineImpl> impl_;
};

}  // namespace vivarium
