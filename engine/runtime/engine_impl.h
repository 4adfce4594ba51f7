// What the runtime keeps per Engine (include/vivarium/engine.h): the
// instance allocator its stores take memories and stacks from.
#pragma once
#include <memory>

#include "engine/memory/instance_allocator.h"

namespace vivarium::detail {

struct EngineImpl {
  std::unique_ptr<InstanceAllocator> allocator;
};

}  // namespace vivarium::detail
