// Nameserver and the resolv.conf reader, apart from the Resolver (dns.cc)
// so that code linked statically (the `vivarium run` CLI's socket policy)
// can send wire-format queries without pulling in getaddrinfo.
#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "host/net/dns.h"

namespace vivarium::net {

Result<Nameserver> Nameserver::parse(std::string_view text) {
  Nameserver ns;
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return Error(ErrorCode::Usage, "nameserver '" + std::string(text) + "': '[' without ']'");
    host = text.substr(0, close + 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return Error(ErrorCode::Usage, "nameserver '" + std::string(text) + "': expected ':PORT' after ']'");
      port = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  auto addr = IpAddress::parse(host);
  if (!addr) return Error(ErrorCode::Usage, "nameserver: " + addr.error().message());
  ns.addr = *addr;
  if (!port.empty() || text.ends_with(":")) {
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535)
      return Error(ErrorCode::Usage, "nameserver '" + std::string(text) + "': bad port '" + std::string(port) + "'");
    ns.port = static_cast<uint16_t>(p);
  }
  return ns;
}

std::string Nameserver::to_string() const {
  return (addr.v6 ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" + std::to_string(port);
}

std::vector<Nameserver> nameservers_from_resolv_conf(const std::string& path) {
  std::vector<Nameserver> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (!(words >> key >> value) || key != "nameserver") continue;
    // "fe80::1%eth0": the zone cannot be honoured here; skip such a line.
    if (auto ns = Nameserver::parse(value); ns.ok()) out.push_back(*ns);
  }
  if (out.empty()) out.push_back(Nameserver{*IpAddress::parse("127.0.0.1"), 53});
  return out;
}

}  // namespace vivarium::net
