// One grant of an EgressPolicy, parsed: a name, a wildcard suffix, or a
// network, with the ports it opens. Private to host/net.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "host/net/egress_policy.h"
#include "vivarium/error.h"

namespace vivarium::net {

struct PortRange {
  uint16_t lo = 1;
  uint16_t hi = 65535;
};

struct EgressRule {
  enum class Kind { Name, Suffix, Network };
  Kind kind = Kind::Name;
  std::string name;  // Name: the host; Suffix: "example.com" of "*.example.com"
  IpAddress network;
  unsigned prefix = 0;
  std::vector<PortRange> ports;  // empty: every port
  std::string text;              // normalized, for to_string()

  static Result<EgressRule> parse(std::string_view grant);
  bool port_ok(uint16_t port) const;  // port 0: any port of the rule
  bool matches_name(std::string_view normalized_host) const;
  bool contains(const IpAddress& addr) const;
};

// Lower-cases a host name, drops one final dot, and checks it is a DNS name
// (labels of letters, digits, '-' and '_', 1..63 bytes, 253 in all, the last
// label not all digits). Empty string when it is not.
std::string normalize_host_name(std::string_view host);

// "80", "8000-8100", "80,443"; an error says which part is wrong.
Result<std::vector<PortRange>> parse_ports(std::string_view text);

}  // namespace vivarium::net
