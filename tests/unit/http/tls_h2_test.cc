// HTTP/2 over TLS (ALPN) and certificate verification, against nginx.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "host/http/outbound.h"
#include "test_servers.h"

namespace vivarium::http {
namespace {

std::shared_ptr<const net::EgressPolicy> local_policy() {
  auto r = net::EgressPolicy::parse({"localhost", "127.0.0.1", "[::1]"});
  return std::make_shared<const net::EgressPolicy>(*r);
}

Result<OutboundResponse> fetch(OutboundClient& c, const std::string& url) {
  std::promise<Result<OutboundResponse>> done;
  OutboundRequest req;
  req.url = url;
  c.start(req, local_policy(), [&](Result<OutboundResponse> r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

class TlsH2 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::TlsServer::available()) GTEST_SKIP() << "nginx or openssl is not installed: TLS/HTTP/2 not tested";
    ASSERT_TRUE(server_.start()) << "nginx did not start (see " << server_.dir() << "/error.log)";
  }
  std::string url() const { return "https://localhost:" + std::to_string(server_.port()) + "/"; }
  testing::TlsServer server_;
};

TEST_F(TlsH2, Http2OverTlsWithTheRightCa) {
  OutboundClient::Options o;
  o.ca_file = server_.cert();
  OutboundClient client(o);
  auto r = fetch(client, url());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->http_version, 20);
  EXPECT_EQ(r->body, "hello h2\n");

  // Many requests at once share the multiplexed connection.
  constexpr int kRequests = 20;
  std::atomic<int> ok{0}, done{0};
  std::promise<void> all;
  auto p = local_policy();
  for (int i = 0; i < kRequests; ++i) {
    OutboundRequest req;
    req.url = url();
    client.start(req, p, [&](Result<OutboundResponse> res) {
      if (res.ok() && res->http_version == 20 && res->body == "hello h2\n") ++ok;
      if (++done == kRequests) all.set_value();
    });
  }
  all.get_future().wait();
  EXPECT_EQ(ok.load(), kRequests);
}

TEST_F(TlsH2, UntrustedCertificateIsRefused) {
  OutboundClient client;  // the system CA store does not know the test's certificate
  auto r = fetch(client, url());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::Io);
  EXPECT_NE(r.error().message().find("TLS: "), std::string::npos) << r.error().message();
}

TEST_F(TlsH2, HostNameMustMatchTheCertificate) {
  OutboundClient::Options o;
  o.ca_file = server_.cert();
  OutboundClient client(o);
  // The same server and a trusted certificate, but it names localhost, not 127.0.0.1.
  auto r = fetch(client, "https://127.0.0.1:" + std::to_string(server_.port()) + "/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::Io);
  EXPECT_NE(r.error().message().find("TLS: "), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace vivarium::http
