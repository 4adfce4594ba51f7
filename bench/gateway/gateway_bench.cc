// The socket gateway with SOCKETS WebSockets open at once (default 1000),
// each to a loopback echo server, ROUNDS messages of BYTES each, one at a
// time per socket: one line with the counts and the latency of every
// message (p50/p99/max). Exits 1 on any error or wrong echo.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/gateway/gateway.h"
#include "tests/unit/gateway/ws_load.h"

using namespace vivarium::server::gateway;

int main(int argc, char** argv) {
  size_t sockets = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
  size_t rounds = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 5;
  size_t bytes = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 64;
  load::AsyncEcho echo;
  const std::string token = "bench-token-0123456789";
  GatewayOptions o;
  o.listen = {"127.0.0.1", 0, false};
  o.max_connections = sockets + 16;
  auto tokens = GatewayTokens::parse(token + " 127.0.0.1:" + std::to_string(echo.port()), "bench");
  if (!tokens.ok()) return std::fprintf(stderr, "%s\n", tokens.error().message().c_str()), 2;
  o.tokens = std::move(tokens).value();
  auto g = Gateway::create(std::move(o));
  if (!g.ok()) return std::fprintf(stderr, "%s\n", g.error().message().c_str()), 2;
  (*g)->start();
  load::Options lo;
  lo.gateway_port = (*g)->port();
  lo.target = "/connect?host=127.0.0.1&port=" + std::to_string(echo.port()) + "&token=" + token;
  lo.sockets = sockets;
  lo.rounds = rounds;
  lo.message_bytes = bytes;
  lo.at_all_connected = [gw = g->get()] { return gw->open_connections(); };
  load::Result r = load::run(lo);
  std::printf("gateway: %zu sockets x %zu messages of %zu bytes: %s\n", sockets, rounds, bytes, r.summary().c_str());
  for (const auto& e : r.first_errors) std::printf("  %s\n", e.c_str());
  (*g)->stop();
  return r.errors == 0 && r.messages == sockets * rounds ? 0 : 1;
}
