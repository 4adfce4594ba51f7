// Outbound HTTP for guests, on libcurl's multi interface: one thread drives
// every transfer, connections are pooled per origin, HTTP/1.1 and HTTP/2, TLS
// verified against the system CA store, a timeout per request. Every address
// curl connects to passes the request's EgressPolicy first (CURLOPT_OPENSOCKETFUNCTION),
// and only http/https are allowed.
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
  std::string method = "GET";
  std::string url;  // absolute http:// or https://
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};
};

struct OutboundResponse {
  int status = 0;
  Headers headers;  // in arrival order, names as received
  std::string body;
};

class OutboundClient {
 public:
  struct Options {
    size_t max_connections_per_host = 32;
    size_t max_total_connections = 1024;
    size_t max_response_bytes = 64 << 20;
    std::string ca_file;  // empty: the system CA store
  };
  explicit OutboundClient(Options opts);
  OutboundClient();
  ~OutboundClient();  // cancels what is in flight; their callbacks run with an error

  using Callback = std::function<void(Result<OutboundResponse>)>;
  // Starts a transfer; returns its id. `done` runs exactly once, on the
  // client's thread: the response, or an error (denied by policy, DNS,
  // connect, TLS, timeout, too large, cancelled) whose message says which.
  uint64_t start(OutboundRequest req, std::shared_ptr<const net::EgressPolicy> policy, Callback done);
  // Cancels a transfer; its callback still runs once, with an error.
  void cancel(uint64_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivarium::http
