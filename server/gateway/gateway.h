// The socket gateway of `vivarium serve --gateway ADDR:PORT`: guests in a
// browser (bindings/browser, its socket extension) reach the network through
// it, one WebSocket per guest socket, each socket operation a message. Every
// request names its token (?token=T, or Authorization: Bearer T), whose
// grants (--gateway-token-file, gateway_tokens.h) decide what it may do:
//
//   /connect?host=IP&port=N   TCP (bare grants): "connected IP:PORT", then
//       binary messages <-> bytes; text "shutdown" shuts the sending side,
//       the upstream's EOF comes as text "eof"; both ended: close 4000
//   /udp                      UDP (udp: grants): binary datagrams behind a
//       6-byte peer header, each send answered "sent N" / "denied IP:PORT"
//   /resolve?name=NAME        a look-up (dns: grants; the answer keeps what
//       a TCP or UDP grant admits): "addresses A B ...", then close 1000
//   /listen?host=IP&port=N    a listener (bind: grants): "listening IP:PORT",
//       "accepted ID PEER" per connection; /accept?id=ID then carries it
//
// Why a WebSocket ends is in its close code (the reason text says more):
//   4000 upstream closed (EOF)        4400 bad request (no host/port, not an IP)
//   4401 missing or wrong token       4403 denied by the token's policy
//   4404 name not found / no such accepted connection
//   4429 connection limit reached     4502 upstream connect (or look-up) failed
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
