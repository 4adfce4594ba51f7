#include "engine/runtime/objects.h"
#include "vivarium/host_func.h"

namespace vivarium {

// Memory 0 whether exported or not: WASI and hostcalls reach the guest's
// memory this way even when the module does not export it.
MemoryView Caller::memory() const {
  if (instance_ == nullptr || instance_->memories.empty()) return MemoryView();
  const detail::MemoryInst* m = instance_->memories[0];
  return MemoryView(m->base, m->size);
}

std::optional<Memory> Caller::exported_memory(std::string_view name) const {
  if (instance_ == nullptr) return std::nullopt;
  return Instance(&store_, instance_).memory(name);
}

}  // namespace vivarium
