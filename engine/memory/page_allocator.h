// All OS virtual-memory calls of linear memories go through this one interface
// (leveldb's Env idea): the default talks to mmap/mprotect/munmap, tests
// substitute a counting or failing one, and a pooled allocator that recycles
// reservations between instances (decommit = madvise(DONTNEED)) can be added
// without touching MemoryInst.
#pragma once
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
  // Gives the whole reservation back.
  virtual void release(void* p, uint64_t bytes) = 0;
};

// mmap(PROT_NONE) / mprotect / madvise(MADV_DONTNEED) / munmap.
PageAllocator& system_page_allocator();

// The allocator used for every new and destroyed linear memory. Replace it
// only while no memory is alive (tests do); not synchronized.
PageAllocator& page_allocator();
void set_page_allocator(PageAllocator* a);  // nullptr restores the system one

// OS page size (the granularity of commit); queried once.
uint64_t os_page_size();

}  // namespace vivarium::detail
