#include "engine/memory/linear_memory.h"

#include <algorithm>
#include <string>

#include "engine/memory/memory_image.h"
#include "engine/memory/page_allocator.h"

namespace vivarium::detail {

uint64_t reservation_bytes(uint32_t max_pages) {
  if (max_pages >= kMaxWasmPages) return kFullReservation;
  return uint64_t{max_pages} * kWasmPageSize + kSmallGuard;
}

Result<std::unique_ptr<MemoryInst>> create_memory(const MemoryType& t, uint32_t limit_pages, PageAllocator* pages,
                                                  bool full_reservation) {
  uint32_t type_max = t.limits.has_max ? t.limits.max : kMaxWasmPages;
  uint32_t max_pages = std::min({type_max, limit_pages, kMaxWasmPages});
  if (t.limits.min > max_pages) {
    if (t.limits.min > limit_pages) {
      return Error(ErrorCode::LimitExceeded,
                   "memory minimum of " + std::to_string(t.limits.min) + " pages exceeds the limit of " +
                       std::to_string(limit_pages) + " pages (StoreLimits::max_memory_pages)");
    }
    return Error(ErrorCode::Usage, "memory minimum of " + std::to_string(t.limits.min) +
                                       " pages exceeds its maximum of " + std::to_string(max_pages));
  }

  PageAllocator& pa = pages != nullptr ? *pages : page_allocator();
  const uint64_t initial = uint64_t{t.limits.min} * kWasmPageSize;
  uint64_t want = full_reservation ? kFullReservation : reservation_bytes(max_pages);
  void* base = pa.reserve_committed(want, initial);
  if (base == nullptr && want > uint64_t{max_pages} * kWasmPageSize + kSmallGuard) {
    // Address space is limited (ulimit -v, sanitizers): fall back to just what
    // the memory can use. Bounds checks stay correct; only elision is lost.
    want = uint64_t{max_pages} * kWasmPageSize + kSmallGuard;
    base = pa.reserve_committed(want, initial);
  }
  if (base == nullptr) {
    return Error(ErrorCode::LimitExceeded, "cannot reserve " + std::to_string(want) +
                                               " bytes of address space with " + std::to_string(t.limits.min) +
                                               " pages committed for a memory");
  }

  auto m = std::make_unique<MemoryInst>();
  m->base = static_cast<uint8_t*>(base);
  m->allocator = &pa;
  m->reserved = want;
  m->type = t;
  m->max_pages = max_pages;
  m->pages = t.limits.min;
  m->size = uint64_t{m->pages} * kWasmPageSize;
  return m;
}

int64_t MemoryInst::grow(uint32_t delta) {
  uint32_t old = pages;
  if (delta == 0) return old;
  uint64_t want = uint64_t{old} + delta;
  if (want > max_pages) return -1;
  uint64_t new_size = want * kWasmPageSize;
  if (new_size > reserved) return -1;  // a fallback reservation smaller than max
  if (budget != nullptr && !budget->take(new_size - size)) return -1;  // StoreLimits::max_total_bytes
  if (!allocator->commit(base + size, new_size - size)) {
    if (budget != nullptr) budget->give_back(new_size - size);
    return -1;
  }
  pages = static_cast<uint32_t>(want);
  size = new_size;
  return old;
}

MemoryInst::~MemoryInst() {
  if (base == nullptr) return;
  unmap_image(*this);
  if (unpoolable) {
    system_page_allocator().release(base, reserved, size);
    return;
  }
  allocator->release(base, reserved, size);
}

}  // namespace vivarium::detail
