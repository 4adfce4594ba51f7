// A `vivarium serve` child on 127.0.0.1 for `vivarium dev` and `vivarium
// test`: free ports (or the ones asked for), a --data directory, and
// deployments through `vivarium deploy` and the admin API, as a person would
// do by hand. Plus the small HTTP/1.1 client the tests need (the static CLI
// links no HTTP library).
#pragma once
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "vivarium/error.h"

namespace vivarium::cli {

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  // The first value of a header (name in lower case), or nullptr.
  const std::string* header(const std::string& name) const;
};

// One request on a fresh connection (Connection: close) to 127.0.0.1:port.
Result<HttpReply> http_request(int port, const std::string& host, const std::string& method,
                               const std::string& target,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               const std::string& body, int timeout_ms = 30000);

class LocalServer {
 public:
  LocalServer() = default;
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;
  ~LocalServer() { stop(); }

  // Starts `vivarium serve` (this executable) with its log in data_dir/serve.log
  // and waits until its admin API answers /healthz. port 0: a free port.
  Result<void> start(const std::string& data_dir, int port, const std::string& log_level);
  // `vivarium deploy module --name name [extra...]` against this server.
  Result<void> deploy(const std::string& module, const std::string& name, const std::vector<std::string>& extra);
  void stop();

  int port() const { return port_; }
  const std::string& log_path() const { return log_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int admin_ = 0;
  std::string data_;
  std::string log_;
};

// A port on 127.0.0.1 free right now.
int free_port();

}  // namespace vivarium::cli
