// The socket gateway of `vivarium serve --gateway ADDR:PORT`: guests in a
// browser (bindings/browser, its socket extension) reach TCP servers through
// it, one WebSocket per guest socket, each socket operation a message:
//
//   GET /connect?host=IP&port=N&token=T   (or Authorization: Bearer T)
//     -> upgrade; the gateway checks the token and the token's network policy
//        (host/net EgressPolicy, the grants of --gateway-token-file), connects,
//        then sends the text message "connected IP:PORT"
//   binary message  <-> bytes sent / received on the TCP connection
//   text "shutdown"  -> the TCP connection's sending side is shut down
//
// Why a WebSocket ends is in its close code (the reason text says more):
//   4000 upstream closed (EOF)        4400 bad request (no host/port, not an IP)
//   4401 missing or wrong token       4403 denied by the token's policy
//   4429 connection limit reached     4502 upstream connect failed
//   1009 message too big
// Backpressure: one read outstanding per direction, the next only after the
// previous write finished -- a slow browser slows the upstream's reads, and a
// slow upstream stops the WebSocket's.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "server/gateway/gateway_tokens.h"
#include "server/http_server.h"
#include "vivarium/error.h"

namespace vivarium::server::gateway {

struct GatewayOptions {
  ListenSpec listen;
  GatewayTokens tokens;
  size_t max_connections = 1024;      // all tokens together
  size_t max_message_bytes = 1 << 20; // a bigger WebSocket message closes with 1009
  std::chrono::milliseconds connect_timeout{10000};
};

class Gateway {
 public:
  static Result<std::unique_ptr<Gateway>> create(GatewayOptions opts);
  ~Gateway();
  void start();   // serves on its own thread
  void stop();    // closes the listener and every socket, joins
  uint16_t port() const;
  size_t open_connections() const;

  struct State;

 private:
  explicit Gateway(std::shared_ptr<State> s) : state_(std::move(s)) {}
  std::shared_ptr<State> state_;
  std::thread thread_;
};

// `--gateway ADDR:PORT --gateway-token-file FILE`: parsed, loaded, bound and started.
Result<std::unique_ptr<Gateway>> start_from_options(const std::string& listen, const std::string& token_file);

}  // namespace vivarium::server::gateway
