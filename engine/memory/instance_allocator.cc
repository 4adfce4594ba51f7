#include "engine/memory/instance_allocator.h"

#include <sys/mman.h>

#include <algorithm>
#include <mutex>
#include <vector>

namespace vivarium::detail {
namespace {

// MAP_NORESERVE: a deep stack is address space until calls touch it.
void* map_stack(uint64_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

class OnDemandAllocator final : public InstanceAllocator {
 public:
  PageAllocator& memory_pages() override { return page_allocator(); }
  void* allocate_stack(uint64_t bytes) override { return map_stack(bytes); }
  void release_stack(void* p, uint64_t bytes) override {
    if (p != nullptr) munmap(p, bytes);
  }
  void trim() override {}
  Stats stats() const override { return {}; }
};

// A larger table's storage is freed, not kept: one huge table must not pin
// megabytes in an idle pool.
constexpr size_t kMaxPooledTableElems = size_t{1} << 16;
// Room a new pooled table reserves towards its maximum (8 KiB of elements):
// a table that grows a little stays in its storage.
constexpr size_t kTableReserveElems = 1024;

class PoolingAllocator final : public InstanceAllocator {
 public:
  PoolingAllocator(size_t max_memories, size_t max_stacks, size_t max_tables)
      : memories_(system_page_allocator(), max_memories), max_stacks_(max_stacks), max_tables_(max_tables) {}
  ~PoolingAllocator() override { trim(); }

  PageAllocator& memory_pages() override { return memories_; }
  bool use_memory_images() const override { return true; }

  void* allocate_stack(uint64_t bytes) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (size_t i = stacks_.size(); i-- > 0;) {
        if (stacks_[i].bytes != bytes) continue;
        void* p = stacks_[i].p;
        stacks_[i] = stacks_.back();
        stacks_.pop_back();
        return p;
      }
    }
    return map_stack(bytes);
  }

  void release_stack(void* p, uint64_t bytes) override {
    if (p == nullptr) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stacks_.size() < max_stacks_) {
        stacks_.push_back({p, bytes});
        return;
      }
    }
    munmap(p, bytes);
  }

  std::vector<void*> allocate_table(uint32_t elems, uint32_t max) override {
    std::vector<void*> v;
    {
      std::lock_guard<std::mutex> lock(mu_);
      // The most recently released storage that fits: reset, not reallocated.
      for (size_t i = tables_.size(); i-- > 0;) {
        if (tables_[i].capacity() < elems) continue;
        v.swap(tables_[i]);
        tables_[i].swap(tables_.back());
        tables_.pop_back();
        break;
      }
    }
    const size_t want = std::max<size_t>(elems, std::min<size_t>(max, kTableReserveElems));
    if (v.capacity() < want) v.reserve(want);
    v.assign(elems, nullptr);
    return v;
  }

  void release_table(std::vector<void*>&& elems) override {
    if (elems.capacity() != 0 && elems.capacity() <= kMaxPooledTableElems) {
      elems.clear();  // no stale references survive in the pool
      std::lock_guard<std::mutex> lock(mu_);
      if (tables_.size() < max_tables_) {
        tables_.push_back(std::move(elems));
        return;
      }
    }
    std::vector<void*>().swap(elems);
  }

  void trim() override {
    std::vector<Stack> idle;
    std::vector<std::vector<void*>> idle_tables;
    {
      std::lock_guard<std::mutex> lock(mu_);
      idle.swap(stacks_);
      idle_tables.swap(tables_);
    }
    for (const Stack& s : idle) munmap(s.p, s.bytes);
    memories_.trim();
  }

  Stats stats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return {memories_.pooled(), stacks_.size(), tables_.size()};
  }

 private:
  struct Stack {
    void* p;
    uint64_t bytes;
  };
  PoolingPageAllocator memories_;
  size_t max_stacks_;
  size_t max_tables_;
  mutable std::mutex mu_;
  std::vector<Stack> stacks_;
  std::vector<std::vector<void*>> tables_;  // cleared, capacity kept
};

}  // namespace

std::unique_ptr<InstanceAllocator> make_on_demand_allocator() { return std::make_unique<OnDemandAllocator>(); }

InstanceAllocator& default_instance_allocator() {
  static auto* a = new OnDemandAllocator();  // leaked: stores in static objects may outlive it
  return *a;
}

std::unique_ptr<InstanceAllocator> make_pooling_allocator(size_t max_memories, size_t max_stacks, size_t max_tables) {
  return std::make_unique<PoolingAllocator>(max_memories, max_stacks, max_tables);
}

}  // namespace vivarium::detail
