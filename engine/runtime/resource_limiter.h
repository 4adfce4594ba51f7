// The store's resource limiter (issue #10): before instantiation or the host
// allocates memories or tables, the whole demand is checked against
// StoreLimits (counts of memories and tables, bytes across all of them), so a
// module that declares 50 tables of 10M elements fails before the first
// element is allocated. Grows are charged by MemoryInst/TableInst themselves
// through the store's ByteBudget.
#pragma once
#include <cstdint>

#include "engine/runtime/objects.h"
#include "vivarium/error.h"

namespace vivarium::detail {

// What an instantiation (or one host-created object) is about to allocate.
struct ResourceDemand {
  uint32_t memories = 0;
  uint32_t tables = 0;
  uint64_t bytes = 0;  // memory minimums in bytes + table minimums * kTableElemBytes
  uint64_t memory_pages = 0;    // of `bytes`, for the error message
  uint64_t table_elements = 0;  // of `bytes`, for the error message
};

// Host bytes one table element takes (a FuncInst* or host pointer).
constexpr uint64_t kTableElemBytes = sizeof(void*);

// LimitExceeded naming the limit when `d` does not fit in the store now.
Result<void> admit(const StoreImpl& s, const ResourceDemand& d);

}  // namespace vivarium::detail
