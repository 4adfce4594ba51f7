// Outbound HTTP for guests, on libcurl's multi interface: one thread drives
// every transfer, connections are pooled per origin, HTTP/1.1 and HTTP/2
// (h2 over TLS by ALPN), TLS verified against the system CA store, a timeout
// per request, a cap on the response body. Only http and https; redirects are
// never followed (the guest sees the 3xx); proxies from the environment are
// ignored. The policy is enforced on the URL's host up front (allows_name),
// on every address curl connects to (CURLOPT_OPENSOCKETFUNCTION) and on the
// connection a transfer actually uses, new or reused from the pool
// (CURLOPT_PREREQFUNCTION), so a connection opened under one policy never
// serves a request whose policy denies its address.
//
// The request goes out as the guest wrote it: curl adds Host (and
// Content-Length for a body) but no Accept, Expect or Content-Type of its own.
// Headers that frame the message or manage the connection (Transfer-Encoding,
// Connection, Keep-Alive, Upgrade, TE, Proxy-Connection, HTTP2-Settings) are
// refused: on a pooled connection shared with other guests they would allow
// request smuggling. Content-Length must match the body; Host must name the
// URL's host (the policy checked that one).
//
// Errors (each message starts with "METHOD URL: "):
//   Unsupported  "denied: ..." (the egress policy refused the name or address)
//   Usage        bad URL, scheme, method or header
//   NotFound     the name does not resolve
//   DeadlineExceeded  the request's timeout passed
//   LimitExceeded     the response body passed max_response_bytes
//   Io           connect, TLS ("TLS: ..."), protocol errors; "cancelled";
//                "the client is shutting down"
//
// CONTRACT (lead, session 4): implemented on the serve-components branch.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/net/egress_policy.h"
#include "vivarium/error.h"

namespace vivarium::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct OutboundRequest {
  std::string method = "GET";  // an RFC 9110 token; CONNECT is refused
  std::string url;  // absolute http:// or https://
  Headers headers;  // names are tokens; values hold no CR, LF or NUL
  std::string body;
  std::chrono::milliseconds timeout{30000};  // the whole transfer; at least 1 ms
};

struct OutboundResponse {
  int status = 0;
  Headers headers;  // in arrival order, names as received (of the final response, not a 1xx)
  std::string body;
  int http_version = 0;  // 10, 11, 20 (from the status line)
};

class OutboundClient {
 public:
  struct Options {
    // HTTP/1.1 needs one connection per request in flight: 1,000 guests
    // waiting on one upstream need 1,000 connections (raise RLIMIT_NOFILE).
    size_t max_connections_per_host = 1024;
    size_t max_total_connections = 4096;
    size_t max_response_bytes = 64 << 20;
    std::string ca_file;  // empty: the system CA store
  };
  explicit OutboundClient(Options opts);
  OutboundClient();
  // Cancels what is in flight; their callbacks run with an error. Must not
  // run on the client's own thread (from one of its callbacks).
  ~OutboundClient();
  OutboundClient(const OutboundClient&) = delete;
  OutboundClient& operator=(const OutboundClient&) = delete;

  using Callback = std::function<void(Result<OutboundResponse>)>;
  // Starts a transfer; returns its id (never 0). `done` runs exactly once, on
  // the client's thread: the response, or an error (denied by policy, DNS,
  // connect, TLS, timeout, too large, cancelled) whose message says which.
  // Thread-safe; may be called from a callback. A null policy denies everything.
  uint64_t start(OutboundRequest req, std::shared_ptr<const net::EgressPolicy> policy, Callback done);
  // Cancels a transfer; its callback still runs once, with an error. An id
  // that already finished (or never existed) is ignored. Thread-safe.
  void cancel(uint64_t id);
  // Transfers started and not yet finished (for metrics).
  size_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivarium::http
