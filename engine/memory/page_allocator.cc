#include "engine/memory/page_allocator.h"

#include <sys/mman.h>
#include <unistd.h>

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
  void release(void* p, uint64_t bytes) override {
    if (p != nullptr && bytes != 0) munmap(p, bytes);
  }
};

PageAllocator* g_current = nullptr;

}  // namespace

PageAllocator& system_page_allocator() {
  static SystemPageAllocator a;
  return a;
}

PageAllocator& page_allocator() { return g_current ? *g_current : system_page_allocator(); }

void set_page_allocator(PageAllocator* a) { g_current = a; }

uint64_t os_page_size() {
  static const uint64_t size = [] {
    long s = sysconf(_SC_PAGESIZE);
    return s > 0 ? static_cast<uint64_t>(s) : uint64_t{4096};
  }();
  return size;
}

}  // namespace vivarium::detail
