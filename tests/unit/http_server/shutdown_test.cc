// Graceful shutdown: stop accepting, finish what is in flight, close idle
// connections at once, and give up on stragglers after the grace period.
#include <unistd.h>

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "tests/unit/http_server/test_server.h"

namespace vivarium::server::test {
namespace {

using namespace std::chrono_literals;

TEST(Shutdown, InFlightRequestFinishesAndIdleConnectionsClose) {
  TestServer s;
  int idle = connect_to(s.port());
  send_all(idle, "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string carry_idle;
  ASSERT_TRUE(read_response(idle, carry_idle).ok);

  int busy = connect_to(s.port());
  send_all(busy, "GET /later?ms=600 HTTP/1.1\r\nHost: a\r\n\r\n");
  usleep(150000);
  auto start = std::chrono::steady_clock::now();
  s.server().shutdown(10s);

  bool idle_closed = false;
  read_until_close(idle, 2s, &idle_closed);
  EXPECT_TRUE(idle_closed) << "idle keep-alive connection closed at once";

  std::string carry;
  RawResponse r = read_response(busy, carry, 5s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header_of(r.head, "connection"), "close");
  s.server().wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "did not wait for the whole grace period";
  EXPECT_LT(connect_to(s.port()), 0) << "still accepting after shutdown";
  ::close(idle);
  ::close(busy);
}

TEST(Shutdown, Http2StreamInFlightFinishes) {
  TestServer s;
  auto done = std::async(std::launch::async, [&] {
    int st = 0;
    return run("curl -sS --max-time 10 --http2-prior-knowledge -o /dev/null -w '%{http_code}' "
               "http://127.0.0.1:" + std::to_string(s.port()) + "/later?ms=600",
               &st);
  });
  usleep(300000);
  s.server().shutdown(10s);
  EXPECT_EQ(done.get(), "200");
  s.server().wait();
}

TEST(Shutdown, GracePeriodEndsStragglers) {
  TestServer s;
  int busy = connect_to(s.port());
  send_all(busy, "GET /later?ms=3000 HTTP/1.1\r\nHost: a\r\n\r\n");
  usleep(100000);
  auto start = std::chrono::steady_clock::now();
  s.server().shutdown(200ms);
  s.server().wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  bool closed = false;
  read_until_close(busy, 2s, &closed);
  EXPECT_TRUE(closed);
  ::close(busy);
  std::this_thread::sleep_for(3s);  // the late Respond finds the server gone: nothing happens
}

}  // namespace
}  // namespace vivarium::server::test
