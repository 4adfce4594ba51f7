// Many WebSocket sockets at once through the gateway, each to a loopback TCP
// echo server: a Beast client on one thread (no browser, whose pages cap
// their sockets at about 200) that opens every socket, waits until all are
// connected, then sends `rounds` messages on each, one at a time, checking
// each echo byte for byte and timing it. Used by unit_gateway (zero errors,
// every echo right) and bench/gateway (the figures).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vivarium::server::gateway::load {

// A TCP echo server on 127.0.0.1 (Asio, its own thread): any number of
// connections, each echoed until EOF.
class AsyncEcho {
 public:
  AsyncEcho();
  ~AsyncEcho();
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct Options {
  uint16_t gateway_port = 0;
  std::string target;      // "/connect?host=127.0.0.1&port=N&token=T"
  size_t sockets = 1000;
  size_t rounds = 5;
  size_t message_bytes = 64;
  // Called once every socket is connected (or failed), before the first
  // message: e.g. the gateway's open_connections(), to show they are all open.
  std::function<size_t()> at_all_connected;
};

struct Result {
  size_t connected = 0;        // sockets that got "connected"
  size_t open_at_start = 0;    // at_all_connected()'s answer
  size_t messages = 0;         // echoes received and equal to what was sent
  size_t errors = 0;           // failed sockets or wrong echoes
  std::vector<std::string> first_errors;  // up to 5, for the report
  double p50_ms = 0, p99_ms = 0, max_ms = 0, seconds = 0;
  std::string summary() const;  // one line: counts and latencies
};

Result run(const Options& o);

}  // namespace vivarium::server::gateway::load
