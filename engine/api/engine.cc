#include "vivarium/engine.h"

#include "engine/runtime/engine_impl.h"

namespace vivarium {

Engine::Engine(EngineConfig config) : config_(config), impl_(std::make_unique<detail::EngineImpl>()) {
  impl_->allocator = config.allocation == InstanceAllocation::Pooling
                         ? detail::make_pooling_allocator(config.pooling.max_idle_memories,
                                                          config.pooling.max_idle_stacks,
                                                          config.pooling.max_idle_tables)
                         : detail::make_on_demand_allocator();
}

Engine::~Engine() = default;

Engine& Engine::default_engine() {
  // Leaked on purpose: stores in static objects may die after it otherwise.
  static Engine* e = new Engine();
  return *e;
}

Engine::PoolStats Engine::pool_stats() const {
  detail::InstanceAllocator::Stats s = impl_->allocator->stats();
  return {s.idle_memories, s.idle_stacks, s.idle_tables};
}

void Engine::trim() { impl_->allocator->trim(); }

}  // namespace vivarium
