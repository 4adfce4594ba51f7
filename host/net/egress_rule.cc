// Parsing and matching of one egress grant.
#include "host/net/egress_rule.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace vivarium::net {
namespace {

Error bad(std::string_view grant, const std::string& why) {
  return Error(ErrorCode::Usage, "egress grant '" + std::string(grant) + "': " + why);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Only digits, dots and hex letters/x: something a lenient parser might read
// as an IPv4 number ("127.1", "0x7f.1", "2130706433", "0177.0.0.1").
bool looks_numeric(std::string_view s) {
  if (s.empty()) return false;
  bool digit = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') digit = true;
    else if (c != '.' && c != 'x' && c != 'X' && !((c | 0x20) >= 'a' && (c | 0x20) <= 'f')) return false;
  }
  return digit && (s.front() >= '0' && s.front() <= '9');
}

Result<unsigned> parse_uint(std::string_view s, unsigned max, const char* what) {
  unsigned v = 0;
  if (!all_digits(s) || s.size() > 5) return Error(ErrorCode::Usage, std::string("bad ") + what + " '" + std::string(s) + "'");
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v > max) return Error(ErrorCode::Usage, std::string(what) + " " + std::string(s) + " is above " + std::to_string(max));
  return v;
}

// Host bits below the prefix must be zero: "10.1.0.0/8" is a typo, not a grant.
bool host_bits_zero(const IpAddress& a, unsigned prefix) {
  for (unsigned bit = prefix; bit < a.size() * 8; ++bit)
    if (a.bytes[bit / 8] & (0x80 >> (bit % 8))) return false;
  return true;
}

}  // namespace

std::string normalize_host_name(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return {};
  std::string out;
  out.reserve(host.size());
  size_t label_start = 0;
  for (size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      size_t len = i - label_start;
      if (len == 0 || len > 63) return {};
      if (host[label_start] == '-' || host[i - 1] == '-') return {};
      if (i == host.size() && all_digits(host.substr(label_start, len))) return {};
      if (i < host.size()) out.push_back('.');
      label_start = i + 1;
      continue;
    }
    char c = host[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return {};
    out.push_back(c);
  }
  return out;
}

Result<std::vector<PortRange>> parse_ports(std::string_view text) {
  std::vector<PortRange> out;
  if (text.empty()) return Error(ErrorCode::Usage, "empty port list after ':'");
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) return Error(ErrorCode::Usage, "empty entry in port list '" + std::string(text) + "'");
    size_t dash = item.find('-');
    PortRange r;
    VIV_TRY_ASSIGN(unsigned lo, parse_uint(item.substr(0, dash), 65535, "port"));
    unsigned hi = lo;
    if (dash != std::string_view::npos) {
      VIV_TRY_ASSIGN(hi, parse_uint(item.substr(dash + 1), 65535, "port"));
    }
    if (lo == 0) return Error(ErrorCode::Usage, "port 0 cannot be granted");
    if (hi < lo) return Error(ErrorCode::Usage, "port range '" + std::string(item) + "' ends before it starts");
    r.lo = static_cast<uint16_t>(lo);
    r.hi = static_cast<uint16_t>(hi);
    out.push_back(r);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<EgressRule> EgressRule::parse(std::string_view grant) {
  EgressRule rule;
  if (grant.empty()) return bad(grant, "empty grant");
  std::string_view host = grant;
  std::string_view ports;
  bool has_ports = false;
  if (grant.front() == '[') {
    size_t close = grant.find(']');
    if (close == std::string_view::npos) return bad(grant, "'[' without ']'");
    host = grant.substr(0, close + 1);
    std::string_view rest = grant.substr(close + 1);
    // "[fd00::]/8" as well as "[fd00::/8]"
    if (!rest.empty() && rest.front() == '/') {
      size_t colon = rest.find(':');
      host = grant.substr(0, close + 1 + (colon == std::string_view::npos ? rest.size() : colon));
      rest = rest.substr(colon == std::string_view::npos ? rest.size() : colon);
    }
    if (!rest.empty()) {
      if (rest.front() != ':') return bad(grant, "expected ':PORTS' after ']'");
      ports = rest.substr(1);
      has_ports = true;
    }
  } else {
    size_t colons = std::count(grant.begin(), grant.end(), ':');
    if (colons == 1) {
      size_t colon = grant.find(':');
      host = grant.substr(0, colon);
      ports = grant.substr(colon + 1);
      has_ports = true;
    }
    // Two or more colons: bare IPv6 (ports need brackets).
  }
  if (has_ports) {
    auto p = parse_ports(ports);
    if (!p) return bad(grant, p.error().message());
    rule.ports = std::move(*p);
  }
  if (host.empty()) return bad(grant, "no host before ':'");

  // Strip brackets and find a "/prefix" inside or after them.
  std::string addr_text(host);
  std::string prefix_text;
  bool bracketed = false;
  if (addr_text.front() == '[') {
    bracketed = true;
    size_t close = addr_text.find(']');
    std::string after = addr_text.substr(close + 1);
    addr_text = addr_text.substr(1, close - 1);
    if (!after.empty()) prefix_text = after.substr(1);  // after == "/N"
  }
  size_t slash = addr_text.find('/');
  if (slash != std::string::npos) {
    if (!prefix_text.empty()) return bad(grant, "two prefix lengths");
    prefix_text = addr_text.substr(slash + 1);
    addr_text.resize(slash);
    if (prefix_text.empty()) return bad(grant, "empty prefix length after '/'");
  }
  bool is_network = bracketed || !prefix_text.empty() || addr_text.find(':') != std::string::npos;
  if (!is_network) {
    auto as_ip = IpAddress::parse(addr_text);
    is_network = as_ip.ok();
    if (!is_network && looks_numeric(addr_text))
      return bad(grant, "'" + addr_text + "' is not a dotted-quad IPv4 address (write four decimal octets, e.g. 127.0.0.1)");
  }

  if (is_network) {
    auto ip = IpAddress::parse(bracketed ? "[" + addr_text + "]" : addr_text);
    if (!ip) return bad(grant, ip.error().message());
    rule.kind = Kind::Network;
    rule.network = *ip;
    unsigned max = ip->v6 ? 128 : 32;
    rule.prefix = max;
    if (!prefix_text.empty()) {
      auto p = parse_uint(prefix_text, 128, "prefix length");
      if (!p) return bad(grant, p.error().message());
      unsigned prefix = *p;
      // "[::ffff:10.0.0.0]/104" was normalized to IPv4: the prefix follows.
      if (!ip->v6 && addr_text.find(':') != std::string::npos) {
        if (prefix < 96) return bad(grant, "an IPv4-mapped network needs a prefix of at least 96");
        prefix -= 96;
      }
      if (prefix > max) return bad(grant, "prefix length " + prefix_text + " is above " + std::to_string(max));
      rule.prefix = prefix;
    }
    if (!host_bits_zero(rule.network, rule.prefix))
      return bad(grant, "address has bits set below the /" + std::to_string(rule.prefix) + " prefix");
    rule.text = rule.network.v6 ? "[" + rule.network.to_string() + "]" : rule.network.to_string();
    if (rule.prefix != max) rule.text += "/" + std::to_string(rule.prefix);
  } else {
    std::string_view name = host;
    rule.kind = name.starts_with("*.") ? Kind::Suffix : Kind::Name;
    if (rule.kind == Kind::Suffix) name.remove_prefix(2);
    if (name.find('*') != std::string_view::npos)
      return bad(grant, "a wildcard may only be a whole first label, as in '*.example.com'");
    rule.name = normalize_host_name(name);
    if (rule.name.empty())
      return bad(grant, "'" + std::string(name) +
                            "' is not a host name (labels of letters, digits, '-', '_', at most 63 bytes each; "
                            "the last label not all digits)");
    if (rule.kind == Kind::Suffix && rule.name.find('.') == std::string::npos)
      return bad(grant, "a wildcard must cover a domain with at least two labels (not a whole top-level domain)");
    rule.text = (rule.kind == Kind::Suffix ? "*." : "") + rule.name;
  }
  if (!rule.ports.empty()) {
    rule.text += ":";
    for (size_t i = 0; i < rule.ports.size(); ++i) {
      if (i) rule.text += ",";
      rule.text += std::to_string(rule.ports[i].lo);
      if (rule.ports[i].hi != rule.ports[i].lo) rule.text += "-" + std::to_string(rule.ports[i].hi);
    }
  }
  return rule;
}

bool EgressRule::port_ok(uint16_t port) const {
  if (ports.empty() || port == 0) return true;
  for (const PortRange& r : ports)
    if (port >= r.lo && port <= r.hi) return true;
  return false;
}

bool EgressRule::matches_name(std::string_view host) const {
  switch (kind) {
    case Kind::Name:
      return host == name;
    case Kind::Suffix:
      return host.size() > name.size() + 1 && host.ends_with(name) &&
             host[host.size() - name.size() - 1] == '.';
    case Kind::Network:
      return false;
  }
  return false;
}

bool EgressRule::contains(const IpAddress& a) const {
  if (kind != Kind::Network || a.v6 != network.v6) return false;
  for (unsigned bit = 0; bit < prefix; ++bit) {
    uint8_t m = static_cast<uint8_t>(0x80 >> (bit % 8));
    if ((a.bytes[bit / 8] & m) != (network.bytes[bit / 8] & m)) return false;
  }
  return true;
}

}  // namespace vivarium::net
