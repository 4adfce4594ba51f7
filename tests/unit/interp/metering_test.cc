// Fuel, deadlines and interrupts: checked at loop back-edges and calls.
#include <chrono>
#include <thread>

#include "tests/unit/interp/interp_test_util.h"

namespace vivarium::engine::test {
namespace {

constexpr std::string_view kWat = R"((module
  (func (export "spin") (param $n i32)
    (loop $l (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "forever") (loop $l (br $l)))
  (func $nop)
  (func (export "calls") (param $n i32)
    (loop $l
      (call $nop)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
))";

TEST(InterpMetering, FuelCountsBackEdgesAndCalls) {
  Env e(kWat);
  // spin(n) takes n-1 back-edges.
  e.store.set_fuel(1000);
  ASSERT_TRUE(e.call("spin", {I32(1001)}).ok());
  EXPECT_EQ(e.store.fuel_remaining(), 0u);
  e.store.set_fuel(1000);
  Error err = e.trap("spin", {I32(1002)});
  EXPECT_EQ(err.code(), ErrorCode::OutOfFuel);
  EXPECT_EQ(err.message(), "all fuel consumed");
  EXPECT_EQ(err.phase(), vivarium::Phase::Exhaustion);
  // calls(n): n calls and n-1 back-edges.
  e.store.set_fuel(100000);
  ASSERT_TRUE(e.call("calls", {I32(10)}).ok());
  EXPECT_EQ(e.store.fuel_remaining(), 100000u - 19u);
  // Large budgets span several refills of the interpreter's countdown.
  e.store.set_fuel(100000);
  ASSERT_TRUE(e.call("spin", {I32(50001)}).ok());
  EXPECT_EQ(e.store.fuel_remaining(), 50000u);
}

TEST(InterpMetering, Deadline) {
  Env e(kWat);
  e.store.set_deadline(std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
  Error err = e.trap("forever");
  EXPECT_EQ(err.code(), ErrorCode::DeadlineExceeded);
  e.store.clear_deadline();
  EXPECT_TRUE(e.call("spin", {I32(10)}).ok());
}

TEST(InterpMetering, InterruptFromAnotherThread) {
  Env e(kWat);
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    e.store.interrupt();
  });
  Error err = e.trap("forever");
  t.join();
  EXPECT_EQ(err.code(), ErrorCode::DeadlineExceeded);
  EXPECT_EQ(err.message(), "interrupted");
}

// Store::set_check_hook (time slicing in the edge server): called at the
// deadline checks; false stops the code. memory.grow asks for a check at the
// next back-edge, without changing the fuel it costs.
TEST(InterpMetering, CheckHookRunsAtChecksAndAfterEachGrow) {
  Env e(kWat);
  int calls = 0;
  e.store.set_check_hook([](void* n) { return ++*static_cast<int*>(n) < 3; }, &calls);
  Error err = e.trap("forever");
  EXPECT_EQ(err.code(), ErrorCode::DeadlineExceeded);
  EXPECT_EQ(calls, 3);

  Env g(R"((module (memory 0 100)
    (func (export "grow") (param $n i32)
      (loop $l
        (drop (memory.grow (i32.const 1)))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))))");
  int grows = 0;
  g.store.set_check_hook([](void* n) { return ++*static_cast<int*>(n) > 0; }, &grows);
  g.store.set_fuel(1000);
  ASSERT_TRUE(g.call("grow", {I32(10)}).ok());
  EXPECT_GE(grows, 9);  // far fewer back-edges than a check interval
  EXPECT_EQ(g.store.fuel_remaining(), 1000u - 9u);
}

}  // namespace
}  // namespace vivarium::engine::test
