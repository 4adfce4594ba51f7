// IpAddress: strict parsing (inet_pton only: no "127.1", no octal, no bare
// numbers), IPv4-mapped normalization, and the special-purpose ranges
// (IANA's IPv4 and IPv6 special-purpose address registries).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "host/net/egress_policy.h"

namespace vivarium::net {
namespace {

// ::ffff:a.b.c.d becomes a.b.c.d.
void normalize_mapped(IpAddress& a) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (a.v6 && std::memcmp(a.bytes, kMapped, 12) == 0) {
    uint8_t v4[4];
    std::memcpy(v4, a.bytes + 12, 4);
    std::memset(a.bytes, 0, sizeof a.bytes);
    std::memcpy(a.bytes, v4, 4);
    a.v6 = false;
  }
}

struct Range {
  uint8_t bytes[16];
  int prefix;
};

bool in_range(const IpAddress& a, const uint8_t* net, int prefix) {
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a.bytes, net, full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[full] & mask) == (net[full] & mask);
}

// Every IPv4 range that is not global unicast. Most specific first is not
// needed: they do not overlap.
constexpr Range kSpecialV4[] = {
    {{0, 0, 0, 0}, 8},        // "this network"; unspecified
    {{10, 0, 0, 0}, 8},       // RFC 1918
    {{100, 64, 0, 0}, 10},    // CGNAT (RFC 6598)
    {{127, 0, 0, 0}, 8},      // loopback
    {{169, 254, 0, 0}, 16},   // link-local
    {{172, 16, 0, 0}, 12},    // RFC 1918
    {{192, 0, 0, 0}, 24},     // IETF protocol assignments
    {{192, 0, 2, 0}, 24},     // TEST-NET-1
    {{192, 88, 99, 0}, 24},   // 6to4 relay anycast
    {{192, 168, 0, 0}, 16},   // RFC 1918
    {{198, 18, 0, 0}, 15},    // benchmarking
    {{198, 51, 100, 0}, 24},  // TEST-NET-2
    {{203, 0, 113, 0}, 24},   // TEST-NET-3
    {{224, 0, 0, 0}, 4},      // multicast
    {{240, 0, 0, 0}, 4},      // reserved, and 255.255.255.255 broadcast
};

// IPv6: most specific first, because ::/128 and ::1/128 sit inside ::/96.
constexpr Range kSpecialV6[] = {
    {{}, 128},                                             // :: unspecified
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128},  // ::1 loopback
    {{}, 96},                                              // ::a.b.c.d (IPv4-compatible, deprecated)
    {{0x00, 0x64, 0xff, 0x9b}, 96},                        // 64:ff9b::/96 NAT64
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48},            // 64:ff9b:1::/48 local NAT64
    {{0x01, 0x00}, 64},                                    // 100::/64 discard
    {{0x20, 0x01, 0x0d, 0xb8}, 32},                        // 2001:db8::/32 documentation
    {{0x20, 0x01}, 23},                                    // 2001::/23 IETF (Teredo, ORCHID, ...)
    {{0x20, 0x02}, 16},                                    // 2002::/16 6to4 (embeds IPv4)
    {{0xfc}, 7},                                           // fc00::/7 unique local
    {{0xfe, 0x80}, 10},                                    // fe80::/10 link-local
    {{0xfe, 0xc0}, 10},                                    // fec0::/10 site-local (deprecated)
    {{0xff}, 8},                                           // ff00::/8 multicast
};

}  // namespace

Result<IpAddress> IpAddress::parse(std::string_view text) {
  std::string_view inner = text;
  bool bracketed = !inner.empty() && inner.front() == '[';
  if (bracketed) {
    if (inner.size() < 2 || inner.back() != ']')
      return Error(ErrorCode::Usage, "'" + std::string(text) + "': unbalanced '[' in an IPv6 address");
    inner = inner.substr(1, inner.size() - 2);
  }
  if (inner.empty() || inner.size() > INET6_ADDRSTRLEN)
    return Error(ErrorCode::Usage, "'" + std::string(text) + "' is not an IP address");
  std::string s(inner);
  IpAddress a;
  if (!bracketed && inet_pton(AF_INET, s.c_str(), a.bytes) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes) == 1) {
    a.v6 = true;
    normalize_mapped(a);
    return a;
  }
  return Error(ErrorCode::Usage,
               "'" + std::string(text) + "' is not an IP address (IPv4 must be four decimal octets "
               "a.b.c.d; IPv6 as RFC 4291 text, optionally in brackets)");
}

IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress a;
  a.bytes[0] = static_cast<uint8_t>(host_order >> 24);
  a.bytes[1] = static_cast<uint8_t>(host_order >> 16);
  a.bytes[2] = static_cast<uint8_t>(host_order >> 8);
  a.bytes[3] = static_cast<uint8_t>(host_order);
  return a;
}

IpAddress IpAddress::from_sockaddr(const void* sockaddr) {
  IpAddress a;
  a.v6 = true;  // "::" unless the family is known: fails closed
  if (sockaddr == nullptr) return a;
  sa_family_t family;
  std::memcpy(&family, static_cast<const char*>(sockaddr) + offsetof(struct sockaddr, sa_family),
              sizeof family);
  if (family == AF_INET) {
    sockaddr_in sin;
    std::memcpy(&sin, sockaddr, sizeof sin);
    a.v6 = false;
    std::memcpy(a.bytes, &sin.sin_addr, 4);
  } else if (family == AF_INET6) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, sockaddr, sizeof sin6);
    std::memcpy(a.bytes, &sin6.sin6_addr, 16);
    normalize_mapped(a);
  }
  return a;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, buf, sizeof buf);
  return buf;
}

bool IpAddress::operator==(const IpAddress& o) const {
  return v6 == o.v6 && std::memcmp(bytes, o.bytes, size()) == 0;
}

int IpAddress::special_range_prefix() const {
  if (v6) {
    for (const Range& r : kSpecialV6)
      if (in_range(*this, r.bytes, r.prefix)) return r.prefix;
  } else {
    for (const Range& r : kSpecialV4)
      if (in_range(*this, r.bytes, r.prefix)) return r.prefix;
  }
  return -1;
}

bool IpAddress::is_loopback() const {
  static constexpr uint8_t kLoop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return v6 ? std::memcmp(bytes, kLoop6, 16) == 0 : bytes[0] == 127;
}

bool IpAddress::is_unspecified() const {
  static constexpr uint8_t kZero[16] = {};
  return v6 ? std::memcmp(bytes, kZero, 16) == 0 : bytes[0] == 0;
}

bool IpAddress::is_private() const { return !is_loopback() && special_range_prefix() >= 0; }

bool IpAddress::needs_address_grant() const { return special_range_prefix() >= 0; }

}  // namespace vivarium::net
