// Outbound HTTP from guests against a real upstream on 127.0.0.1
// (tests/unit/http/upstream.py): fan-out with select, the wall-time limit
// ending a suspended wait, and many guests waiting at once on one thread.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "harness.h"
#include "tests/unit/http/test_servers.h"

namespace vivarium::terrarium::testing {
namespace {

class Outbound : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(upstream_.start()) << "cannot start upstream.py";
    cfg_ = test_config();
    auto policy = net::EgressPolicy::parse({"127.0.0.1"});
    ASSERT_TRUE(policy.ok()) << policy.error().to_string();
    cfg_.egress = std::make_shared<const net::EgressPolicy>(std::move(*policy));
  }

  HttpRequest fanout_request(std::vector<std::string> urls) {
    HttpRequest r;
    r.method = "GET";
    r.target = "/";
    for (auto& u : urls) r.headers.emplace_back("x-upstream", std::move(u));
    return r;
  }

  http::testing::Upstream upstream_;
  GuestConfig cfg_;
};

TEST_F(Outbound, FanOutOverThreeUpstreamsWithSelect) {
  auto p = guest_program("fanout", cfg_);
  if (!p) GTEST_SKIP() << "Terrarium C guests were not built";
  Harness h;
  // A slow one, a fast one, and one the policy denies.
  Outcome o = h.run(p, fanout_request({upstream_.url("/sleep?ms=300"), upstream_.url("/echo"), "http://10.1.2.3/"}));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.body, "0 200 slept\n1 200 \n2 error\n");
  EXPECT_EQ(o.outbound_requests, 3u);
}

// req_send blocks until the answer; the method, header values and body reach
// the upstream; every getter works on the upstream response.
TEST_F(Outbound, SendCarriesMethodHeadersAndBodyAndTheResponseReadsBack) {
  auto p = guest_program("probe", cfg_);
  if (!p) GTEST_SKIP() << "Terrarium C guests were not built";
  Harness h;
  HttpRequest r = fanout_request({upstream_.url("/echo")});
  r.target = "/upstream-echo";
  Outcome o = h.run(p, std::move(r));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  // A framing header the guest sets is dropped (0), not sent.
  EXPECT_TRUE(o.response.body.starts_with("framing=0 resp=ok code=200 method=POST x-up=")) << o.response.body;
  EXPECT_NE(o.response.body.find("yes"), std::string::npos) << o.response.body;
  EXPECT_NE(o.response.body.find("again"), std::string::npos) << o.response.body;
  EXPECT_TRUE(o.response.body.ends_with(" names_lower=1 body=payload")) << o.response.body;
}

TEST_F(Outbound, TheWallTimeLimitEndsASuspendedWaitWith504) {
  cfg_.limits.wall_time = std::chrono::milliseconds(300);
  auto p = guest_program("fanout", cfg_);
  if (!p) GTEST_SKIP() << "Terrarium C guests were not built";
  Harness h;
  Outcome o = h.run(p, fanout_request({upstream_.url("/sleep?ms=5000")}));
  EXPECT_EQ(o.kind, Outcome::Kind::Timeout) << o.message;
  EXPECT_EQ(o.response.status, 504);
  // Cancelled, not left to run out: the upstream would answer after 5 s.
  for (int i = 0; i < 300 && h.outbound->in_flight() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(h.outbound->in_flight(), 0u) << "the transfer must be cancelled";
}

// A guest that starts transfers and returns: the response goes out, the
// transfers are cancelled, and their late callbacks find the request (and
// here its io_context) gone without touching either.
TEST_F(Outbound, TransfersLeftPendingAreCancelledWhenTheRequestEnds) {
  auto p = guest_program("hostile", cfg_);
  if (!p) GTEST_SKIP() << "Terrarium C guests were not built";
  Harness h;
  HttpRequest r = fanout_request({upstream_.url("/sleep?ms=3000"), upstream_.url("/sleep?ms=3000")});
  r.target = "/abandon";
  Outcome o = h.run(p, std::move(r));  // its io_context is destroyed on return
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.body, "abandoned");
  EXPECT_EQ(o.outbound_requests, 2u);
  for (int i = 0; i < 200 && h.outbound->in_flight() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(h.outbound->in_flight(), 0u) << "the transfers must be cancelled";
}

// Twenty guests each wait on a 1 s upstream, all on one thread: a timer on
// that same thread sees all twenty transfers in flight at once, which is
// only possible if a waiting guest does not hold the thread.
TEST_F(Outbound, WaitingGuestsDoNotHoldTheThread) {
  auto p = guest_program("fanout", cfg_);
  if (!p) GTEST_SKIP() << "Terrarium C guests were not built";
  Harness h;
  const Services s = h.services();
  boost::asio::io_context io;
  constexpr int kGuests = 20;
  int ok = 0, done = 0;
  size_t max_in_flight = 0;
  for (int i = 0; i < kGuests; ++i) {
    run_request(io.get_executor(), p, s, fanout_request({upstream_.url("/sleep?ms=1000")}), [&](Outcome o) {
      ++done;
      ok += o.kind == Outcome::Kind::Ok && o.response.body == "0 200 slept\n";
    });
  }
  boost::asio::steady_timer poll(io);
  std::function<void()> watch = [&] {
    max_in_flight = std::max(max_in_flight, h.outbound->in_flight());
    if (done < kGuests) {
      poll.expires_after(std::chrono::milliseconds(5));
      poll.async_wait([&](const boost::system::error_code&) { watch(); });
    }
  };
  watch();
  io.run();
  EXPECT_EQ(done, kGuests);
  EXPECT_EQ(ok, kGuests);
  EXPECT_EQ(max_in_flight, static_cast<size_t>(kGuests));
}

// A guest that spins on pending_req_poll instead of waiting computes, so it
// is time-sliced: between its slices the upstream's completion reaches it
// (its poll then returns the response) and a hello queued behind it on the
// same thread runs first. Without that, it would spin to its wall time (504).
TEST_F(Outbound, AGuestSpinningOnPollLetsItsUpstreamAndOthersProgress) {
  const std::string url = upstream_.url("/sleep?ms=300");
  auto spinner = wat_program(R"((module
    (import "env" "hostcall_req_create" (func $create (param i32 i32 i32 i32) (result i32)))
    (import "env" "hostcall_req_send_async" (func $send (param i32) (result i32)))
    (import "env" "hostcall_pending_req_poll" (func $poll (param i32) (result i32)))
    (import "env" "hostcall_resp_set_body" (func $body (param i32 i32 i32) (result i32)))
    (memory 1)
    (data (i32.const 16) "GET")
    (data (i32.const 32) "answered")
    (data (i32.const 128) ")" + url + R"(")
    (func (export "run") (local $pr i32) (local $r i32)
      (local.set $pr (call $send (call $create (i32.const 16) (i32.const 3) (i32.const 128) (i32.const )" +
                                 std::to_string(url.size()) + R"())))
      (loop $spin
        (local.set $r (call $poll (local.get $pr)))
        (br_if $spin (i32.eq (local.get $r) (i32.const -2))))
      (if (i32.ge_s (local.get $r) (i32.const 0))
        (then (drop (call $body (i32.const 0) (i32.const 32) (i32.const 8)))))))
  )",
                             cfg_);
  auto hello = wat_program(R"((module
    (import "env" "hostcall_resp_set_body" (func $body (param i32 i32 i32) (result i32)))
    (memory 1)
    (data (i32.const 16) "hi")
    (func (export "run") (drop (call $body (i32.const 0) (i32.const 16) (i32.const 2))))))");
  ASSERT_TRUE(spinner && hello);
  Harness h;
  const Services s = h.services();
  boost::asio::io_context io;
  std::vector<std::string> order;
  std::optional<Outcome> spun;
  HttpRequest r = fanout_request({});
  run_request(io.get_executor(), spinner, s, r, [&](Outcome o) {
    order.push_back("spinner");
    spun = std::move(o);
  });
  boost::asio::steady_timer later(io, std::chrono::milliseconds(50));  // the spinner is spinning by then
  later.async_wait([&](const boost::system::error_code&) {
    run_request(io.get_executor(), hello, s, r, [&](Outcome) { order.push_back("hello"); });
  });
  io.run();
  ASSERT_EQ(order, (std::vector<std::string>{"hello", "spinner"}));
  EXPECT_EQ(spun->kind, Outcome::Kind::Ok) << spun->message;
  EXPECT_EQ(spun->response.body, "answered");
}

}  // namespace
}  // namespace vivarium::terrarium::testing

namespace vivarium::terrarium::testing {
namespace {

// dns_query_ip of a name the policy grants (resolved from /etc/hosts, no
// traffic): result 1 and a non-NULL list of one 4-byte address.
TEST(Dns, QueryIpOfAGrantedNameReturnsItsAddresses) {
  auto cfg = test_config();
  auto policy = net::EgressPolicy::parse({"localhost", "127.0.0.1"});
  ASSERT_TRUE(policy.ok()) << policy.error().to_string();
  cfg.egress = std::make_shared<const net::EgressPolicy>(std::move(*policy));
  auto p = guest_program("probe", cfg);
  if (!p) GTEST_SKIP() << "Terrarium C guests were not built";
  Harness h;
  HttpRequest r;
  r.method = "GET";
  r.target = "/misc";
  Outcome o = h.run(p, std::move(r));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.body, "time=ok time_null=ok rng=ok dns=1,ptr,1");
}

}  // namespace
}  // namespace vivarium::terrarium::testing
