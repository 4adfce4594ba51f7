#include "server/router.h"

#include <algorithm>
#include <cctype>

namespace vivarium::server {

namespace {

std::string normalize(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// "host:port" -> "host"; "[v6]:port" is an address, never a deployment.
std::string_view strip_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') return {};
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

}  // namespace

Router::Router(std::vector<std::string> domains) {
  for (const auto& d : domains) {
    std::string n = normalize(d);
    while (!n.empty() && n.front() == '.') n.erase(n.begin());
    if (!n.empty() && std::find(domains_.begin(), domains_.end(), n) == domains_.end()) domains_.push_back(n);
  }
  if (std::find(domains_.begin(), domains_.end(), "localhost") == domains_.end()) domains_.push_back("localhost");
  // Longest first: with "example.com" and "edge.example.com", the host
  // "a.edge.example.com" is deployment "a" of the more specific domain.
  // The names are distinct, so (length, name) is a total order and plain
  // sort is deterministic (libstdc++ 12's stable_sort trips a deprecation
  // warning under clang 19).
  std::sort(domains_.begin(), domains_.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
}

std::optional<std::string> Router::route(std::string_view raw_host) const {
  std::string host = normalize(strip_port(raw_host));
  for (const auto& domain : domains_) {
    if (host.size() <= domain.size() + 1) continue;
    size_t dot = host.size() - domain.size() - 1;
    if (host[dot] != '.' || host.compare(dot + 1, std::string::npos, domain) != 0) continue;
    std::string name = host.substr(0, dot);
    if (name.find('.') != std::string::npos) return std::nullopt;
    return name;
  }
  return std::nullopt;
}

}  // namespace vivarium::server
