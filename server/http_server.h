// The edge platform's HTTP front end: HTTP/1.1 (keep-alive, chunked bodies,
// Expect: 100-continue) on Boost.Beast, HTTP/2 with nghttp2 (h2c prior
// knowledge, and over TLS with ALPN), one io_context per worker thread, a
// thread per core. It parses, enforces the protocol limits, and hands each
// complete request to a Handler; it knows nothing of deployments.
//
// CONTRACT (lead, session 4): implemented on the serve-http branch; the
// control plane (server/ on serve-core) codes against it. Refine freely, but
// keep these names working or say what changed.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "host/terrarium/guest_runner.h"
#include "vivarium/error.h"

namespace vivarium::server {

struct ListenSpec {
  std::string host;  // "127.0.0.1", "::", "0.0.0.0"
  uint16_t port = 0; // 0: pick a free port (tests); see HttpServer::bound_ports
  bool tls = false;  // TLS (ALPN h2, http/1.1) with the server's certificate
};

struct HttpLimits {
  size_t max_header_bytes = 16 << 10;  // all header lines together; past it 431
  size_t max_headers = 100;            // past it 431
  size_t max_body_bytes = 8 << 20;     // past it 413 (checked on Content-Length and while streaming)
  std::chrono::milliseconds header_timeout{10000};  // slowloris: whole head within this
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive idle
  size_t max_connections = 10000;
};

struct HttpServerOptions {
  std::vector<ListenSpec> listen;
  std::string tls_cert_file, tls_key_file;  // PEM; needed when any ListenSpec has tls
  unsigned threads = 0;                     // 0: one per core
  HttpLimits limits;
  std::string server_name = "vivarium";
};

// One request as the handler sees it.
struct IncomingRequest {
  terrarium::HttpRequest request;  // method, origin-form target, headers (hop-by-hop removed), body, client_ip
  std::string host;                // Host / :authority without the port, lower-cased
  std::string protocol;            // "HTTP/1.1", "HTTP/2"
};

// Called once per request with the response; may be called from any thread.
using Respond = std::function<void(terrarium::HttpResponse)>;
// Called on the connection's worker (ex is that worker's executor). It must
// not block: long work runs on a fiber or another thread and calls respond later.
using Handler = std::function<void(boost::asio::any_io_executor ex, IncomingRequest req, Respond respond)>;

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> create(HttpServerOptions opts, Handler handler);
  ~HttpServer();
  // The ports actually bound, in ListenSpec order (for port 0).
  std::vector<uint16_t> bound_ports() const;
  // Starts the worker threads and returns.
  void start();
  // Stop accepting, let requests in flight finish (up to `grace`), then stop.
  void shutdown(std::chrono::milliseconds grace);
  // Blocks until shutdown completes.
  void wait();

  struct Impl;
 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivarium::server
