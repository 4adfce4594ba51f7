// What the runtime keeps per Engine (include/vivarium/engine.h): the
// instance allocator its stores take memories and stacks from, and the
// registry of function-type ids they share.
#pragma once
#include <memory>

#include "engine/memory/instance_allocator.h"
#include "engine/runtime/type_registry.h"

namespace vivarium::detail {

struct EngineImpl {
  std::unique_ptr<InstanceAllocator> allocator;
  // Function-type ids of the engine's stores; shared with them so it lives
  // exactly as long as something of this engine does.
  std::shared_ptr<TypeRegistry> types = std::make_shared<TypeRegistry>();
};

}  // namespace vivarium::detail
