// Time slicing (host/terrarium/run_request.cc): a guest that computes gives
// its thread back, so a request that arrives behind it on the same thread
// finishes first; the looping guest still ends with its wall-time limit.
// Likewise a KV write runs off the thread (Async::offload) while its guest
// waits.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "harness.h"

namespace vivarium::terrarium::testing {
namespace {

constexpr std::string_view kLoop = R"((module (func (export "run") (loop (br 0)))))";
constexpr std::string_view kHello = R"((module
  (import "env" "hostcall_resp_set_body" (func $body (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 16) "hi")
  (func (export "run") (drop (call $body (i32.const 0) (i32.const 16) (i32.const 2)))))
)";

HttpRequest get() {
  HttpRequest r;
  r.method = "GET";
  r.target = "/";
  r.client_ip = "192.0.2.7";
  return r;
}

TEST(Slicing, AComputingGuestLetsALaterRequestFinishFirst) {
  GuestConfig loop_cfg = test_config();
  loop_cfg.limits.wall_time = std::chrono::milliseconds(300);
  auto loop = wat_program(kLoop, loop_cfg);
  auto hello = wat_program(kHello);
  ASSERT_TRUE(loop && hello);
  Harness h;
  Services s = h.services();
  boost::asio::io_context io;
  std::vector<std::string> order;
  std::optional<Outcome> loop_out, hello_out;
  run_request(io.get_executor(), loop, s, get(), [&](Outcome o) {
    order.push_back("loop");
    loop_out = std::move(o);
  });
  // Queued behind the looping guest on the one thread of `io`.
  boost::asio::post(io, [&] {
    run_request(io.get_executor(), hello, s, get(), [&](Outcome o) {
      order.push_back("hello");
      hello_out = std::move(o);
    });
  });
  io.run();
  ASSERT_EQ(order, (std::vector<std::string>{"hello", "loop"}));
  EXPECT_EQ(hello_out->kind, Outcome::Kind::Ok) << hello_out->message;
  EXPECT_EQ(hello_out->response.body, "hi");
  EXPECT_EQ(loop_out->kind, Outcome::Kind::Timeout) << loop_out->message;
  EXPECT_EQ(loop_out->response.status, 504);
}

TEST(Slicing, TwoComputingGuestsTakingTurnsOnOneThreadBothGet504) {
  GuestConfig cfg = test_config();
  cfg.limits.wall_time = std::chrono::milliseconds(200);
  auto loop = wat_program(kLoop, cfg);
  ASSERT_TRUE(loop);
  Harness h;
  Services s = h.services();
  boost::asio::io_context io;
  std::vector<Outcome> outs;
  for (int i = 0; i < 2; ++i)
    run_request(io.get_executor(), loop, s, get(), [&](Outcome o) { outs.push_back(std::move(o)); });
  io.run();
  ASSERT_EQ(outs.size(), 2u);
  for (const auto& o : outs) EXPECT_EQ(o.response.status, 504) << o.message;
}

// A KvStore whose writes take a while (LMDB's fsync does, milliseconds).
class SlowKv : public FakeKv {
 public:
  Result<bool> put(std::string_view ns, std::string_view key, std::string_view value) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return FakeKv::put(ns, key, value);
  }
};

TEST(Offload, AKvWriteDoesNotHoldTheThread) {
  auto writer = wat_program(R"((module
    (import "env" "hostcall_kvstore_insert" (func $put (param i32 i32 i32 i32) (result i32)))
    (memory 1)
    (data (i32.const 16) "k")
    (data (i32.const 32) "v")
    (func (export "run") (drop (call $put (i32.const 16) (i32.const 1) (i32.const 32) (i32.const 1))))))");
  auto hello = wat_program(kHello);
  ASSERT_TRUE(writer && hello);
  Harness h;
  SlowKv slow;
  Services s = h.services();
  s.kv = &slow;
  boost::asio::io_context io;
  std::vector<std::string> order;
  run_request(io.get_executor(), writer, s, get(), [&](Outcome o) {
    EXPECT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
    order.push_back("writer");
  });
  boost::asio::post(io, [&] {
    run_request(io.get_executor(), hello, s, get(), [&](Outcome) { order.push_back("hello"); });
  });
  io.run();
  ASSERT_EQ(order, (std::vector<std::string>{"hello", "writer"}));
  EXPECT_EQ(slow.get("test", "k")->value_or(""), "v");
}

// A KvStore whose reads wait on the network, as Redis's do.
class RemoteKv : public FakeKv {
 public:
  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return FakeKv::get(ns, key);
  }
  bool remote_reads() const override { return true; }
};

TEST(Offload, ARemoteKvReadDoesNotHoldTheThread) {
  auto reader = wat_program(R"((module
    (import "env" "hostcall_kvstore_get" (func $get (param i32 i32 i32 i32) (result i32)))
    (import "env" "hostcall_resp_set_body" (func $body (param i32 i32 i32) (result i32)))
    (memory 1)
    (data (i32.const 16) "k")
    (data (i32.const 32) "absent")
    (func (export "run")
      (if (i32.eqz (call $get (i32.const 64) (i32.const 68) (i32.const 16) (i32.const 1)))
        (then (drop (call $body (i32.const 0) (i32.const 32) (i32.const 6))))))))");
  auto hello = wat_program(kHello);
  ASSERT_TRUE(reader && hello);
  Harness h;
  RemoteKv remote;  // "k" is absent: the guest needs no malloc for the answer
  Services s = h.services();
  s.kv = &remote;
  boost::asio::io_context io;
  std::vector<std::string> order;
  std::optional<Outcome> read;
  run_request(io.get_executor(), reader, s, get(), [&](Outcome o) {
    order.push_back("reader");
    read = std::move(o);
  });
  boost::asio::post(io, [&] {
    run_request(io.get_executor(), hello, s, get(), [&](Outcome) { order.push_back("hello"); });
  });
  io.run();
  ASSERT_EQ(order, (std::vector<std::string>{"hello", "reader"}));
  EXPECT_EQ(read->kind, Outcome::Kind::Ok) << read->message;
  EXPECT_EQ(read->response.body, "absent");
}

// The client went away: cancelling stops a computing guest long before its
// wall time (10 s here), with a Cancelled outcome, and a cancel once the
// request is over does nothing.
TEST(Cancel, StopsAComputingGuest) {
  GuestConfig cfg = test_config();
  cfg.limits.wall_time = std::chrono::seconds(10);
  auto loop = wat_program(kLoop, cfg);
  ASSERT_TRUE(loop);
  Harness h;
  Services s = h.services();
  boost::asio::io_context io;
  std::optional<Outcome> out;
  CancelRun cancel = run_request(io.get_executor(), loop, s, get(), [&](Outcome o) { out = std::move(o); });
  boost::asio::steady_timer later(io, std::chrono::milliseconds(100));
  later.async_wait([&](boost::system::error_code) { cancel(); });
  io.run();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->kind, Outcome::Kind::Cancelled) << out->message;
  EXPECT_EQ(out->response.status, 499);
  EXPECT_EQ(loop->cost().queued_for_cpu(), 0u);
  cancel();  // after the outcome: nothing (the mailbox is closed)
  io.restart();
  EXPECT_EQ(io.run(), 0u);
}

// The cancel is queued behind the guest's start on its strand: a guest that
// finishes at once has its answer already, and the cancel changes nothing.
TEST(Cancel, ACancelBehindAQuickGuestChangesNothing) {
  auto hello = wat_program(kHello);
  ASSERT_TRUE(hello);
  Harness h;
  Services s = h.services();
  boost::asio::io_context io;
  std::optional<Outcome> out;
  CancelRun cancel = run_request(io.get_executor(), hello, s, get(), [&](Outcome o) { out = std::move(o); });
  cancel();
  io.run();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->kind, Outcome::Kind::Ok) << out->message;
  EXPECT_EQ(out->response.body, "hi");
}

// GuestCost learns what a deployment's requests cost: a looping one is heavy
// after its first request, hello never is.
TEST(Cost, ALoopingDeploymentIsHeavyAndHelloIsNot) {
  GuestConfig cfg = test_config();
  cfg.limits.wall_time = std::chrono::milliseconds(50);
  auto loop = wat_program(kLoop, cfg);
  auto hello = wat_program(kHello);
  ASSERT_TRUE(loop && hello);
  Harness h;
  for (int i = 0; i < 50; ++i) h.run(hello, get());
  h.run(loop, get());
  EXPECT_FALSE(hello->cost().heavy()) << hello->cost().typical().count() << " us";
  EXPECT_TRUE(loop->cost().heavy()) << loop->cost().typical().count() << " us";
  EXPECT_EQ(loop->cost().queued_for_cpu(), 0u);  // each slice that ended was resumed
}

}  // namespace
}  // namespace vivarium::terrarium::testing
