// The gateway end to end on 127.0.0.1: a Beast WebSocket client, an echo
// server on its own thread.
#include "tests/unit/gateway/gateway_fixture.h"

namespace vivarium::server::gateway {
namespace {

TEST_F(GatewayTest, CarriesBytesBothWays) {
  auto s = open(target(echo_.port()));
  beast::flat_buffer b;
  s->read(b);
  EXPECT_EQ(beast::buffers_to_string(b.data()), "connected 127.0.0.1:" + std::to_string(echo_.port()));
  b.consume(b.size());
  s->binary(true);
  s->write(asio::buffer(std::string("ping")));
  std::string got;
  while (got.size() < 4) {
    s->read(b);
    got += beast::buffers_to_string(b.data());
    b.consume(b.size());
  }
  EXPECT_EQ(got, "ping");
  EXPECT_EQ(gw_->open_connections(), 1u);
  s->close(ws::close_code::normal);
}

TEST_F(GatewayTest, CloseCodesSayWhy) {
  EXPECT_EQ(close_code(*open(target(echo_.port(), "wrong-token-0123456789"))), 4401);
  EXPECT_EQ(close_code(*open(target(static_cast<uint16_t>(echo_.port() + 1)))), 4403);
  EXPECT_EQ(close_code(*open("/connect?host=localhost&port=80&token=" + std::string(kToken))), 4400);
  EXPECT_EQ(close_code(*open("/connect?host=127.0.0.1&port=0&token=" + std::string(kToken))), 4400);
  EXPECT_EQ(close_code(*open("/elsewhere?host=127.0.0.1&port=1&token=" + std::string(kToken))), 4400);
}

TEST_F(GatewayTest, TheTokensLimitHolds) {
  auto first = open(target(echo_.port(), kLimited));
  beast::flat_buffer b;
  first->read(b);  // connected
  EXPECT_EQ(close_code(*open(target(echo_.port(), kLimited))), 4429);
  first->close(ws::close_code::normal);
}

TEST_F(GatewayTest, PlainHttpGets426) {
  tcp::socket s(io_);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), gw_->port()));
  asio::write(s, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::string reply;
  char buf[512];
  beast::error_code ec;
  for (size_t n; (n = s.read_some(asio::buffer(buf), ec)) > 0 && !ec;) reply.append(buf, n);
  EXPECT_EQ(reply.rfind("HTTP/1.1 426", 0), 0u) << reply;
}

}  // namespace
}  // namespace vivarium::server::gateway
