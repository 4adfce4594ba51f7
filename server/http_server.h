// The edge platform's HTTP front end: HTTP/1.1 (keep-alive, chunked bodies,
// Expect: 100-continue) on Boost.Beast, HTTP/2 with nghttp2 (h2c prior
// knowledge, and over TLS with ALPN), one io_context per worker thread, a
// thread per core. It parses, enforces the protocol limits, and hands each
// complete request to a Handler; it knows nothing of deployments.
//
// CONTRACT (lead, session 4): implemented on the serve-http branch; the
// control plane (server/ on serve-core) codes against it. Refine freely, but
// keep these names working or say what changed.
//
// Threads: each worker thread runs its own io_context and accepts on its own
// SO_REUSEPORT socket per ListenSpec, so a connection lives on one thread from
// accept to close and its state needs no lock. The handler runs on that
// thread; the Respond it gets may be called from any thread (it posts back).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "host/terrarium/guest_runner.h"
#include "vivarium/error.h"

namespace vivarium::server {

class AccessLog;
class MetricsRegistry;

struct ListenSpec {
  std::string host;  // "127.0.0.1", "::", "0.0.0.0"
  uint16_t port = 0; // 0: pick a free port (tests); see HttpServer::bound_ports
  bool tls = false;  // TLS (ALPN h2, http/1.1) with the server's certificate
};

struct HttpLimits {
  size_t max_header_bytes = 16 << 10;  // request line plus all header lines; past it 431
  size_t max_headers = 100;            // past it 431
  size_t max_body_bytes = 8 << 20;     // past it 413 (checked on Content-Length and while streaming)
  std::chrono::milliseconds header_timeout{10000};  // slowloris: whole head (and TLS handshake) within this
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive idle; also each body read and each write
  size_t max_connections = 10000;                   // over it a new connection is closed at once
  uint32_t max_concurrent_streams = 100;            // HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS
};

struct HttpServerOptions {
  std::vector<ListenSpec> listen;
  std::string tls_cert_file, tls_key_file;  // PEM; needed when any ListenSpec has tls
  unsigned threads = 0;                     // 0: one per core
  HttpLimits limits;
  std::string server_name = "vivarium";     // the Server header; empty: none
  // Optional: one line per request (server/access_log.h), and the
  // vivarium_http_* metrics (server/metrics.h). Shared so that a Respond
  // called after the server is gone still finds them alive.
  std::shared_ptr<AccessLog> access_log;
  std::shared_ptr<MetricsRegistry> metrics;
  // Server-side events worth an operator's attention (TLS set-up, accept
  // errors); null: stderr.
  std::function<void(const std::string&)> log;
};

// One request as the handler sees it.
struct IncomingRequest {
  terrarium::HttpRequest request;  // method, origin-form target, headers (hop-by-hop removed), body,
                                   // client_ip, request_id (16 hex digits, also in the access log)
  std::string host;                // Host / :authority without the port, lower-cased
  std::string protocol;            // "HTTP/1.0", "HTTP/1.1", "HTTP/2"
  bool tls = false;                // arrived over TLS
  // A guest thread of the connection's worker, at a lower OS priority, for
  // work that computes for long (EdgeHandler runs heavy deployments there);
  // empty when the listener has none (then use the handler's executor).
  boost::asio::any_io_executor compute;
};

// Delivers the response of one request. Copyable; the first call wins, later
// ones are ignored. May be called from any thread: it posts the response to
// the connection's worker. If every copy is dropped without a call, the
// client gets a 500 (a handler bug must not leave a connection hanging).
// The server sets Content-Length, Date and Server (unless the handler set
// the latter two) and drops hop-by-hop and malformed response headers.
class Respond {
 public:
  struct State;
  Respond() = default;
  explicit Respond(std::shared_ptr<State> state) : state_(std::move(state)) {}
  // Any callable taking the response (tests of a Handler, adapters): it is
  // called directly, on the responding thread, at most once.
  template <class F>
    requires(std::is_invocable_v<F&, terrarium::HttpResponse> && !std::is_same_v<std::decay_t<F>, Respond>)
  Respond(F f) : state_(make_state(std::function<void(terrarium::HttpResponse)>(std::move(f)))) {}
  void operator()(terrarium::HttpResponse response) const;
  // Names the deployment that served the request, for the access log and the
  // metrics' `deployment` label. Call before responding.
  void set_deployment(std::string name) const;
  explicit operator bool() const { return state_ != nullptr; }
  // What to do if the client goes away before the response (HTTP/1.x: the
  // connection closed; HTTP/2: the stream was reset or the connection
  // closed), e.g. stop the guest. Call it from the handler, on its thread;
  // it runs at most once, on that thread, and never after a response.
  void on_cancel(std::function<void()> cancel) const;
  // The deployment named by set_deployment ("" if none).
  std::string deployment() const;

 private:
  static std::shared_ptr<State> make_state(std::function<void(terrarium::HttpResponse)> sink);
  friend class ConnectionBase;  // keeps a weak_ptr to its requests' state to cancel them
  std::shared_ptr<State> state_;
};

// Called on the connection's worker (ex is that worker's executor). It must
// not block: long work runs on a fiber or another thread and calls respond later.
using Handler = std::function<void(boost::asio::any_io_executor ex, IncomingRequest req, Respond respond)>;

class HttpServer {
 public:
  // Binds every listener (errors name the address) and loads the TLS
  // certificate; no thread runs until start().
  static Result<std::unique_ptr<HttpServer>> create(HttpServerOptions opts, Handler handler);
  ~HttpServer();  // shutdown(0) and wait() if still running
  // The ports actually bound, in ListenSpec order (for port 0).
  std::vector<uint16_t> bound_ports() const;
  // Starts the worker threads and returns.
  void start();
  // Stop accepting, let requests in flight finish (up to `grace`), close idle
  // keep-alive connections (HTTP/2: GOAWAY), then stop. Any thread; returns at once.
  void shutdown(std::chrono::milliseconds grace);
  // Blocks until shutdown completes.
  void wait();
  // Open connections right now, over all workers.
  size_t connections() const;

  struct Impl;
 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivarium::server
