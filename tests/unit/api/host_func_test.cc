// Host functions typed from their C++ signature, called from wasm.
#include <gtest/gtest.h>

#include <tuple>

#include "fixtures.h"
#include "test_util.h"

namespace vivarium::testing {
namespace {

TEST(HostFunc, SignatureComesFromTheCallable) {
  HostFuncDef d = host_func([](Caller&, int32_t, uint64_t, float, double) -> Result<std::tuple<int32_t, double>> {
    return std::tuple<int32_t, double>{1, 2.0};
  });
  EXPECT_EQ(d.type.to_string(), "(i32, i64, f32, f64) -> (i32, f64)");
  EXPECT_EQ(host_func([] {}).type.to_string(), "() -> ()");
}

Linker host_linker(int* fail_calls) {
  Linker l;
  l.func("env", "add", [](int32_t a, int32_t b) { return a * 100 + b; });  // order-sensitive on purpose
  l.func("env", "pair", [] { return std::tuple<int64_t, float>{-5, 1.5f}; });
  l.func("env", "fail", [fail_calls]() -> Result<void> {
    ++*fail_calls;
    return Error(ErrorCode::HostTrap, "host says no");
  });
  return l;
}

TEST(HostFunc, CalledFromWasmWithArgumentsInOrder) {
  Store store;
  int fails = 0;
  Instance inst = value_or_die(host_linker(&fails).instantiate(store, compile_or_die(kHost)));
  auto r = call_or_die(inst, "call_add", {Value::i32(3), Value::i32(4)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].i32(), 304);
}

TEST(HostFunc, MultipleResults) {
  Store store;
  int fails = 0;
  Instance inst = value_or_die(host_linker(&fails).instantiate(store, compile_or_die(kHost)));
  auto r = call_or_die(inst, "call_pair");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].i64(), -5);
  EXPECT_EQ(r[1].f32(), 1.5f);
}

TEST(HostFunc, ErrorResultTrapsTheGuest) {
  Store store;
  int fails = 0;
  Instance inst = value_or_die(host_linker(&fails).instantiate(store, compile_or_die(kHost)));
  auto r = inst.call("call_fail", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::HostTrap);
  EXPECT_EQ(r.error().message(), "host says no");
  EXPECT_EQ(fails, 1);
}

TEST(HostFunc, CallableDirectlyFromTheHost) {
  Store store;
  Linker l;
  l.func("env", "mul", [](int64_t a, int64_t b) { return a * b; });
  Function f = std::get<Function>(*l.get(store, "env", "mul"));
  std::vector<Value> args{Value::i64(6), Value::i64(7)};
  auto r = f.call(args);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0].i64(), 42);
}

// The module's memory is not exported: Caller::memory() still reaches it.
TEST(HostFunc, CallerReadsUnexportedMemoryThroughACheckedView) {
  Store store;
  std::string seen;
  bool oob = false;
  Linker l;
  l.func("env", "log", [&](Caller& c, uint32_t ptr, uint32_t len) -> int32_t {
    auto s = c.memory().string(ptr, len);
    if (!s) {
      oob = true;
      return -1;
    }
    seen.assign(*s);
    EXPECT_TRUE(c.instance().valid());
    EXPECT_FALSE(c.exported_memory("memory").has_value());
    return static_cast<int32_t>(len);
  });
  Instance inst = value_or_die(l.instantiate(store, compile_or_die(kCallerMem)));
  EXPECT_EQ(call_or_die(inst, "run", {Value::i32(16), Value::i32(8)})[0].i32(), 8);
  EXPECT_EQ(seen, "hi there");
  // Out of bounds (and overflowing) ranges give an empty view, not a read.
  EXPECT_EQ(call_or_die(inst, "run", {Value::i32(65530), Value::i32(8)})[0].i32(), -1);
  EXPECT_TRUE(oob);
  oob = false;
  EXPECT_EQ(call_or_die(inst, "run", {Value::i32(-1), Value::i32(2)})[0].i32(), -1);
  EXPECT_TRUE(oob);
}

TEST(HostFunc, StoreUserDataReachesHostFunctions) {
  Store store;
  int counter = 0;
  store.set_user_data(&counter);
  Linker l;
  l.func("env", "foo", [](Caller& c, int32_t v) { *static_cast<int*>(c.store().user_data()) += v; });
  Function f = std::get<Function>(*l.get(store, "env", "foo"));
  std::vector<Value> args{Value::i32(5)};
  ASSERT_TRUE(f.call(args).ok());
  EXPECT_EQ(counter, 5);
}

}  // namespace
}  // namespace vivarium::testing
