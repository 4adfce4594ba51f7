// The gateway's tokens: who may open sockets through it, and where to. A
// token file holds one token a line, then the network grants of that token
// (host/net EgressPolicy syntax: "127.0.0.1:7000", "10.0.0.0/8",
// "example.com:443") and optionally "max=N", its own connection limit. As
// `vivarium run`'s --allow-* flags: a bare grant opens TCP connects,
// "udp:GRANT" UDP datagrams, "dns:NAME" name look-ups (whose answers keep
// only addresses a TCP or UDP grant admits) and "bind:GRANT" listening:
//
//   # token                          grants...
//   9f2c...e1  127.0.0.1:7000 udp:127.0.0.1:5353 dns:localhost max=20
//
// Blank lines and '#' comments are skipped. A token without grants reaches
// nothing (every connect is refused by policy).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "host/net/egress_policy.h"
#include "vivarium/error.h"

namespace vivarium::server::gateway {

struct TokenGrant {
  net::EgressPolicy policy;  // TCP connects
  net::EgressPolicy udp;     // UDP send_to
  net::EgressPolicy dns;     // names it may look up
  net::EgressPolicy bind;    // local addresses it may listen on
  size_t max_connections = 0;  // 0: only the gateway's own limit
};

class GatewayTokens {
 public:
  static Result<GatewayTokens> parse(std::string_view text, std::string_view source);
  static Result<GatewayTokens> load(const std::string& path);
  // Constant-time over the candidate tokens' bytes; null when none matches.
  const TokenGrant* find(std::string_view token) const;
  size_t size() const { return grants_.size(); }

 private:
  std::map<std::string, std::shared_ptr<const TokenGrant>, std::less<>> grants_;
};

}  // namespace vivarium::server::gateway
