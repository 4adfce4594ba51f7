// Egress policy: which hosts, addresses and ports a guest may reach. Deny by
// default. Shared by the edge platform (outbound HTTP, DNS hostcalls) and the
// WASI socket extension, so there is one place that decides.
//
// Grants ("rules"), each with an optional ":PORTS" ("80", "8000-8100",
// "80,443", "80,8000-8100"; no ports means every port):
//   example.com          exactly that name (case-insensitive, a final dot ignored)
//   *.example.com        every name below example.com, not example.com itself
//   10.0.0.0/8, 127.0.0.1, [::1], [fd00::/8]   an address or a network
//   fd00::/8, ::1        IPv6 without brackets only when no ports follow
// Only strict forms are accepted: "127.1", "0177.0.0.1", "2130706433" and
// "0x7f000001" are errors, not addresses (resolvers and URL parsers disagree
// on them, which is how filters get bypassed).
//
// Decisions:
//  * A name rule admits a name, and the public (global unicast) addresses it
//    resolves to. Loopback and special ranges (RFC 1918, CGNAT, link-local,
//    ULA, multicast, documentation, NAT64/6to4/Teredo, ...) need an ADDRESS
//    rule that lies inside that range: "10.0.0.0/8" admits 10.1.2.3, but
//    "0.0.0.0/0" (the public internet) admits neither 10.1.2.3 nor 127.0.0.1.
//    So a DNS answer can never smuggle in a private address (DNS rebinding).
//  * The unspecified addresses (0.0.0.0/8, ::) are never admitted: connecting
//    to them reaches the local host.
//  * IPv4-mapped IPv6 (::ffff:a.b.c.d) is normalized to IPv4 everywhere.
//  * A name whose last label is all digits is never a name (it is a number
//    some parsers read as an address), so allows_name refuses it.
//
// Thread-safety: a policy is immutable after parse(); share it freely.
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
  // "1.2.3.4", "::1" or "[::1]" (strict dotted-quad; no zone ids).
  static Result<IpAddress> parse(std::string_view text);
  static IpAddress v4(uint32_t host_order);
  // sockaddr_in / sockaddr_in6; any other family gives "::" (never admitted).
  static IpAddress from_sockaddr(const void* sockaddr);
  std::string to_string() const;  // "1.2.3.4" or "2001:db8::1" (no brackets)
  bool is_loopback() const;       // 127.0.0.0/8, ::1
  bool is_unspecified() const;    // 0.0.0.0/8, ::
  // RFC 1918, ULA, link-local, CGNAT, unspecified, multicast, documentation,
  // benchmarking, reserved, NAT64, 6to4, Teredo: everything that is neither
  // loopback nor global unicast.
  bool is_private() const;
  // Loopback or private: reachable only through an address rule inside its range.
  bool needs_address_grant() const;
  // The prefix length of the special range holding this address (e.g. 8 for
  // 10.1.2.3), or -1 for a global unicast address.
  int special_range_prefix() const;
  size_t size() const { return v6 ? 16 : 4; }
  bool operator==(const IpAddress& o) const;
};

// One grant (see above). Defined in host/net/egress_rule.h.
struct EgressRule;

class EgressPolicy {
 public:
  EgressPolicy();  // denies everything
  ~EgressPolicy();
  EgressPolicy(const EgressPolicy&);
  EgressPolicy& operator=(const EgressPolicy&);
  EgressPolicy(EgressPolicy&&) noexcept;
  EgressPolicy& operator=(EgressPolicy&&) noexcept;
  // Parses grants; an error (ErrorCode::Usage) names the bad entry and why.
  static Result<EgressPolicy> parse(const std::vector<std::string>& grants);
  static EgressPolicy allow_all();  // for tests and trusted embeddings only

  // May the guest ask for this host name (DNS, or a URL's host) on this port?
  // An IP literal ("1.2.3.4", "[::1]", "::1") is judged as allows_address.
  // Port 0 means "on some port" (a DNS look-up has none).
  bool allows_name(std::string_view host, uint16_t port) const;
  // May the guest connect to this address on this port? Only address rules
  // count. Port 0 means "on some port".
  bool allows_address(const IpAddress& addr, uint16_t port) const;
  // May the guest bind (listen or send from) this local address and port?
  // Any address rule covering it admits it (binding is local: the special
  // ranges need no rule inside them), but the wildcard addresses 0.0.0.0 and
  // :: only through a rule naming exactly them ("0.0.0.0:8080", "[::]:8080").
  // For the WASI socket extension's --allow-bind.
  bool allows_bind(const IpAddress& addr, uint16_t port) const;
  // The connection to `addr` was reached through the name `host`: an address
  // rule admits it, or a name rule admits `host` and `addr` is global unicast.
  bool allows(std::string_view host, const IpAddress& addr, uint16_t port) const;
  bool empty() const { return rules_.empty() && !allow_all_; }
  std::string to_string() const;  // "example.com:443, 10.0.0.0/8" or "(deny all)"

 private:
  std::vector<std::shared_ptr<const EgressRule>> rules_;
  bool allow_all_ = false;
};

}  // namespace vivarium::net
