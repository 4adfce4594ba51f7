// The admin API, served on its own listener (--admin ADDR:PORT), every route
// but /healthz behind the bearer token of --admin-token-file (401 otherwise;
// /metrics too unless --metrics-public):
//
//   PUT    /deployments/NAME?ttl=5m&allow-host=H&...&LIMIT=VALUE   body: .wasm or .wat
//   POST   /deployments?name=NAME&...                              the same
//          (or Content-Type: application/json and a body {"name", "ttl",
//          "allow_hosts": [..], "limits": {..}, "wat": TEXT | "wasm_base64": B64})
//   GET    /deployments                 every deployment (JSON)
//   GET    /deployments/NAME            one deployment (JSON)
//   DELETE /deployments/NAME            undeploy (its KV namespace goes too)
//   GET    /deployments/NAME/logs?since=SEQ&limit=N&format=json|text
//   GET    /metrics                     Prometheus text format
//   GET    /healthz                     "ok"
//
// An upload is validated and compiled before anything changes; a bad one gets
// 400 with the error's message and location (offset, or line and column).
#pragma once
#include <string>

#include "host/terrarium/guest_runner.h"
#include "server/deployments.h"
#include "server/edge_metrics.h"
#include "server/log_ring.h"

namespace vivarium::server {

struct AdminRequest {
  std::string method;
  std::string target;  // path plus ?query
  terrarium::Headers headers;
  std::string body;
};

class AdminApi {
 public:
  struct Options {
    std::string token;            // required for every route but /healthz
    bool metrics_public = false;  // /metrics without the token
    DeploymentLimits default_limits;  // what an upload does not set
  };
  AdminApi(Deployments& deployments, LogRing& logs, EdgeMetrics& metrics, Options opts);
  // Synchronous (compiles uploads): run it off the HTTP workers.
  terrarium::HttpResponse handle(const AdminRequest& req);

 private:
  Deployments& deployments_;
  LogRing& logs_;
  EdgeMetrics& metrics_;
  Options opts_;
};

// Percent-decoded query parameters in order ("a=1&b=x%20y" -> (a,1),(b,x y)).
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);
std::string percent_encode(std::string_view s);

}  // namespace vivarium::server
