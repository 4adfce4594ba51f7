#include "cli/socket_policy_net.h"

#include <arpa/inet.h>
#include <sys/random.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "host/net/dns.h"
#include "host/net/dns_transport.h"
#include "host/net/dns_wire.h"
#include "host/net/egress_policy.h"
#include "host/net/egress_rule.h"

namespace vivarium::cli {
namespace {

uint16_t port_of(const sockaddr& sa) {
  if (sa.sa_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(sa).sin_port);
  if (sa.sa_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(sa).sin6_port);
  return 0;
}

sockaddr_storage to_sockaddr(const net::IpAddress& a) {
  sockaddr_storage ss{};
  if (a.v6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, a.bytes, 16);
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, a.bytes, 4);
  }
  return ss;
}

// Name resolution without NSS (the CLI is linked statically): /etc/hosts,
// then the nameservers of /etc/resolv.conf over the DNS wire format.
std::vector<net::IpAddress> hosts_file(const std::string& name) {
  std::vector<net::IpAddress> out;
  std::ifstream f("/etc/hosts");
  std::string line;
  while (std::getline(f, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream in(line);
    std::string addr, alias;
    if (!(in >> addr)) continue;
    while (in >> alias) {
      if (net::normalize_host_name(alias) != name) continue;
      if (auto a = net::IpAddress::parse(addr); a.ok()) out.push_back(*a);
    }
  }
  return out;
}

// Query ids an off-path attacker cannot guess (random() is unseeded).
uint16_t random_id() {
  uint16_t id = 0;
  if (::getrandom(&id, sizeof id, 0) != sizeof id) id = static_cast<uint16_t>(::time(nullptr));
  return id;
}

// The addresses a DNS answer gives for `name`, each passed to `keep` (which
// decides whether it stays).
void dns_lookup(const std::string& name, uint16_t qtype, const net::dns::AddressFilter& keep) {
  auto query = net::dns::build_query(random_id(), name, qtype);
  auto q = net::dns::parse_query(query);
  if (!q.ok()) return;
  // VIVARIUM_RESOLV_CONF names another resolv.conf (tests point it at a DNS
  // stub on loopback; "nameserver 127.0.0.1:5353" names a port).
  const char* conf = std::getenv("VIVARIUM_RESOLV_CONF");
  auto servers = net::nameservers_from_resolv_conf(conf ? conf : "/etc/resolv.conf");
  auto answer = net::dns::exchange(query, servers, std::chrono::milliseconds(5000));
  if (!answer.ok()) return;
  (void)net::dns::filter_response(*answer, *q, keep);
}

class NetSocketPolicy final : public wasi::SocketPolicy {
 public:
  NetSocketPolicy(net::EgressPolicy tcp, net::EgressPolicy udp, net::EgressPolicy bind, net::EgressPolicy dns,
                  bool debug)
      : tcp_(std::move(tcp)), udp_(std::move(udp)), bind_(std::move(bind)), dns_(std::move(dns)), debug_(debug) {}

  bool may_connect(const sockaddr& peer, wasi::SockKind kind) const override {
    const uint16_t port = port_of(peer);
    if (port == 0) return false;  // "port 0" would mean "any port" to the policy
    const net::EgressPolicy& p = kind == wasi::SockKind::Udp ? udp_ : tcp_;
    const net::IpAddress addr = net::IpAddress::from_sockaddr(&peer);
    if (p.allows_address(addr, port)) return true;
    // An address the guest got by resolving a name: the name's grant counts
    // (--allow-connect example.com:443 admits example.com's public addresses).
    std::lock_guard<std::mutex> lock(mu_);
    auto [lo, hi] = resolved_.equal_range(key(addr));
    for (auto it = lo; it != hi; ++it) {
      if (p.allows(it->second, addr, port)) return true;
    }
    return false;
  }
  bool may_bind(const sockaddr& local, wasi::SockKind) const override {
    return bind_.allows_bind(net::IpAddress::from_sockaddr(&local), port_of(local));
  }
  std::optional<std::vector<sockaddr_storage>> resolve(std::string_view name_in, int family) const override {
    std::string name = net::normalize_host_name(name_in);
    std::vector<sockaddr_storage> out;
    if (name.empty() || !dns_.allows_name(name, 0)) return std::nullopt;
    bool refused = false;
    // Only addresses some connect grant admits: an answer cannot smuggle in
    // a private address (DNS rebinding) the operator did not open.
    auto keep = [&](const net::IpAddress& a) {
      if (family == AF_INET && a.v6) return false;
      if (family == AF_INET6 && !a.v6) return false;
      const bool ok = tcp_.allows(name, a, 0) || udp_.allows(name, a, 0);
      if (ok) {
        out.push_back(to_sockaddr(a));
        remember(a, name);
      }
      refused |= !ok;
      return ok;
    };
    std::vector<net::IpAddress> local = hosts_file(name);
    if (name == "localhost" && local.empty()) local = {net::IpAddress::v4(0x7F000001)};
    for (const auto& a : local) keep(a);
    if (local.empty()) {
      if (family != AF_INET6) dns_lookup(name, net::dns::kTypeA, keep);
      if (family != AF_INET) dns_lookup(name, net::dns::kTypeAAAA, keep);
    }
    if (out.empty() && refused) return std::nullopt;
    return out;
  }
  void denied(const std::string& what) const override {
    if (debug_) std::fprintf(stderr, "debug: socket policy denied %s\n", what.c_str());
  }

 private:
  // A guest resolving names without end under a wildcard grant cannot grow
  // this without bound; past it, a new name's addresses stay unreachable.
  static constexpr size_t kMaxResolved = 4096;
  static std::string key(const net::IpAddress& a) {
    return std::string(reinterpret_cast<const char*>(a.bytes), a.size());
  }
  void remember(const net::IpAddress& a, const std::string& name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto [lo, hi] = resolved_.equal_range(key(a));
    for (auto it = lo; it != hi; ++it) {
      if (it->second == name) return;
    }
    if (resolved_.size() < kMaxResolved) resolved_.emplace(key(a), name);
  }

  net::EgressPolicy tcp_, udp_, bind_, dns_;
  bool debug_;
  // Address -> the names it was resolved from (only answers the policy kept).
  mutable std::mutex mu_;
  mutable std::multimap<std::string, std::string> resolved_;
};

}  // namespace

Result<std::shared_ptr<const wasi::SocketPolicy>> make_socket_policy(const SocketGrants& g) {
  std::vector<std::string> tcp, udp;
  for (const std::string& c : g.connect) {
    if (c.rfind("udp:", 0) == 0) udp.push_back(c.substr(4));
    else if (c.rfind("tcp:", 0) == 0) tcp.push_back(c.substr(4));
    else tcp.push_back(c);
  }
  auto parse = [](const char* flag, const std::vector<std::string>& grants) -> Result<net::EgressPolicy> {
    auto p = net::EgressPolicy::parse(grants);
    if (!p.ok()) return Error(ErrorCode::Usage, std::string(flag) + ": " + p.error().message());
    return p;
  };
  VIV_TRY_ASSIGN(net::EgressPolicy tcp_p, parse("--allow-connect", tcp));
  VIV_TRY_ASSIGN(net::EgressPolicy udp_p, parse("--allow-connect udp:", udp));
  VIV_TRY_ASSIGN(net::EgressPolicy bind_p, parse("--allow-bind", g.bind));
  VIV_TRY_ASSIGN(net::EgressPolicy dns_p, parse("--allow-dns", g.dns));
  return std::shared_ptr<const wasi::SocketPolicy>(std::make_shared<NetSocketPolicy>(
      std::move(tcp_p), std::move(udp_p), std::move(bind_p), std::move(dns_p), g.debug_log));
}

}  // namespace vivarium::cli
