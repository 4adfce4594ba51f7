#include "engine/memory/instance_allocator.h"

#include <sys/mman.h>

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

class PoolingAllocator final : public InstanceAllocator {
 public:
  PoolingAllocator(size_t max_memories, size_t max_stacks)
      : memories_(system_page_allocator(), max_memories), max_stacks_(max_stacks) {}
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

  void trim() override {
    std::vector<Stack> idle;
    {
      std::lock_guard<std::mutex> lock(mu_);
      idle.swap(stacks_);
    }
    for (const Stack& s : idle) munmap(s.p, s.bytes);
    memories_.trim();
  }

  Stats stats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return {memories_.pooled(), stacks_.size()};
  }

 private:
  struct Stack {
    void* p;
    uint64_t bytes;
  };
  PoolingPageAllocator memories_;
  size_t max_stacks_;
  mutable std::mutex mu_;
  std::vector<Stack> stacks_;
};

}  // namespace

std::unique_ptr<InstanceAllocator> make_on_demand_allocator() { return std::make_unique<OnDemandAllocator>(); }

InstanceAllocator& default_instance_allocator() {
  static auto* a = new OnDemandAllocator();  // leaked: stores in static objects may outlive it
  return *a;
}

std::unique_ptr<InstanceAllocator> make_pooling_allocator(size_t max_memories, size_t max_stacks) {
  return std::make_unique<PoolingAllocator>(max_memories, max_stacks);
}

}  // namespace vivarium::detail
