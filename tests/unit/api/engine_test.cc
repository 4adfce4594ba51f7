// Engine: instance allocation on demand or from a pool (issue #11 item 3).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>

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

// A table of 8 funcref elements filled by an element segment, with `fill`
// writing a function at any index and `is_null` reading one.
constexpr const char* kTable = R"((module
  (table (export "t") 8 funcref)
  (func $f)
  (elem declare func $f)
  (func (export "fill") (param i32) (table.set (local.get 0) (ref.func $f)))
  (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get (local.get 0))))))";

TEST(Engine, PoolReusesTablesResetToNull) {
  Engine engine(pooling());
  Module m = value_or_die(Module::from_text(kTable));
  const void* first = nullptr;
  {
    Store store(engine);
    Instance inst = value_or_die(Linker().instantiate(store, m));
    first = inst.table("t")->raw()->elems.data();
    for (int i = 0; i < 8; ++i) call_or_die(inst, "fill", {Value::i32(i)});
  }
  EXPECT_EQ(engine.pool_stats().idle_tables, 1u);
  {
    Store store(engine);
    Instance inst = value_or_die(Linker().instantiate(store, m));
    EXPECT_EQ(inst.table("t")->raw()->elems.data(), first);  // the same storage, reused
    EXPECT_EQ(engine.pool_stats().idle_tables, 0u);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(call_or_die(inst, "is_null", {Value::i32(i)})[0].i32(), 1) << i;
    EXPECT_EQ(inst.table("t")->size(), 8u);
  }
  engine.trim();
  EXPECT_EQ(engine.pool_stats().idle_tables, 0u);
}

TEST(Engine, TablePoolKeepsNoMoreThanItsCapacity) {
  EngineConfig c = pooling();
  c.pooling.max_idle_tables = 2;
  Engine engine(c);
  Module m = value_or_die(Module::from_text(kTable));
  {
    std::vector<std::unique_ptr<Store>> stores;
    for (int i = 0; i < 5; ++i) {
      stores.push_back(std::make_unique<Store>(engine));
      value_or_die(Linker().instantiate(*stores.back(), m));
    }
  }
  EXPECT_EQ(engine.pool_stats().idle_tables, 2u);
  // On demand keeps nothing.
  Engine plain;
  { Store store(plain); value_or_die(Linker().instantiate(store, m)); }
  EXPECT_EQ(plain.pool_stats().idle_tables, 0u);
}

// 128 KiB of data (bytes 1..255 repeating) at 65536 in a 3-page memory:
// enough for the pooling engine to map a copy-on-write image.
std::string imaged_module() {
  std::string wat = R"((module (memory (export "mem") 3) (data (i32.const 65536) ")";
  for (int i = 0; i < 128 * 1024; ++i) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\%02x", (i % 255) + 1);
    wat += buf;
  }
  return wat + R"(")))";
}

TEST(Engine, DataImagesAreCopyOnWriteAndNeverLeakIntoReusedMemory) {
  Engine engine(pooling());
  Module imaged = value_or_die(Module::from_text(imaged_module()));
  Module plain = value_or_die(Module::from_text(kPokePeek));
  for (int round = 0; round < 2; ++round) {
    Store store(engine);
    Instance inst = value_or_die(Linker().instantiate(store, imaged));
    MemoryView v = inst.memory("mem")->view();
    EXPECT_EQ(inst.memory("mem")->raw()->image_bytes, 65536u + 128 * 1024) << "the image was not mapped";
    EXPECT_EQ(v.load<uint8_t>(65536).value(), 1);
    EXPECT_EQ(v.load<uint8_t>(65536 + 1000).value(), (1000 % 255) + 1);
    EXPECT_EQ(v.load<uint8_t>(65535).value(), 0);
    EXPECT_EQ(v.load<uint8_t>(65536 + 128 * 1024 - 1).value(), (128 * 1024 - 1) % 255 + 1);
    // A write lands in this instance only: the next one sees the image again.
    ASSERT_TRUE(v.store<uint8_t>(65536, 0xee));
  }
  // A reservation that held the image comes back zeroed for another module.
  for (int i = 0; i < 4; ++i) {
    Store store(engine);
    Instance inst = value_or_die(Linker().instantiate(store, plain));
    MemoryView v = inst.memory("mem")->view();
    EXPECT_EQ(v.load<uint8_t>(0).value(), 0);
    ASSERT_TRUE(inst.memory("mem")->grow(2).ok());
    EXPECT_EQ(inst.memory("mem")->view().load<uint8_t>(65536).value(), 0);
  }
}

}  // namespace
}  // namespace vivarium::testing
