// Engine: instance allocation on demand or from a pool (issue #11 item 3).
#include <gtest/gtest.h>

#include <cstring>

#include "engine/runtime/objects.h"
#include "test_util.h"
#include "vivarium/engine.h"

namespace vivarium::testing {
namespace {

// A memory of one page with an exported `poke` that stores at address 0 and
// a `peek` that reads it back: whether a reused memory was zeroed.
constexpr const char* kPokePeek = R"((module
  (memory (export "mem") 1)
  (func (export "poke") (param i32) (i32.store (i32.const 0) (local.get 0)))
  (func (export "peek") (result i32) (i32.load (i32.const 0)))))";

EngineConfig pooling() {
  EngineConfig c;
  c.allocation = InstanceAllocation::Pooling;
  c.pooling.max_idle_memories = 4;
  c.pooling.max_idle_stacks = 4;
  return c;
}

TEST(Engine, StoresWithoutAnEngineUseTheDefaultOne) {
  EXPECT_EQ(Engine::default_engine().config().allocation, InstanceAllocation::OnDemand);
  Store store;
  Module m = value_or_die(Module::from_text(kPokePeek));
  Instance inst = value_or_die(Linker().instantiate(store, m));
  call_or_die(inst, "poke", {Value::i32(7)});
  EXPECT_EQ(call_or_die(inst, "peek")[0].i32(), 7);
  EXPECT_EQ(Engine::default_engine().pool_stats().idle_stacks, 0u);
}

TEST(Engine, PoolReusesMemoriesAndStacksZeroed) {
  Engine engine(pooling());
  Module m = value_or_die(Module::from_text(kPokePeek));
  uint8_t* first_base = nullptr;
  {
    Store store(engine);
    Instance inst = value_or_die(Linker().instantiate(store, m));
    first_base = inst.memory("mem")->raw()->base;
    call_or_die(inst, "poke", {Value::i32(0x5a5a5a5a)});
  }
  EXPECT_EQ(engine.pool_stats().idle_memories, 1u);
  EXPECT_EQ(engine.pool_stats().idle_stacks, 1u);
  {
    Store store(engine, StoreLimits{});
    Instance inst = value_or_die(Linker().instantiate(store, m));
    EXPECT_EQ(inst.memory("mem")->raw()->base, first_base);  // the same reservation, reused
    EXPECT_EQ(call_or_die(inst, "peek")[0].i32(), 0);           // and zero again
    EXPECT_EQ(engine.pool_stats().idle_memories, 0u);
    EXPECT_EQ(engine.pool_stats().idle_stacks, 0u);
  }
  engine.trim();
  EXPECT_EQ(engine.pool_stats().idle_memories, 0u);
  EXPECT_EQ(engine.pool_stats().idle_stacks, 0u);
}

TEST(Engine, PoolKeepsNoMoreThanItsCapacity) {
  Engine engine(pooling());
  Module m = value_or_die(Module::from_text(kPokePeek));
  {
    std::vector<std::unique_ptr<Store>> stores;
    for (int i = 0; i < 6; ++i) {
      stores.push_back(std::make_unique<Store>(engine));
      Instance inst = value_or_die(Linker().instantiate(*stores.back(), m));
      call_or_die(inst, "peek");
    }
  }
  EXPECT_EQ(engine.pool_stats().idle_memories, 4u);
  EXPECT_EQ(engine.pool_stats().idle_stacks, 4u);
}

}  // namespace
}  // namespace vivarium::testing
