#include "engine/runtime/resource_limiter.h"

#include <string>

namespace vivarium::detail {

Result<void> admit(const StoreImpl& s, const ResourceDemand& d) {
  const StoreLimits& l = s.limits;
  if (d.memories > l.max_memories || s.memories.size() > l.max_memories - d.memories) {
    return Error(ErrorCode::LimitExceeded, "store limit of " + std::to_string(l.max_memories) +
                                               " memories reached (StoreLimits::max_memories): " +
                                               std::to_string(s.memories.size()) + " exist, " +
                                               std::to_string(d.memories) + " more requested");
  }
  if (d.tables > l.max_tables || s.tables.size() > l.max_tables - d.tables) {
    return Error(ErrorCode::LimitExceeded, "store limit of " + std::to_string(l.max_tables) +
                                               " tables reached (StoreLimits::max_tables): " +
                                               std::to_string(s.tables.size()) + " exist, " +
                                               std::to_string(d.tables) + " more requested");
  }
  if (!s.budget.fits(d.bytes)) {
    return Error(ErrorCode::LimitExceeded, "memories and tables need " + std::to_string(d.bytes) + " bytes (" +
                                               std::to_string(d.memory_pages) + " pages of memory, " +
                                               std::to_string(d.table_elements) +
                                               " table elements), over the store limit of " +
                                               std::to_string(s.budget.limit()) +
                                               " bytes (StoreLimits::max_total_bytes; " +
                                               std::to_string(s.budget.used()) + " in use)");
  }
  return {};
}

}  // namespace vivarium::detail
