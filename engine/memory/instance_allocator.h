// Where a store's linear memories and interpreter stacks come from (issue
// #11): one interface, two implementations, chosen per Engine
// (include/vivarium/engine.h).
//
// - On demand: memories from the process's page allocator (page_allocator(),
//   a small recycling pool over mmap), one fresh stack mapping per store.
// - Pooling: for a server that makes one store per request. Memory
//   reservations and stacks are kept after their store dies and handed to
//   the next one: a memory's pages are dropped with madvise(MADV_DONTNEED)
//   when it is returned (it reads as zero again and its RSS goes back to the
//   OS at once, while the reservation and its protections stay, so the next
//   instance pays no mmap/mprotect); a stack is kept as it is (validated
//   code writes every slot before reading it, and frames are pushed before
//   they are read) until trim() drops the pages of every idle stack and
//   unmaps the idle reservations. Tables' element storage is kept too
//   (cleared, its capacity kept: the next table of at most that size costs
//   no allocation), up to kMaxPooledTableElems elements each; trim() and a
//   full pool free it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/memory/page_allocator.h"

namespace vivarium::detail {

class InstanceAllocator {
 public:
  virtual ~InstanceAllocator() = default;
  // Reservations for linear memories (create_memory's allocator).
  virtual PageAllocator& memory_pages() = 0;
  // A read/write region of `bytes` for an interpreter stack; nullptr when the
  // OS refuses. Given back with release_stack(p, bytes).
  virtual void* allocate_stack(uint64_t bytes) = 0;
  virtual void release_stack(void* p, uint64_t bytes) = 0;
  // Element storage of a table: `elems` null entries. `max` is the table's
  // effective maximum: a pool may reserve room towards it (bounded) so that
  // a small table.grow does not reallocate. Given back with release_table
  // when the store dies.
  virtual std::vector<void*> allocate_table(uint32_t elems, uint32_t max) { return std::vector<void*>(elems, nullptr); }
  virtual void release_table(std::vector<void*>&& elems) { std::vector<void*>().swap(elems); }
  // Gives every idle pooled memory, stack and table back to the OS.
  virtual void trim() = 0;
  // Whether instantiation maps copy-on-write images of data segments
  // (engine/memory/memory_image.h) instead of copying them.
  virtual bool use_memory_images() const { return false; }

  struct Stats {
    size_t idle_memories = 0;  // reservations kept for reuse
    size_t idle_stacks = 0;
    size_t idle_tables = 0;
  };
  virtual Stats stats() const = 0;
};

// Memories from page_allocator(), a new stack mapping per store.
std::unique_ptr<InstanceAllocator> make_on_demand_allocator();

// The on-demand allocator the process's default engine uses.
InstanceAllocator& default_instance_allocator();

// Keeps up to `max_memories` idle memory reservations, `max_stacks` idle
// stacks and `max_tables` idle table storages for reuse.
std::unique_ptr<InstanceAllocator> make_pooling_allocator(size_t max_memories, size_t max_stacks,
                                                          size_t max_tables = 1000);

}  // namespace vivarium::detail
