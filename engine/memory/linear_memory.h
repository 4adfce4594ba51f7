// Linear memories (spec 4.2.8). A memory reserves all the address space it
// can ever use when it is created and only commits pages as it grows, so
// `base` never moves (the interpreter and host views may cache it) and
// memory.grow is one mprotect, never a copy.
#pragma once
#include <cstdint>
#include <memory>

#include "engine/memory/byte_budget.h"
#include "vivarium/error.h"
#include "vivarium/types.h"

namespace vivarium::detail {

constexpr uint64_t kWasmPageSize = 65536;
constexpr uint32_t kMaxWasmPages = 65536;  // 4 GiB, the wasm32 limit
// A memory that may reach 4 GiB gets 8 GiB of address space: any 32-bit
// index plus any 32-bit static offset then lands inside the reservation, so
// a compiling tier can drop bounds checks and let the guard pages trap.
constexpr uint64_t kFullReservation = uint64_t{8} << 30;
// Smaller memories get their maximum plus one wasm page of guard; they keep
// explicit bounds checks, and thousands of them fit in the address space.
constexpr uint64_t kSmallGuard = kWasmPageSize;

class PageAllocator;

// A linear memory instance. Plain data: the interpreter reads base and size
// on hot paths.
struct MemoryInst {
  uint8_t* base = nullptr;    // stable for the memory's lifetime (reserved up front)
  uint64_t size = 0;          // bytes accessible now (pages * 65536)
  uint32_t pages = 0;
  uint32_t max_pages = 0;     // effective maximum: min(type max, StoreLimits)
  MemoryType type;
  uint64_t reserved = 0;      // bytes of address space reserved at base
  ByteBudget* budget = nullptr;     // the owning store's, charged by grow; nullptr = unbounded
  PageAllocator* allocator = nullptr;  // where the reservation came from (and goes back to)
  uint64_t image_bytes = 0;   // a MemoryImage is mapped over [base, base + image_bytes)
  bool unpoolable = false;    // the image could not be replaced: unmap, never reuse
  // Grows by delta pages; returns the old page count, or -1 when it cannot.
  int64_t grow(uint32_t delta);
  ~MemoryInst();
};

// Bytes of address space a memory whose effective maximum is `max_pages` reserves.
uint64_t reservation_bytes(uint32_t max_pages);

// Creates a memory of type `t` with its minimum committed. Growth is capped at
// min(t's max, limit_pages). Errors: LimitExceeded when the minimum is above
// `limit_pages` or the OS refuses the reservation. The reservation comes from
// `pages` (the store's InstanceAllocator), by default page_allocator().
// `full_reservation`: reserve kFullReservation whatever the cap, for native
// code that leaves bounds checks to the guard region (growth stays capped).
Result<std::unique_ptr<MemoryInst>> create_memory(const MemoryType& t, uint32_t limit_pages,
                                                  PageAllocator* pages = nullptr, bool full_reservation = false);

}  // namespace vivarium::detail
