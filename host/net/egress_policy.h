// Egress policy: which hosts, addresses and ports a guest may reach. Deny by
// default. Shared by the edge platform (outbound HTTP, DNS hostcalls) and the
// WASI socket extension, so there is one place that decides.
//
// CONTRACT (lead, session 4): the serve-components branch implements this;
// host/http, host/terrarium and server code against it. Refine freely, but
// keep the names below working or say what changed.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vivarium/error.h"

namespace vivarium::net {

// An IPv4 or IPv6 address; IPv4-mapped IPv6 (::ffff:a.b.c.d) is normalized
// to IPv4 on construction so no rule can be bypassed through the mapping.
struct IpAddress {
  bool v6 = false;
  uint8_t bytes[16] = {};  // IPv4 uses bytes[0..3]
  static Result<IpAddress> parse(std::string_view text);
  static IpAddress from_sockaddr(const void* sockaddr);  // sockaddr_in / sockaddr_in6
  std::string to_string() const;
  bool is_loopback() const;
  bool is_private() const;  // RFC 1918, ULA, link-local, CGNAT, unspecified, multicast, ...
};

// One grant: "example.com", "*.example.com", "10.0.0.0/8", "127.0.0.1",
// "[::1]", each with an optional ":PORTS" ("80", "8000-8100", "80,443");
// no ports means every port.
struct EgressRule;

class EgressPolicy {
 public:
  EgressPolicy();  // denies everything
  ~EgressPolicy();
  EgressPolicy(const EgressPolicy&);
  EgressPolicy& operator=(const EgressPolicy&);
  // Parses grants; an error names the bad entry and why.
  static Result<EgressPolicy> parse(const std::vector<std::string>& grants);
  static EgressPolicy allow_all();  // for tests and trusted embeddings only

  // May the guest ask for this host name (DNS, or a URL's host) on this port?
  bool allows_name(std::string_view host, uint16_t port) const;
  // May the guest connect to this address on this port? Loopback and private
  // ranges need an address rule that covers them; a name rule alone never
  // admits them (a DNS answer cannot smuggle in a private address).
  bool allows_address(const IpAddress& addr, uint16_t port) const;
  // Both: the connection to `addr` was reached through the name `host`.
  bool allows(std::string_view host, const IpAddress& addr, uint16_t port) const;
  std::string to_string() const;  // for logs and `vivarium deployments`

 private:
  std::vector<std::shared_ptr<const EgressRule>> rules_;
};

}  // namespace vivarium::net
