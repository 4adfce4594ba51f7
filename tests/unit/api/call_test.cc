#include <gtest/gtest.h>

#include <thread>

#include "fixtures.h"
#include "test_util.h"

namespace vivarium::testing {
namespace {

class CallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    module_ = std::make_unique<Module>(compile_or_die(kAdd));
    inst_ = value_or_die(Linker().instantiate(store_, *module_));
  }
  Store store_;
  std::unique_ptr<Module> module_;
  Instance inst_;
};

TEST_F(CallTest, CallsWithTypedValues) {
  auto r = call_or_die(inst_, "add", {Value::i32(40), Value::i32(2)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].type(), ValType::I32);
  EXPECT_EQ(r[0].i32(), 42);
  // Wraps as i32.add does.
  r = call_or_die(inst_, "add", {Value::i32(INT32_MAX), Value::i32(1)});
  EXPECT_EQ(r[0].i32(), INT32_MIN);
}

TEST_F(CallTest, WrongArityIsAClearUsageError) {
  std::vector<Value> one{Value::i32(1)};
  auto r = inst_.func("add")->call(one);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::Usage);
  EXPECT_EQ(r.error().message(), "expected 2 arguments (i32, i32), got 1");
}

TEST_F(CallTest, WrongArgumentTypeNamesTheArgument) {
  std::vector<Value> args{Value::i32(1), Value::f64(2.0)};
  auto r = inst_.func("add")->call(args);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::Usage);
  EXPECT_EQ(r.error().message(), "argument 2: expected i32, got f64");
}

TEST_F(CallTest, MissingExportIsNotFound) {
  auto r = inst_.call("sub", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::NotFound);
  EXPECT_NE(r.error().message().find("sub"), std::string::npos);
}

TEST_F(CallTest, ExportsAreListedAndTyped) {
  auto ex = inst_.exports();
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].first, "add");
  EXPECT_EQ(kind_of(ex[0].second), ExternKind::Func);
  EXPECT_EQ(inst_.func("add")->type().to_string(), "(i32, i32) -> (i32)");
  EXPECT_FALSE(inst_.memory("add").has_value());  // wrong kind
  EXPECT_EQ(&inst_.module().impl(), &module_->impl());
}

TEST_F(CallTest, FunctionRoundTripsThroughRef) {
  Function f = *inst_.func("add");
  auto back = Function::from_ref(store_, f.as_ref());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->raw(), f.raw());
  EXPECT_FALSE(Function::from_ref(store_, Ref{}).has_value());
}

TEST(Call, TrapsComeBackAsTrapErrors) {
  Store store;
  // kStartTrap traps during instantiation; the start function is the only code.
  auto inst = Linker().instantiate(store, compile_or_die(kStartTrap));
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().phase(), Phase::Trap);
  EXPECT_EQ(inst.error().code(), ErrorCode::Unreachable);
}

TEST(Call, FuelStopsAnInfiniteLoop) {
  Store store;
  Instance inst = value_or_die(Linker().instantiate(store, compile_or_die(kSpin)));
  store.set_fuel(10000);
  auto r = inst.call("spin", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::OutOfFuel);
  EXPECT_EQ(r.error().phase(), Phase::Exhaustion);
}

TEST(Call, DeadlineStopsAnInfiniteLoop) {
  Store store;
  Instance inst = value_or_die(Linker().instantiate(store, compile_or_die(kSpin)));
  store.set_deadline(std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
  auto r = inst.call("spin", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::DeadlineExceeded);
}

TEST(Call, InterruptFromAnotherThread) {
  Store store;
  Instance inst = value_or_die(Linker().instantiate(store, compile_or_die(kSpin)));
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    store.interrupt();
  });
  auto r = inst.call("spin", {});
  stopper.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::DeadlineExceeded);
}

}  // namespace
}  // namespace vivarium::testing
