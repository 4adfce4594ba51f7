// The admin API's client for `vivarium deploy`, `deployments`, `undeploy` and
// `logs`: libcurl's easy interface, one request per call, the bearer token in
// the Authorization header.
#pragma once
#include <string>

#include "vivarium/error.h"

namespace vivarium::server {

struct AdminReply {
  long status = 0;
  std::string body;
};

class AdminClient {
 public:
  AdminClient(std::string server_url, std::string token);
  // `path` starts with '/', may carry a query. Connection failures are
  // errors naming the URL; any HTTP status is a reply.
  Result<AdminReply> request(const std::string& method, const std::string& path, const std::string& body = {});

 private:
  std::string base_, token_;
};

}  // namespace vivarium::server
