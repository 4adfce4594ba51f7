#include "host/http/outbound.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "test_servers.h"

namespace vivarium::http {
namespace {

using namespace std::chrono_literals;
using testing::Upstream;

std::shared_ptr<const net::EgressPolicy> policy(std::vector<std::string> grants) {
  auto r = net::EgressPolicy::parse(grants);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return std::make_shared<const net::EgressPolicy>(r.ok() ? *r : net::EgressPolicy{});
}

std::string header(const OutboundResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) return v;
  return "(absent)";
}

class Outbound : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(upstream_.start()) << "python3 upstream.py did not start"; }

  Result<OutboundResponse> fetch(OutboundRequest req, std::shared_ptr<const net::EgressPolicy> p) {
    std::promise<Result<OutboundResponse>> done;
    auto f = done.get_future();
    client_.start(std::move(req), std::move(p), [&](Result<OutboundResponse> r) { done.set_value(std::move(r)); });
    return f.get();
  }
  Result<OutboundResponse> get(const std::string& url, std::shared_ptr<const net::EgressPolicy> p) {
    OutboundRequest req;
    req.url = url;
    return fetch(std::move(req), std::move(p));
  }
  std::shared_ptr<const net::EgressPolicy> loopback() { return policy({"127.0.0.1"}); }

  Upstream upstream_;
  OutboundClient client_;
};

TEST_F(Outbound, GetSendsExactlyTheGuestsHeaders) {
  OutboundRequest req;
  req.url = upstream_.url("/echo?q=1");
  req.headers = {{"X-Test", "one"}, {"X-Empty", ""}, {"X-Test", "two"}};
  auto r = fetch(req, loopback());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->http_version, 11);
  EXPECT_EQ(header(*r, "X-Method"), "GET");
  EXPECT_EQ(header(*r, "X-Path"), "/echo?q=1");
  EXPECT_EQ(header(*r, "X-Echo-X-Test"), "one");  // first of two
  EXPECT_EQ(header(*r, "X-Echo-X-Empty"), "");
  EXPECT_EQ(header(*r, "X-Echo-Accept"), "(absent)");  // curl's default is suppressed
  EXPECT_EQ(header(*r, "X-Echo-Host"), "127.0.0.1:" + std::to_string(upstream_.port()));
  EXPECT_EQ(r->body, "");
}

TEST_F(Outbound, PostPutAndHead) {
  OutboundRequest req;
  req.method = "POST";
  req.url = upstream_.url("/echo");
  req.body = std::string("binary\0body\xff", 12);
  req.headers = {{"Content-Type", "application/octet-stream"}};
  auto r = fetch(req, loopback());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, req.body);
  EXPECT_EQ(header(*r, "X-Method"), "POST");
  EXPECT_EQ(header(*r, "X-Echo-Content-Type"), "application/octet-stream");
  EXPECT_EQ(header(*r, "X-Echo-Content-Length"), "12");

  req.method = "PUT";
  req.headers.clear();
  req.body = "";
  r = fetch(req, loopback());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(header(*r, "X-Method"), "PUT");
  EXPECT_EQ(header(*r, "X-Echo-Content-Type"), "(absent)");  // no form type made up
  EXPECT_EQ(header(*r, "X-Echo-Content-Length"), "0");

  req.method = "DELETE";
  r = fetch(req, loopback());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(header(*r, "X-Method"), "DELETE");

  req.method = "HEAD";
  req.url = upstream_.url("/big?n=100");
  r = fetch(req, loopback());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(header(*r, "Content-Length"), "100");
  EXPECT_EQ(r->body, "");
}

TEST_F(Outbound, MatchingHostAndContentLengthAreAccepted) {
  OutboundRequest req;
  req.method = "POST";
  req.url = upstream_.url("/echo");
  req.body = "12345";
  req.headers = {{"Content-Length", "5"}, {"host", "127.0.0.1:" + std::to_string(upstream_.port())}};
  auto r = fetch(req, loopback());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->body, "12345");
  EXPECT_EQ(header(*r, "X-Echo-Content-Length"), "5");
}

TEST_F(Outbound, RedirectsAreNotFollowed) {
  auto r = get(upstream_.url("/redirect"), loopback());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(header(*r, "Location"), "/echo");
  EXPECT_EQ(r->body, "moved");
}

TEST_F(Outbound, HundredSlowRequestsOverlap) {
  OutboundClient::Options o;
  OutboundClient client(o);
  constexpr int kRequests = 100;
  std::atomic<int> ok{0}, done{0};
  std::promise<void> all;
  auto start = std::chrono::steady_clock::now();
  auto p = loopback();
  for (int i = 0; i < kRequests; ++i) {
    OutboundRequest req;
    req.url = upstream_.url("/sleep?ms=1000");
    client.start(req, p, [&](Result<OutboundResponse> r) {
      if (r.ok() && r->status == 200 && r->body == "slept") ++ok;
      if (++done == kRequests) all.set_value();
    });
  }
  all.get_future().wait();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(ok.load(), kRequests);
  // Serially this is 100 s; overlapping it is about 1 s. Generous for a loaded machine.
  EXPECT_LT(seconds, 5.0);
  std::printf("100 requests of 1 s each took %.2f s\n", seconds);
}

// A guest's first fan-out to an origin: three requests to a plain-HTTP/1.1
// upstream no connection has reached yet must run side by side (three
// connections), not wait for the first to learn whether it multiplexes
// (CURLOPT_PIPEWAIT is for https only). Serially this takes 3 s.
TEST_F(Outbound, FirstFanOutToAFreshPlainOriginRunsInParallel) {
  OutboundClient client;
  std::atomic<int> ok{0}, done{0};
  std::promise<void> all;
  auto p = loopback();
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    OutboundRequest req;
    req.url = upstream_.url("/sleep?ms=1000");
    client.start(req, p, [&](Result<OutboundResponse> r) {
      if (r.ok() && r->status == 200) ++ok;
      if (++done == 3) all.set_value();
    });
  }
  all.get_future().wait();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(ok.load(), 3);
  EXPECT_LT(seconds, 2.0) << "the fan-out was serialized";
  std::printf("3-way fan-out to a fresh origin, 1 s each: %.2f s\n", seconds);
}

TEST_F(Outbound, Timeout) {
  OutboundRequest req;
  req.url = upstream_.url("/sleep?ms=3000");
  req.timeout = 200ms;
  auto r = fetch(req, loopback());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::DeadlineExceeded);
  EXPECT_NE(r.error().message().find("timed out after 200 ms"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("GET http://127.0.0.1:"), std::string::npos) << r.error().message();
}

TEST_F(Outbound, Cancel) {
  std::promise<Result<OutboundResponse>> done;
  auto f = done.get_future();
  std::atomic<int> calls{0};
  OutboundRequest req;
  req.url = upstream_.url("/sleep?ms=5000");
  uint64_t id = client_.start(req, loopback(), [&](Result<OutboundResponse> r) {
    if (++calls == 1) done.set_value(std::move(r));
  });
  EXPECT_NE(id, 0u);
  std::this_thread::sleep_for(100ms);
  client_.cancel(id);
  ASSERT_EQ(f.wait_for(3s), std::future_status::ready) << "cancel did not end the transfer";
  auto r = f.get();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("cancelled"), std::string::npos);
  client_.cancel(id);       // already finished: ignored
  client_.cancel(9999999);  // never existed: ignored
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(client_.in_flight(), 0u);
}

TEST_F(Outbound, DeniedByName) {
  // Only the address is granted: the name "localhost" is not.
  auto r = get(upstream_.url("/echo", "localhost"), loopback());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::Unsupported);
  EXPECT_NE(r.error().message().find("denied: the egress policy does not grant 'localhost:"), std::string::npos)
      << r.error().message();
  // Nothing granted at all, and a null policy.
  EXPECT_FALSE(get(upstream_.url("/echo"), policy({})).ok());
  EXPECT_FALSE(get(upstream_.url("/echo"), nullptr).ok());
  // The right port only.
  auto other_port = get(upstream_.url("/echo"), policy({"127.0.0.1:1"}));
  ASSERT_FALSE(other_port.ok());
  EXPECT_EQ(other_port.error().code(), ErrorCode::Unsupported);
}

TEST_F(Outbound, DeniedByAddress) {
  // The name is granted, but it resolves to loopback, which a name rule never admits.
  auto r = get(upstream_.url("/echo", "localhost"), policy({"localhost"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::Unsupported);
  EXPECT_NE(r.error().message().find("denied: the egress policy does not grant"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("reached through 'localhost'"), std::string::npos) << r.error().message();
  // With the address granted as well, it goes through.
  auto ok = get(upstream_.url("/echo", "localhost"), policy({"localhost", "127.0.0.1", "[::1]"}));
  ASSERT_TRUE(ok.ok()) << ok.error().message();
}

TEST_F(Outbound, NumericAndMappedHostsCannotBypass) {
  auto p = policy({"localhost", "*.example.com", "0.0.0.0/0"});
  std::string port = std::to_string(upstream_.port());
  for (std::string host : {"2130706433", "0x7f.1", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
                           "0.0.0.0", "[::]", "[::1]"}) {
    auto r = get("http://" + host + ":" + port + "/echo", p);
    ASSERT_FALSE(r.ok()) << host;
    EXPECT_EQ(r.error().code(), ErrorCode::Unsupported) << host << ": " << r.error().message();
  }
}

TEST_F(Outbound, PooledConnectionIsCheckedAgainstEachRequestsPolicy) {
  // A keep-alive connection to 127.0.0.1 opened under a policy that grants
  // the address must not serve a request whose policy grants only the name.
  auto ok = get(upstream_.url("/echo", "localhost"), policy({"localhost", "127.0.0.1", "[::1]"}));
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  auto r = get(upstream_.url("/echo", "localhost"), policy({"localhost"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::Unsupported);
  EXPECT_NE(r.error().message().find("denied"), std::string::npos) << r.error().message();
}

TEST_F(Outbound, OversizeResponse) {
  OutboundClient::Options o;
  o.max_response_bytes = 10000;
  OutboundClient small(o);
  for (const char* path : {"/big?n=20000", "/big?n=20000&chunked=1"}) {
    std::promise<Result<OutboundResponse>> done;
    OutboundRequest req;
    req.url = upstream_.url(path);
    small.start(req, loopback(), [&](Result<OutboundResponse> r) { done.set_value(std::move(r)); });
    auto r = done.get_future().get();
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded) << r.error().message();
    EXPECT_NE(r.error().message().find("larger than the limit of 10000 bytes"), std::string::npos)
        << r.error().message();
  }
  std::promise<Result<OutboundResponse>> done;
  OutboundRequest req;
  req.url = upstream_.url("/big?n=10000&chunked=1");
  small.start(req, loopback(), [&](Result<OutboundResponse> r) { done.set_value(std::move(r)); });
  auto exact = done.get_future().get();
  ASSERT_TRUE(exact.ok()) << exact.error().message();
  EXPECT_EQ(exact->body.size(), 10000u);
}

TEST_F(Outbound, BadRequestsGetClearErrors) {
  struct Case {
    std::string method, url;
    Headers headers;
    const char* why;
  };
  std::string base = upstream_.url("/echo");
  for (const Case& c : std::vector<Case>{
           {"GET", "not a url", {}, "space or control"},
           {"GET", "/relative", {}, "bad URL"},
           {"GET", "ftp://127.0.0.1/x", {}, "scheme 'ftp' is not allowed"},
           {"GET", "file:///etc/passwd", {}, "scheme 'file' is not allowed"},
           {"GET", "gopher://127.0.0.1/", {}, "scheme 'gopher' is not allowed"},
           {"GET", "http://", {}, "bad URL"},
           {"GET", base + "\r\nX: y", {}, "control character"},
           {"GET", std::string("http://127.0.0.1\0.evil.com/", 26), {}, "control character"},
           {"GE T", base, {}, "method is not an HTTP token"},
           {"", base, {}, "method is not an HTTP token"},
           {"CONNECT", base, {}, "CONNECT is not allowed"},
           {"GET", base, {{"Bad Name", "v"}}, "is not a token"},
           {"GET", base, {{"X-Ok", "a\r\nInjected: 1"}}, "holds CR, LF or NUL"},
           {"GET", base, {{"X-Ok", std::string("a\0b", 3)}}, "holds CR, LF or NUL"},
           {"GET", "http://[fe80::1%25eth0]/", {}, "zone"},
           {"POST", base, {{"Transfer-Encoding", "chunked"}}, "is the client's to set"},
           {"GET", base, {{"connection", "close"}}, "is the client's to set"},
           {"GET", base, {{"Upgrade", "h2c"}}, "is the client's to set"},
           {"POST", base, {{"Content-Length", "7"}}, "does not match the body's 0 bytes"},
           {"GET", base, {{"Content-Length", "5"}}, "does not match"},
           {"GET", base, {{"Host", "internal.example"}}, "is not the URL's host"},
           {"GET", base, {{"Host", "127.0.0.1:1"}}, "is not the URL's host"},
       }) {
    OutboundRequest req;
    req.method = c.method;
    req.url = c.url;
    req.headers = c.headers;
    auto r = fetch(req, loopback());
    ASSERT_FALSE(r.ok()) << c.url;
    EXPECT_EQ(r.error().code(), ErrorCode::Usage) << c.url << ": " << r.error().message();
    EXPECT_NE(r.error().message().find(c.why), std::string::npos) << c.url << ": " << r.error().message();
  }
}

TEST_F(Outbound, ConnectionRefused) {
  uint16_t port = testing::free_port();  // nothing listens there
  auto r = get("http://127.0.0.1:" + std::to_string(port) + "/", loopback());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::Io);
  EXPECT_NE(r.error().message().find(std::to_string(port)), std::string::npos) << r.error().message();
}

TEST_F(Outbound, ShutdownEndsInFlightTransfersWithAnError) {
  std::atomic<int> errors{0}, calls{0};
  {
    OutboundClient client;
    for (int i = 0; i < 10; ++i) {
      OutboundRequest req;
      req.url = upstream_.url("/sleep?ms=5000");
      client.start(req, loopback(), [&](Result<OutboundResponse> r) {
        ++calls;
        if (!r.ok() && r.error().message().find("shutting down") != std::string::npos) ++errors;
      });
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(calls.load(), 10);
  EXPECT_EQ(errors.load(), 10);
}

TEST_F(Outbound, CallbacksMayStartMoreRequests) {
  std::promise<Result<OutboundResponse>> second;
  auto p = loopback();
  OutboundRequest req;
  req.url = upstream_.url("/echo");
  client_.start(req, p, [&](Result<OutboundResponse> r) {
    ASSERT_TRUE(r.ok());
    OutboundRequest next;
    next.url = upstream_.url("/echo?second");
    client_.start(next, p, [&](Result<OutboundResponse> r2) { second.set_value(std::move(r2)); });
  });
  auto r = second.get_future().get();
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(header(*r, "X-Path"), "/echo?second");
}

}  // namespace
}  // namespace vivarium::http
