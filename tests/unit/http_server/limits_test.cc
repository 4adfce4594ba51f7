// Bad and hostile input: malformed requests (400, closed), oversized heads
// (431), oversized bodies (413, on Content-Length and while chunked),
// slowloris, idle keep-alive connections and the connection cap.
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/unit/http_server/test_server.h"

namespace vivarium::server::test {
namespace {

// The status of the only response, and whether the server then closed.
std::pair<int, bool> refused(uint16_t port, const std::string& request) {
  int fd = connect_to(port);
  if (fd < 0) return {-1, false};
  send_all(fd, request);
  bool closed = false;
  std::string r = read_until_close(fd, std::chrono::seconds(5), &closed);
  ::close(fd);
  int status = r.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(r.c_str() + 9) : 0;
  return {status, closed};
}

TEST(Limits, MalformedRequestsGet400AndClose) {
  TestServer s;
  const char* bad[] = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET / HTTP/1.1\r\n\r\n",                      // no Host
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",  // two
      "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
      "GET nopath HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
  };
  for (const char* req : bad) {
    auto [status, closed] = refused(s.port(), req);
    EXPECT_EQ(status, 400) << req;
    EXPECT_TRUE(closed) << req;
  }
  // Beast accepts only HTTP/1.x in a request line: 400, not 505.
  EXPECT_EQ(refused(s.port(), "GET / HTTP/2.0\r\nHost: a\r\n\r\n").first, 400);
  EXPECT_EQ(refused(s.port(), "GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n").first, 417);
  // Transfer-codings other than one final chunked: the handler could not decode the body.
  EXPECT_EQ(refused(s.port(), "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
            std::make_pair(501, true));
  EXPECT_EQ(refused(s.port(), "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n").first,
            501);
  EXPECT_EQ(refused(s.port(), "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n").first, 501);
  EXPECT_EQ(refused(s.port(), "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").first,
            400);
  // Binary noise: an answer or a close, never a crash.
  std::string noise(3000, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 7919) & 0xff);
  refused(s.port(), noise);
  EXPECT_EQ(refused(s.port(), "GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").first, 200);
}

TEST(Limits, OversizedHeadGets431) {
  TestServer s;  // 4096 header bytes, 20 headers
  std::string big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(5000, 'a') + "\r\n\r\n";
  EXPECT_EQ(refused(s.port(), big), std::make_pair(431, true));
  std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 25; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(refused(s.port(), many + "\r\n"), std::make_pair(431, true));
  std::string long_target = "GET /" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(refused(s.port(), long_target).first, 431);
  std::string rendered = s.metrics->render();
  EXPECT_NE(rendered.find("vivarium_http_rejected_total{reason=\"header_too_large\"} 3"), std::string::npos)
      << rendered;
}

TEST(Limits, OversizedBodyGets413OnContentLengthBeforeReadingIt) {
  TestServer s;  // 64 KiB bodies
  int fd = connect_to(s.port());
  send_all(fd, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000\r\nExpect: 100-continue\r\n\r\n");
  bool closed = false;
  std::string r = read_until_close(fd, std::chrono::seconds(5), &closed);
  ::close(fd);
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r;
  EXPECT_EQ(r.find("100 Continue"), std::string::npos);
  EXPECT_TRUE(closed);
  // With curl, which sends the body right away and must still read the 413.
  int st = 0;
  std::string out = run("head -c 200000 /dev/zero | curl -sS --max-time 10 -H 'Expect:' --data-binary @- "
                        "-o /dev/null -w '%{http_code}' http://127.0.0.1:" + std::to_string(s.port()) + "/echo",
                        &st);
  EXPECT_EQ(out, "413");
}

TEST(Limits, OversizedChunkedBodyGets413WhileStreaming) {
  TestServer s;
  int fd = connect_to(s.port());
  send_all(fd, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk = "4000\r\n" + std::string(0x4000, 'z') + "\r\n";
  for (int i = 0; i < 5 && send_all(fd, chunk); ++i) {
  }
  bool closed = false;
  std::string r = read_until_close(fd, std::chrono::seconds(5), &closed);
  ::close(fd);
  EXPECT_EQ(r.rfind("HTTP/1.1 413", 0), 0u) << r.substr(0, 100);
  EXPECT_TRUE(closed);
}

TEST(Limits, SlowlorisIsClosedAfterHeaderTimeout) {
  TestServer s;  // whole head within 1 s
  int fd = connect_to(s.port());
  ASSERT_GE(fd, 0);
  send_all(fd, "GET / HTTP/1.1\r\nHost: a\r\n");
  auto start = std::chrono::steady_clock::now();
  bool peer_closed = false;
  // One header byte every 100 ms, each arriving well within any per-read timeout.
  for (int i = 0; i < 80 && !peer_closed; ++i) {
    usleep(100000);
    if (!send_all(fd, "X")) peer_closed = true;
    char c;
    if (::recv(fd, &c, 1, MSG_DONTWAIT) == 0) peer_closed = true;
  }
  auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_TRUE(peer_closed);
  EXPECT_LT(took, std::chrono::seconds(5));
  // A connection that sends nothing at all is closed too.
  fd = connect_to(s.port());
  bool closed = false;
  read_until_close(fd, std::chrono::seconds(3), &closed);
  ::close(fd);
  EXPECT_TRUE(closed);
  // Over TLS: a handshake that never comes.
  fd = connect_to(s.tls_port());
  closed = false;
  read_until_close(fd, std::chrono::seconds(3), &closed);
  ::close(fd);
  EXPECT_TRUE(closed);
}

TEST(Limits, IdleKeepAliveConnectionIsClosed) {
  TestServer s([](HttpServerOptions& o) { o.limits.idle_timeout = std::chrono::milliseconds(300); });
  int fd = connect_to(s.port());
  send_all(fd, "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string carry;
  EXPECT_TRUE(read_response(fd, carry).ok);
  bool closed = false;
  read_until_close(fd, std::chrono::seconds(3), &closed);
  ::close(fd);
  EXPECT_TRUE(closed);
}

TEST(Limits, ConnectionsOverTheCapAreClosed) {
  TestServer s([](HttpServerOptions& o) {
    o.limits.max_connections = 2;
    o.limits.header_timeout = std::chrono::seconds(5);
  });
  int a = connect_to(s.port()), b = connect_to(s.port());
  usleep(100000);
  int c = connect_to(s.port());
  bool closed = false;
  read_until_close(c, std::chrono::seconds(2), &closed);
  EXPECT_TRUE(closed);
  ::close(c);
  send_all(a, "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string carry;
  EXPECT_EQ(read_response(a, carry).status, 200);
  ::close(a);
  ::close(b);
}

}  // namespace
}  // namespace vivarium::server::test
