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

}  // namespace
}  // namespace vivarium::terrarium::testing
