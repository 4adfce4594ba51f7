// EgressPolicy: deny by default; names, networks and ports (see the header for
// the decisions about special ranges and DNS rebinding).
#include <algorithm>

#include "host/net/egress_rule.h"

namespace vivarium::net {

EgressPolicy::EgressPolicy() = default;
EgressPolicy::~EgressPolicy() = default;
EgressPolicy::EgressPolicy(const EgressPolicy&) = default;
EgressPolicy& EgressPolicy::operator=(const EgressPolicy&) = default;
EgressPolicy::EgressPolicy(EgressPolicy&&) noexcept = default;
EgressPolicy& EgressPolicy::operator=(EgressPolicy&&) noexcept = default;

Result<EgressPolicy> EgressPolicy::parse(const std::vector<std::string>& grants) {
  EgressPolicy p;
  for (const std::string& g : grants) {
    auto rule = EgressRule::parse(g);
    if (!rule) return std::move(rule).error();
    p.rules_.push_back(std::make_shared<const EgressRule>(std::move(*rule)));
  }
  return p;
}

EgressPolicy EgressPolicy::allow_all() {
  EgressPolicy p;
  p.allow_all_ = true;
  return p;
}

bool EgressPolicy::allows_name(std::string_view host, uint16_t port) const {
  if (auto ip = IpAddress::parse(host); ip.ok()) return allows_address(*ip, port);
  std::string name = normalize_host_name(host);
  if (name.empty()) return false;
  if (allow_all_) return true;
  return std::any_of(rules_.begin(), rules_.end(), [&](const auto& r) {
    return r->matches_name(name) && r->port_ok(port);
  });
}

bool EgressPolicy::allows_address(const IpAddress& addr, uint16_t port) const {
  if (addr.is_unspecified()) return false;  // connecting to 0.0.0.0 or :: reaches this host
  if (allow_all_) return true;
  int special = addr.special_range_prefix();
  return std::any_of(rules_.begin(), rules_.end(), [&](const auto& r) {
    if (!r->contains(addr) || !r->port_ok(port)) return false;
    // A special range is admitted only by a rule inside it: 0.0.0.0/0 means
    // the public internet, not the loopback or the LAN.
    return special < 0 || static_cast<int>(r->prefix) >= special;
  });
}

bool EgressPolicy::allows_bind(const IpAddress& addr, uint16_t port) const {
  if (allow_all_) return true;
  bool wildcard = addr.is_unspecified() && (addr.v6 || addr == IpAddress::v4(0));
  return std::any_of(rules_.begin(), rules_.end(), [&](const auto& r) {
    if (!r->contains(addr) || !r->port_ok(port)) return false;
    return !wildcard || r->prefix == addr.size() * 8;
  });
}

bool EgressPolicy::allows(std::string_view host, const IpAddress& addr, uint16_t port) const {
  if (allows_address(addr, port)) return true;
  // An IP literal is its own address: no name rule can stand in for it.
  if (addr.needs_address_grant() || IpAddress::parse(host).ok()) return false;
  return allows_name(host, port);
}

std::string EgressPolicy::to_string() const {
  if (allow_all_) return "(allow all)";
  if (rules_.empty()) return "(deny all)";
  std::string out;
  for (const auto& r : rules_) {
    if (!out.empty()) out += ", ";
    out += r->text;
  }
  return out;
}

}  // namespace vivarium::net
