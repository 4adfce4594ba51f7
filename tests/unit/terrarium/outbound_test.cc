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

#ifdef VIV_HAVE_OUTBOUND
constexpr bool kHaveOutbound = true;
#else
constexpr bool kHaveOutbound = false;
#endif

class Outbound : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kHaveOutbound) GTEST_SKIP() << "host/http is not in this tree";
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

}  // namespace
}  // namespace vivarium::terrarium::testing

namespace vivarium::terrarium::testing {
namespace {

// dns_query_ip of a name the policy grants (resolved from /etc/hosts, no
// traffic): result 1 and a non-NULL list of one 4-byte address.
TEST(Dns, QueryIpOfAGrantedNameReturnsItsAddresses) {
  if (!kHaveOutbound) GTEST_SKIP() << "host/net is not in this tree";
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
