#include <cstdint>
#include <new>

#include "engine/runtime/objects.h"
#include "engine/runtime/resource_limiter.h"

namespace vivarium::detail {

// table.grow (spec 4.4.6): fails with -1, leaving the table unchanged, when
// the result would pass the effective maximum (type max or StoreLimits) or
// the store's byte budget (StoreLimits::max_total_bytes).
int64_t TableInst::grow(uint32_t delta, void* init) {
  uint64_t old = elems.size();
  uint64_t want = old + delta;
  if (want > max_elems) return -1;
  const uint64_t bytes = uint64_t{delta} * kTableElemBytes;
  if (budget != nullptr && !budget->take(bytes)) return -1;
  try {
    elems.resize(static_cast<size_t>(want), init);
  } catch (const std::bad_alloc&) {
    if (budget != nullptr) budget->give_back(bytes);
    return -1;  // the host is out of memory: the guest sees a failed grow
  }
  return static_cast<int64_t>(old);
}

}  // namespace vivarium::detail
