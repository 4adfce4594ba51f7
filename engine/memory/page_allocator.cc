#include "engine/memory/page_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace vivarium::detail {
namespace {

class SystemPageAllocator final : public PageAllocator {
 public:
  void* reserve(uint64_t bytes) override {
    // MAP_NORESERVE: this is address space, not memory; commit charges it.
    void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  bool commit(void* p, uint64_t bytes) override {
    return bytes == 0 || mprotect(p, bytes, PROT_READ | PROT_WRITE) == 0;
  }
  void decommit(void* p, uint64_t bytes) override {
    if (bytes == 0) return;
    // DONTNEED on private anonymous memory drops the pages: they read as zero
    // when committed again.
    madvise(p, bytes, MADV_DONTNEED);
    mprotect(p, bytes, PROT_NONE);
  }
  void zero(void* p, uint64_t bytes) override {
    if (bytes != 0) madvise(p, bytes, MADV_DONTNEED);
  }
  void release(void* p, uint64_t bytes, uint64_t) override {
    if (p != nullptr && bytes != 0) munmap(p, bytes);
  }
};

PageAllocator* g_current = nullptr;

}  // namespace

struct PoolingPageAllocator::State {
  struct Entry {
    void* p;
    uint64_t accessible;  // [p, p+accessible) is read/write (and zero)
  };
  mutable std::mutex mu;
  std::unordered_map<uint64_t, std::vector<Entry>> free;  // by reservation size
  size_t count = 0;    // entries in `free`
  size_t zeroing = 0;  // released, being zeroed outside the lock, not yet in `free`

  // Takes a pooled reservation of `bytes`, preferring one whose accessible
  // prefix is exactly `want`. Caller holds mu.
  bool take(uint64_t bytes, uint64_t want, Entry& out) {
    auto it = free.find(bytes);
    if (it == free.end() || it->second.empty()) return false;
    auto& list = it->second;
    size_t pick = list.size() - 1;
    for (size_t i = list.size(); i-- > 0;) {
      if (list[i].accessible == want) {
        pick = i;
        break;
      }
    }
    out = list[pick];
    list[pick] = list.back();
    list.pop_back();
    --count;
    return true;
  }
};

PoolingPageAllocator::PoolingPageAllocator(PageAllocator& base, size_t capacity)
    : base_(base), capacity_(capacity), state_(new State) {}

PoolingPageAllocator::~PoolingPageAllocator() {
  trim();
  delete state_;
}

void PoolingPageAllocator::trim() {
  std::unordered_map<uint64_t, std::vector<State::Entry>> idle;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    idle.swap(state_->free);
    state_->count = 0;
  }
  for (auto& [bytes, list] : idle) {
    for (const State::Entry& e : list) base_.release(e.p, bytes, e.accessible);
  }
}

void* PoolingPageAllocator::reserve(uint64_t bytes) { return reserve_committed(bytes, 0); }

void* PoolingPageAllocator::reserve_committed(uint64_t bytes, uint64_t committed) {
  State::Entry e;
  bool found;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    found = state_->take(bytes, committed, e);
  }
  if (!found) return base_.reserve_committed(bytes, committed);
  auto* p = static_cast<uint8_t*>(e.p);
  // Adjust the accessible prefix to exactly `committed`.
  if (e.accessible > committed) {
    base_.decommit(p + committed, e.accessible - committed);
  } else if (e.accessible < committed && !base_.commit(p + e.accessible, committed - e.accessible)) {
    base_.release(p, bytes, e.accessible);
    return nullptr;
  }
  return p;
}

bool PoolingPageAllocator::commit(void* p, uint64_t bytes) { return base_.commit(p, bytes); }
void PoolingPageAllocator::decommit(void* p, uint64_t bytes) { base_.decommit(p, bytes); }
void PoolingPageAllocator::zero(void* p, uint64_t bytes) { base_.zero(p, bytes); }

// Up to this many committed bytes a pooled memory is zeroed with memset and
// its pages stay resident: the next request neither faults them in again nor
// makes the kernel flush other threads' TLBs, as madvise(DONTNEED) does. A
// one-page memory (64 KiB, a typical small guest) costs about a microsecond.
constexpr uint64_t kResidentZeroMax = 64 << 10;

void PoolingPageAllocator::release(void* p, uint64_t bytes, uint64_t committed) {
  if (p == nullptr) return;
  bool keep;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    keep = state_->count + state_->zeroing < capacity_;
    if (keep) ++state_->zeroing;  // the slot is ours; the entry is added once zeroed
  }
  if (!keep) return base_.release(p, bytes, committed);
  // Zeroed before it can be handed out again, outside the lock (other
  // threads release and take memories meanwhile).
  if (committed <= kResidentZeroMax) std::memset(p, 0, committed);
  else base_.zero(p, committed);
  std::lock_guard<std::mutex> lock(state_->mu);
  --state_->zeroing;
  state_->free[bytes].push_back(State::Entry{p, committed});
  ++state_->count;
}

size_t PoolingPageAllocator::pooled() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->count;
}

PageAllocator& system_page_allocator() {
  static SystemPageAllocator a;
  return a;
}

namespace {
// Enough for one memory per worker thread of a busy server to be recycled
// without a syscall storm; beyond it memories are simply unmapped. Leaked on
// purpose: memories in static objects may be destroyed after it otherwise.
PageAllocator& default_page_allocator() {
  static auto* a = new PoolingPageAllocator(system_page_allocator(), 64);
  return *a;
}
}  // namespace

PageAllocator& page_allocator() { return g_current ? *g_current : default_page_allocator(); }

void set_page_allocator(PageAllocator* a) { g_current = a; }

uint64_t os_page_size() {
  static const uint64_t size = [] {
    long s = sysconf(_SC_PAGESIZE);
    return s > 0 ? static_cast<uint64_t>(s) : uint64_t{4096};
  }();
  return size;
}

}  // namespace vivarium::detail
