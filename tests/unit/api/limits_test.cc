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

}  // namespace
}  // namespace vivarium::testing
