// A server on 127.0.0.1 (plain and TLS listeners, port 0) with an echo
// handler, and the clients the tests drive it with: raw sockets, curl and
// Python's http.client.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/access_log.h"
#include "server/http_server.h"
#include "server/metrics.h"

namespace vivarium::server::test {

// A self-signed certificate for 127.0.0.1/localhost, made once per process
// with the openssl CLI in a temporary directory.
struct TlsFiles {
  std::string cert, key;
};
const TlsFiles& tls_files();

// The echo handler's routes:
//   /echo          200, the request body back; x-method, x-target, x-host,
//                  x-protocol, x-request-id, x-body-length, x-headers (names seen, ',')
//   /later?ms=N    the same, answered after N ms from another thread
//   /drop          never answered (every Respond dropped): 500
//   /status/N      status N, body "status N"
//   /big?n=N       N bytes of 'x'
class TestServer {
 public:
  explicit TestServer(std::function<void(HttpServerOptions&)> tweak = {});
  ~TestServer();
  uint16_t port() const { return ports_[0]; }      // plain
  uint16_t tls_port() const { return ports_[1]; }  // TLS
  HttpServer& server() { return *server_; }
  std::vector<std::string> access_lines();  // flushed so far
  std::shared_ptr<MetricsRegistry> metrics;

 private:
  std::unique_ptr<HttpServer> server_;
  std::vector<uint16_t> ports_;
  std::shared_ptr<std::vector<std::string>> lines_;
  std::shared_ptr<std::mutex> lines_mu_;
  std::shared_ptr<AccessLog> log_;
};

// Connects to 127.0.0.1:port; -1 on failure.
int connect_to(uint16_t port);
// Sends everything; false if the peer closed.
bool send_all(int fd, std::string_view data);
// Reads until the peer closes or `timeout` passes; `closed` says which.
std::string read_until_close(int fd, std::chrono::milliseconds timeout, bool* closed = nullptr);
// Reads one response (head + Content-Length body) from fd.
struct RawResponse {
  int status = 0;
  std::string head, body;
  bool ok = false;
};
RawResponse read_response(int fd, std::string& carry, std::chrono::milliseconds timeout = std::chrono::seconds(5));
// Connect, send, read to close.
std::string exchange(uint16_t port, std::string_view data, std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Runs a command through /bin/sh; its stdout, and its exit status.
std::string run(const std::string& cmd, int* status = nullptr);
std::string header_of(std::string_view head, std::string_view name);  // case-insensitive, "" if absent

}  // namespace vivarium::server::test
