// The data plane: every request of the public listeners comes here. Routes by
// Host to a deployment (404 with a clear body when none), checks the
// deployment's request limits (413, 431), tags the request with an id, runs
// it on a fresh instance (terrarium::run_request), counts it and logs how the
// guest ended (trap, panic, timeout, ...) with deployment and request id.
#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "server/deployments.h"
#include "server/edge_metrics.h"
#include "server/http_server.h"
#include "server/log_ring.h"
#include "server/router.h"

namespace vivarium::server {

class EdgeHandler {
 public:
  EdgeHandler(Deployments& deployments, const Router& router, const terrarium::Services& services,
              EdgeMetrics& metrics, LogRing& logs);
  void handle(boost::asio::any_io_executor ex, IncomingRequest req, Respond respond);
  Handler handler() {
    return [this](boost::asio::any_io_executor ex, IncomingRequest req, Respond respond) {
      handle(std::move(ex), std::move(req), std::move(respond));
    };
  }

 private:
  std::string next_request_id();

  Deployments& deployments_;
  const Router& router_;
  const terrarium::Services& services_;
  EdgeMetrics& metrics_;
  LogRing& logs_;
  std::string id_prefix_;
  std::atomic<uint64_t> counter_{0};
};

// A text/plain response (404s, limit refusals).
terrarium::HttpResponse plain_response(uint16_t status, std::string body);

}  // namespace vivarium::server
