// Instantiation order (spec 2.0, 4.5.4): element segments, then data
// segments, each bounds-checked before it writes; writes before a trapping
// segment stay visible; then the start function.
#include <gtest/gtest.h>

#include <cstring>

#include "fixtures.h"
#include "test_util.h"

namespace vivarium::testing {
namespace {

TEST(Segments, OutOfBoundsDataTrapsButEarlierWritesStay) {
  Store store;
  Memory mem = value_or_die(new_memory(store, MemoryType{Limits{1, false, 0}}));
  Table tab = value_or_die(new_table(store, TableType{ValType::FuncRef, Limits{2, false, 0}},
                                     Value::null_of(ValType::FuncRef)));
  Linker l;
  l.define("env", "mem", mem);
  l.define("env", "tab", tab);
  auto inst = l.instantiate(store, compile_or_die(kSegments));
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(inst.error().phase(), Phase::Trap);
  EXPECT_EQ(inst.error().message(), "out of bounds memory access");
  EXPECT_EQ(inst.error().where().section, "data");

  // The first data segment landed...
  auto hello = mem.view().string(0, 5);
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(*hello, "hello");
  // ...the second wrote nothing (bounds are checked before the copy)...
  EXPECT_EQ(*mem.view().load<uint8_t>(65534), 0);
  // ...and the element segment put the failed instance's function in the
  // imported table, where it stays callable.
  Value v = value_or_die(tab.get(0));
  auto f = Function::from_ref(store, v.ref());
  ASSERT_TRUE(f.has_value());
  auto r = f->call({});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0].i32(), 42);
  EXPECT_TRUE(value_or_die(tab.get(1)).ref().is_null());
}

TEST(Segments, OutOfBoundsElemTrapsAfterEarlierSegments) {
  Store store;
  Table tab = value_or_die(new_table(store, TableType{ValType::FuncRef, Limits{2, false, 0}},
                                     Value::null_of(ValType::FuncRef)));
  Linker l;
  l.define("env", "tab", tab);
  auto inst = l.instantiate(store, compile_or_die(kElemOob));
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code(), ErrorCode::TableOutOfBounds);
  EXPECT_EQ(inst.error().message(), "out of bounds table access");
  EXPECT_FALSE(value_or_die(tab.get(0)).ref().is_null());
  EXPECT_TRUE(value_or_die(tab.get(1)).ref().is_null());  // no partial write
}

TEST(Segments, FailedInstantiationLeavesTheStoreUsable) {
  Store store;
  Table tab = value_or_die(new_table(store, TableType{ValType::FuncRef, Limits{2, false, 0}},
                                     Value::null_of(ValType::FuncRef)));
  Linker l;
  l.define("env", "tab", tab);
  ASSERT_FALSE(l.instantiate(store, compile_or_die(kElemOob)).ok());
  Instance ok = value_or_die(l.instantiate(store, compile_or_die(kAdd)));
  EXPECT_EQ(call_or_die(ok, "add", {Value::i32(1), Value::i32(2)})[0].i32(), 3);
}

TEST(Segments, PassiveSegmentsSurviveForTableAndMemoryInit) {
  Store store;
  Instance inst = value_or_die(Linker().instantiate(store, compile_or_die(kPassive)));
  Table t = *inst.table("t");
  for (uint32_t i = 0; i < 3; ++i) EXPECT_TRUE(value_or_die(t.get(i)).ref().is_null());
  call_or_die(inst, "init");
  EXPECT_EQ(call_or_die(inst, "call", {Value::i32(1)})[0].i32(), 1);
  EXPECT_EQ(call_or_die(inst, "call", {Value::i32(2)})[0].i32(), 2);
  MemoryView v = inst.memory("mem")->view();
  EXPECT_EQ(*v.string(8, 2), "xy");
}

TEST(Segments, GlobalInitializersAndOffsetsReadImportedGlobals) {
  Store store;
  Linker l;
  l.define("env", "base", value_or_die(new_global(store, GlobalType{ValType::I32, false}, Value::i32(5))));
  Instance inst = value_or_die(l.instantiate(store, compile_or_die(kGlobalInit)));
  EXPECT_EQ(inst.global("copy")->get().i32(), 5);
  EXPECT_EQ(inst.global("f")->get().f64(), 2.5);
  Value r = inst.global("r")->get();
  ASSERT_EQ(r.type(), ValType::FuncRef);
  EXPECT_EQ(r.ref().ptr, inst.func("h")->raw());
  EXPECT_EQ(call_or_die(inst, "at", {Value::i32(5)})[0].i32(), 42);
}

TEST(Segments, StartFunctionRunsAtInstantiation) {
  Store store;
  Instance inst = value_or_die(Linker().instantiate(store, compile_or_die(kStart)));
  EXPECT_EQ(inst.global("g")->get().i32(), 7);
  Global g = *inst.global("g");
  EXPECT_TRUE(g.set(Value::i32(9)).ok());
  EXPECT_EQ(g.get().i32(), 9);
  EXPECT_EQ(g.set(Value::i64(9)).error().code(), ErrorCode::Usage);
}

TEST(Segments, StartTrapIsATrapWithBacktrace) {
  Store store;
  auto inst = Linker().instantiate(store, compile_or_die(kStartTrap));
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().phase(), Phase::Trap);
  EXPECT_EQ(inst.error().message(), "unreachable");
  EXPECT_NE(inst.error().backtrace().find("$s"), std::string::npos) << inst.error().backtrace();
}

}  // namespace
}  // namespace vivarium::testing
