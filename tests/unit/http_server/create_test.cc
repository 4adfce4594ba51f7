// HttpServer::create's errors name what is wrong and where.
#include <gtest/gtest.h>

#include "server/http_server.h"
#include "tests/unit/http_server/test_server.h"

namespace vivarium::server::test {
namespace {

Handler noop() {
  return [](boost::asio::any_io_executor, IncomingRequest, Respond r) { r(terrarium::HttpResponse{}); };
}

std::string create_error(HttpServerOptions o) {
  auto s = HttpServer::create(std::move(o), noop());
  return s.ok() ? std::string("ok") : s.error().message();
}

TEST(Create, ErrorsNameTheProblem) {
  HttpServerOptions o;
  EXPECT_NE(create_error(o).find("at least one listen address"), std::string::npos);
  o.listen = {{"localhost", 0, false}};
  EXPECT_EQ(create_error(o), "listen address localhost:0: not an IP address");
  o.listen = {{"127.0.0.1", 0, true}};
  EXPECT_NE(create_error(o).find("--tls-cert and --tls-key"), std::string::npos);
  o.tls_cert_file = "/nonexistent/cert.pem";
  o.tls_key_file = tls_files().key;
  EXPECT_NE(create_error(o).find("TLS certificate /nonexistent/cert.pem"), std::string::npos);
  o.tls_cert_file = tls_files().cert;
  o.tls_key_file = tls_files().cert;  // a certificate is not a key
  EXPECT_NE(create_error(o).find("TLS key " + tls_files().cert), std::string::npos);
  o.tls_key_file = tls_files().key;
  EXPECT_EQ(create_error(o), "ok");
  o.listen = {{"192.0.2.1", 80, false}};  // TEST-NET: not an address of this machine
  EXPECT_NE(create_error(o).find("listen 192.0.2.1:80: bind"), std::string::npos);
  HttpServerOptions no_handler;
  no_handler.listen = {{"127.0.0.1", 0, false}};
  auto s = HttpServer::create(no_handler, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("handler"), std::string::npos);
}

TEST(Create, NeverStartedServerIsDestroyedCleanly) {
  HttpServerOptions o;
  o.listen = {{"127.0.0.1", 0, false}, {"127.0.0.1", 0, false}};
  o.threads = 3;
  auto s = HttpServer::create(std::move(o), noop());
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ((*s)->bound_ports().size(), 2u);
  EXPECT_NE((*s)->bound_ports()[0], 0);
}

}  // namespace
}  // namespace vivarium::server::test
