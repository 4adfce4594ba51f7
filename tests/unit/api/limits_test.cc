// StoreLimits: each limit is enforced and its error names the limit.
#include <gtest/gtest.h>

#include "engine/runtime/objects.h"
#include "fixtures.h"
#include "test_util.h"

namespace vivarium::testing {
namespace {

TEST(Limits, InstanceCount) {
  StoreLimits lim;
  lim.max_instances = 3;
  Store store(lim);
  Module m = compile_or_die(kAdd);
  Linker l;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(l.instantiate(store, m).ok());
  auto r = l.instantiate(store, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(r.error().message().find("max_instances"), std::string::npos) << r.error().message();
}

TEST(Limits, MemoryMinimumAboveTheLimit) {
  StoreLimits lim;
  lim.max_memory_pages = 5;
  Store store(lim);
  auto r = Linker().instantiate(store, compile_or_die(kMem10));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(r.error().message().find("max_memory_pages"), std::string::npos) << r.error().message();
  EXPECT_TRUE(store.impl().memories.empty());  // nothing half-built was left behind
  auto m = new_memory(store, MemoryType{Limits{6, false, 0}});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), ErrorCode::LimitExceeded);
}

TEST(Limits, GuestGrowBeyondTheLimitSeesMinusOne) {
  StoreLimits lim;
  lim.max_memory_pages = 4;
  Store store(lim);
  Instance inst = value_or_die(Linker().instantiate(store, compile_or_die(kGrow)));
  EXPECT_EQ(call_or_die(inst, "grow", {Value::i32(2)})[0].i32(), 1);
  EXPECT_EQ(call_or_die(inst, "grow", {Value::i32(2)})[0].i32(), -1);  // 5 > 4
  EXPECT_EQ(call_or_die(inst, "size")[0].i32(), 3);
  EXPECT_EQ(call_or_die(inst, "grow", {Value::i32(1)})[0].i32(), 3);
  EXPECT_EQ(call_or_die(inst, "size")[0].i32(), 4);
  // The host sees an error naming the limit.
  auto g = inst.memory("mem")->grow(1);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(g.error().message().find("max_memory_pages"), std::string::npos) << g.error().message();
}

TEST(Limits, GrownMemoryIsZeroedAndBaseStable) {
  Store store;
  Instance inst = value_or_die(Linker().instantiate(store, compile_or_die(kGrow)));
  Memory mem = *inst.memory("mem");
  uint8_t* base = mem.raw()->base;
  ASSERT_TRUE(mem.view().store<uint32_t>(65532, 0xdeadbeef));
  EXPECT_FALSE(mem.view().store<uint32_t>(65534, 1));
  EXPECT_EQ(value_or_die(mem.grow(3)), 1u);
  EXPECT_EQ(mem.raw()->base, base);
  EXPECT_EQ(mem.pages(), 4u);
  EXPECT_EQ(*mem.view().load<uint32_t>(65532), 0xdeadbeefu);
  EXPECT_EQ(*mem.view().load<uint32_t>(4 * 65536 - 4), 0u);
  EXPECT_EQ(mem.type().limits.min, 4u);
}

TEST(Limits, TableMinimumAboveTheLimit) {
  StoreLimits lim;
  lim.max_table_elements = 5;
  Store store(lim);
  auto r = Linker().instantiate(store, compile_or_die(kTable10));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(r.error().message().find("max_table_elements"), std::string::npos);
  Table t = value_or_die(new_table(store, TableType{ValType::FuncRef, Limits{4, false, 0}},
                                   Value::null_of(ValType::FuncRef)));
  EXPECT_EQ(value_or_die(t.grow(1, Value::null_of(ValType::FuncRef))), 4u);
  auto g = t.grow(1, Value::null_of(ValType::FuncRef));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(t.size(), 5u);
}

TEST(Limits, TableApiChecksTypesAndBounds) {
  Store store;
  Table t = value_or_die(new_table(store, TableType{ValType::ExternRef, Limits{2, true, 3}},
                                   Value::null_of(ValType::ExternRef)));
  int host_thing = 0;
  ASSERT_TRUE(t.set(1, Value::externref(Ref{&host_thing})).ok());
  EXPECT_EQ(value_or_die(t.get(1)).ref().ptr, &host_thing);
  EXPECT_EQ(t.get(2).error().code(), ErrorCode::TableOutOfBounds);
  EXPECT_EQ(t.set(0, Value::funcref(Ref{})).error().code(), ErrorCode::Usage);
  EXPECT_EQ(value_or_die(t.grow(1, Value::externref(Ref{&host_thing}))), 2u);
  EXPECT_EQ(t.grow(1, Value::null_of(ValType::ExternRef)).error().code(), ErrorCode::LimitExceeded);  // type max 3
}

TEST(Limits, InvalidHostTypesAreUsageErrors) {
  Store store;
  EXPECT_EQ(new_memory(store, MemoryType{Limits{2, true, 1}}).error().code(), ErrorCode::Usage);
  EXPECT_EQ(new_memory(store, MemoryType{Limits{65537, false, 0}}).error().code(), ErrorCode::Usage);
  EXPECT_EQ(new_global(store, GlobalType{ValType::I32, false}, Value::f32(1)).error().code(), ErrorCode::Usage);
  EXPECT_EQ(new_global(store, GlobalType{ValType::I32, false}, Value::i32(1))->set(Value::i32(2)).error().code(),
            ErrorCode::Usage);  // immutable
}

// The resource limiter (issue #10 item 3): counts and total bytes per store.
Module module_from_text(const char* wat) { return value_or_die(Module::from_text(wat)); }

TEST(Limits, TotalBytesBoundAnInstantiationBeforeItAllocates) {
  StoreLimits lim;
  lim.max_total_bytes = 16 << 20;
  Store store(lim);
  std::string wat = "(module";
  for (int i = 0; i < 50; ++i) wat += " (table 10000000 funcref)";
  wat += ")";
  auto r = Linker().instantiate(store, module_from_text(wat.c_str()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(r.error().message().find("StoreLimits::max_total_bytes"), std::string::npos) << r.error().message();
  EXPECT_TRUE(store.impl().tables.empty());
  EXPECT_EQ(store.impl().budget.used(), 0u);
}

TEST(Limits, TotalBytesAreSharedByMemoriesAndTables) {
  StoreLimits lim;
  lim.max_total_bytes = 3 * 65536 + 80;
  Store store(lim);
  Instance inst = value_or_die(Linker().instantiate(
      store, module_from_text(R"((module (memory (export "mem") 1) (table (export "t") 10 funcref)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))))")));
  EXPECT_EQ(store.impl().budget.used(), 65536u + 80u);
  EXPECT_EQ(call_or_die(inst, "grow", {Value::i32(2)})[0].i32(), 1);   // 3 pages + 80 bytes: the whole budget
  EXPECT_EQ(call_or_die(inst, "grow", {Value::i32(1)})[0].i32(), -1);  // one page more does not fit
  EXPECT_EQ(call_or_die(inst, "tgrow", {Value::i32(1)})[0].i32(), -1);  // nor one element
  auto g = inst.memory("mem")->grow(1);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message().find("max_total_bytes"), std::string::npos) << g.error().message();
  // Host-created objects are admitted against the same budget.
  auto t = new_table(store, TableType{ValType::FuncRef, Limits{1, false, 0}}, Value::null_of(ValType::FuncRef));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(new_memory(store, MemoryType{Limits{1, false, 0}}).error().code(), ErrorCode::LimitExceeded);
  EXPECT_TRUE(new_memory(store, MemoryType{Limits{0, false, 0}}).ok());  // zero bytes fit
}

TEST(Limits, MemoryAndTableCounts) {
  StoreLimits lim;
  lim.max_memories = 2;
  lim.max_tables = 1;
  Store store(lim);
  Module two_mems = module_from_text("(module (memory 0) (table 0 funcref))");
  ASSERT_TRUE(Linker().instantiate(store, two_mems).ok());
  auto r = Linker().instantiate(store, two_mems);  // a second table
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("StoreLimits::max_tables"), std::string::npos) << r.error().message();
  ASSERT_TRUE(new_memory(store, MemoryType{Limits{0, false, 0}}).ok());
  auto m = new_memory(store, MemoryType{Limits{0, false, 0}});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message().find("StoreLimits::max_memories"), std::string::npos) << m.error().message();
}

}  // namespace
}  // namespace vivarium::testing
