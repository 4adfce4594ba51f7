// The network capability of `vivarium run`: the --allow-connect,
// --allow-bind and --allow-dns grants as a wasi::SocketPolicy, decided by
// host/net's EgressPolicy. Nothing is allowed without a grant, loopback
// included.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "host/wasi/socket_policy.h"
#include "vivarium/error.h"

namespace vivarium::cli {

struct SocketGrants {
  // HOST|CIDR[:PORTS]; "udp:" before a grant opens it to UDP (connect and
  // send_to) instead of TCP, "tcp:" says TCP explicitly.
  std::vector<std::string> connect;
  std::vector<std::string> bind;  // ADDR|CIDR[:PORTS], TCP and UDP alike
  std::vector<std::string> dns;   // NAME or *.SUFFIX the guest may resolve
  bool debug_log = false;         // print refusals on stderr
};

// Without grants the policy denies everything (and still logs refusals); a
// Usage error names a bad grant.
Result<std::shared_ptr<const wasi::SocketPolicy>> make_socket_policy(const SocketGrants& g);

}  // namespace vivarium::cli
