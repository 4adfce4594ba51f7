// 1,000 WebSocket sockets open at once through the gateway, each to the
// loopback echo server, 5 messages each: no errors, every echo right. The
// latencies are printed (reported, not judged: the machine is shared).
#include "tests/unit/gateway/gateway_fixture.h"
#include "tests/unit/gateway/ws_load.h"

namespace vivarium::server::gateway {
namespace {

TEST_F(GatewayTest, AThousandSocketsAtOnceEchoEveryMessage) {
  load::AsyncEcho echo;
  // kToken's grant is the fixture's echo port; this echo needs its own token.
  GatewayOptions o;
  o.listen = {"127.0.0.1", 0, false};
  o.tokens = *GatewayTokens::parse(std::string(kToken) + " 127.0.0.1:" + std::to_string(echo.port()), "test");
  auto g = Gateway::create(std::move(o));
  ASSERT_TRUE(g.ok()) << g.error().message();
  (*g)->start();
  load::Options lo;
  lo.gateway_port = (*g)->port();
  lo.target = "/connect?host=127.0.0.1&port=" + std::to_string(echo.port()) + "&token=" + kToken;
  lo.sockets = 1000;
  lo.rounds = 5;
  lo.at_all_connected = [gw = g->get()] { return gw->open_connections(); };
  load::Result r = load::run(lo);
  std::printf("gateway load: %s\n", r.summary().c_str());
  for (const auto& e : r.first_errors) std::printf("  %s\n", e.c_str());
  EXPECT_EQ(r.connected, 1000u);
  EXPECT_EQ(r.open_at_start, 1000u);  // all open at once
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(r.messages, 5000u);
  (*g)->stop();
}

}  // namespace
}  // namespace vivarium::server::gateway
