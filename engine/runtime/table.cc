#include <cstdint>
#include <new>

#include "engine/runtime/objects.h"

namespace vivarium::detail {

// table.grow (spec 4.4.6): fails with -1, leaving the table unchanged, when
// the result would pass the effective maximum (type max or StoreLimits).
int64_t TableInst::grow(uint32_t delta, void* init) {
  uint64_t old = elems.size();
  uint64_t want = old + delta;
  if (want > max_elems) return -1;
  try {
    elems.resize(static_cast<size_t>(want), init);
  } catch (const std::bad_alloc&) {
    return -1;  // the host is out of memory: the guest sees a failed grow
  }
  return static_cast<int64_t>(old);
}

}  // namespace vivarium::detail
