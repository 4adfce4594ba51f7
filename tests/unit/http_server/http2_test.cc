// HTTP/2: h2c with prior knowledge and h2 over TLS (ALPN), with curl and
// h2load; per-stream limits.
#include <gtest/gtest.h>

#include "tests/unit/http_server/test_server.h"

namespace vivarium::server::test {
namespace {

std::string h2c(uint16_t port, std::string_view path) {
  return "curl -sS --max-time 10 --http2-prior-knowledge http://127.0.0.1:" + std::to_string(port) +
         std::string(path);
}

TEST(Http2, PriorKnowledgeGetAndPost) {
  TestServer s;
  int st = 0;
  std::string out = run(h2c(s.port(), "/echo?x=1") + " -i -H 'Host: Api.Localhost'", &st);
  ASSERT_EQ(st, 0) << out;
  EXPECT_EQ(out.rfind("HTTP/2 200", 0), 0u) << out;
  EXPECT_NE(out.find("x-protocol: HTTP/2"), std::string::npos) << out;
  EXPECT_NE(out.find("x-target: /echo?x=1"), std::string::npos) << out;
  EXPECT_NE(out.find("x-host: api.localhost"), std::string::npos) << out;
  EXPECT_NE(out.find("x-headers: host,user-agent,accept"), std::string::npos) << "host from :authority: " << out;
  EXPECT_NE(out.find("server: vivarium"), std::string::npos) << out;
  EXPECT_NE(out.find("date: "), std::string::npos) << out;
  out = run("head -c 30000 /dev/zero | " + h2c(s.port(), "/echo") + " --data-binary @- -o /dev/null -w '%{http_code} %{size_download}'",
            &st);
  EXPECT_EQ(out, "200 30000");
  out = run(h2c(s.port(), "/later?ms=100") + " -o /dev/null -w '%{http_code}'", &st);
  EXPECT_EQ(out, "200");
  out = run(h2c(s.port(), "/big?n=200000") + " -o /dev/null -w '%{http_code} %{size_download}'", &st);
  EXPECT_EQ(out, "200 200000");
  out = run(h2c(s.port(), "/big?n=5") + " -I", &st);
  EXPECT_NE(out.find("content-length: 5"), std::string::npos) << out;
}

TEST(Http2, OverTlsWithAlpn) {
  TestServer s;
  int st = 0;
  std::string base = "curl -sS -k --max-time 10 https://127.0.0.1:" + std::to_string(s.tls_port());
  std::string out = run(base + "/echo --http2 -o /dev/null -w '%{http_version} %{http_code}'", &st);
  EXPECT_EQ(out, "2 200");
  out = run(base + "/echo --http1.1 -o /dev/null -w '%{http_version} %{http_code}'", &st);
  EXPECT_EQ(out, "1.1 200");
}

TEST(Http2, PerStreamLimits) {
  TestServer s;
  int st = 0;
  std::string out = run("head -c 100000 /dev/zero | " + h2c(s.port(), "/echo") +
                            " --data-binary @- -o /dev/null -w '%{http_code}'",
                        &st);
  EXPECT_EQ(out, "413");
  std::string many;
  for (int i = 0; i < 25; ++i) many += " -H 'x-h" + std::to_string(i) + ": v'";
  out = run(h2c(s.port(), "/echo") + many + " -o /dev/null -w '%{http_code}'", &st);
  EXPECT_EQ(out, "431");
  // The connection's other streams are unaffected: h2load below still passes.
}

TEST(Http2, ManyMultiplexedStreamsWithH2load) {
  TestServer s;
  int st = 0;
  std::string out = run("h2load -n 400 -c 4 -m 16 http://127.0.0.1:" + std::to_string(s.port()) +
                            "/later?ms=5 2>&1",
                        &st);
  EXPECT_NE(out.find("400 succeeded, 0 failed, 0 errored"), std::string::npos) << out;
  out = run("h2load -n 400 -c 4 -m 16 https://127.0.0.1:" + std::to_string(s.tls_port()) + "/echo 2>&1", &st);
  EXPECT_NE(out.find("400 succeeded, 0 failed, 0 errored"), std::string::npos) << out;
  EXPECT_NE(out.find("Application protocol: h2"), std::string::npos) << out;
}

TEST(Http2, GarbageAfterPrefaceClosesTheConnection) {
  TestServer s;
  std::string r = exchange(s.port(), std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + std::string(100, '\xff'),
                           std::chrono::seconds(3));
  // A GOAWAY frame (type 7) or nothing; then the close. The server lives on:
  int st = 0;
  EXPECT_EQ(run(h2c(s.port(), "/echo") + " -o /dev/null -w '%{http_code}'", &st), "200");
}

}  // namespace
}  // namespace vivarium::server::test
