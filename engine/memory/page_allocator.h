// All OS virtual-memory calls of linear memories go through this one interface
// (leveldb's Env idea): the default talks to mmap/mprotect/munmap, tests
// substitute a counting or failing one, and a pooled allocator that recycles
// reservations between instances (decommit = madvise(DONTNEED)) can be added
// without touching MemoryInst.
#pragma once
#include <cstddef>
#include <cstdint>

namespace vivarium::detail {

class PageAllocator {
 public:
  virtual ~PageAllocator() = default;
  // Reserves `bytes` of address space with no access. nullptr on failure.
  virtual void* reserve(uint64_t bytes) = 0;
  // Makes [p, p+bytes) readable and writable. New pages read as zero.
  virtual bool commit(void* p, uint64_t bytes) = 0;
  // Returns [p, p+bytes) to the no-access, zero-filled state, keeping the
  // reservation (for recycling a memory without a new mmap).
  virtual void decommit(void* p, uint64_t bytes) = 0;
  // Zero-fills [p, p+bytes) and keeps it accessible (pages are dropped and
  // come back as zero on first touch).
  virtual void zero(void* p, uint64_t bytes) = 0;
  // Reserves `bytes` with the first `committed` accessible and zero: what a
  // new memory needs. A pool can serve it without changing protections.
  virtual void* reserve_committed(uint64_t bytes, uint64_t committed) {
    void* p = reserve(bytes);
    if (p != nullptr && committed != 0 && !commit(p, committed)) {
      release(p, bytes, 0);
      return nullptr;
    }
    return p;
  }
  // Gives the whole reservation of `bytes` back; [p, p+committed) is the part
  // that was ever committed (a pool decommits just that much).
  virtual void release(void* p, uint64_t bytes, uint64_t committed) = 0;
};

// mmap(PROT_NONE) / mprotect / madvise(MADV_DONTNEED) / munmap. Thread-safe.
PageAllocator& system_page_allocator();

// Keeps released reservations and hands them out again for reservations of
// the same size, so a memory's life costs an madvise of the pages it used
// instead of mmap+munmap of gigabytes of address space (the kernel walks page
// tables over the whole range on munmap). The pages a memory had committed
// stay accessible but zeroed; when the next memory starts at the same size
// (the same module instantiated per request) no protection changes at all,
// which also avoids splitting and merging kernel VMAs. At most `capacity`
// reservations are kept. Thread-safe.
class PoolingPageAllocator final : public PageAllocator {
 public:
  PoolingPageAllocator(PageAllocator& base, size_t capacity);
  ~PoolingPageAllocator() override;
  void* reserve(uint64_t bytes) override;
  bool commit(void* p, uint64_t bytes) override;
  void decommit(void* p, uint64_t bytes) override;
  void zero(void* p, uint64_t bytes) override;
  void* reserve_committed(uint64_t bytes, uint64_t committed) override;
  void release(void* p, uint64_t bytes, uint64_t committed) override;
  size_t pooled() const;  // reservations kept now
  void trim();            // unmaps every kept reservation

 private:
  struct State;
  PageAllocator& base_;
  size_t capacity_;
  State* state_;
};

// The allocator used for every new and destroyed linear memory: by default a
// PoolingPageAllocator over the system one. Replace it only while no memory
// is alive (tests do); not synchronized.
PageAllocator& page_allocator();
void set_page_allocator(PageAllocator* a);  // nullptr restores the default

// OS page size (the granularity of commit); queried once.
uint64_t os_page_size();

}  // namespace vivarium::detail
