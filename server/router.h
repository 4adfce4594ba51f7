// Host-based routing: "<name>.<domain>" for each configured domain, and
// "<name>.localhost" always, so `curl http://hello.localhost:8080/` works
// with no DNS set-up (curl and browsers resolve *.localhost to loopback).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vivarium::server {

class Router {
 public:
  // Domains as given (--domain edge.example.com); case and a trailing dot
  // are ignored. "localhost" is always added.
  explicit Router(std::vector<std::string> domains);
  // The deployment name a Host header names, or nullopt when the host is
  // under none of the domains or the part before it is not a single label.
  // `host` may carry a port and any case.
  std::optional<std::string> route(std::string_view host) const;
  const std::vector<std::string>& domains() const { return domains_; }

 private:
  std::vector<std::string> domains_;  // lower case, no trailing dot, longest first
};

}  // namespace vivarium::server
