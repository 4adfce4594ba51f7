#include "server/gateway/gateway_tokens.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

#include "server/admin_token.h"

namespace vivarium::server::gateway {

Result<GatewayTokens> GatewayTokens::parse(std::string_view text, std::string_view source) {
  GatewayTokens out;
  size_t line_no = 0;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string token;
    if (!(words >> token)) continue;
    auto where = [&] { return std::string(source) + ":" + std::to_string(line_no) + ": "; };
    if (token.size() < 16) return Error(ErrorCode::Usage, where() + "a gateway token needs at least 16 characters");
    std::vector<std::string> tcp, udp, dns, bind;
    auto grant = std::make_shared<TokenGrant>();
    for (std::string w; words >> w;) {
      if (w.rfind("max=", 0) == 0) {
        auto [p, ec] = std::from_chars(w.data() + 4, w.data() + w.size(), grant->max_connections);
        if (ec != std::errc() || p != w.data() + w.size() || grant->max_connections == 0)
          return Error(ErrorCode::Usage, where() + "max= needs a positive number, not '" + w.substr(4) + "'");
      } else if (w.rfind("udp:", 0) == 0) {
        udp.push_back(w.substr(4));
      } else if (w.rfind("dns:", 0) == 0) {
        dns.push_back(w.substr(4));
      } else if (w.rfind("bind:", 0) == 0) {
        bind.push_back(w.substr(5));
      } else {
        tcp.push_back(w);
      }
    }
    for (auto [list, out] : {std::pair{&tcp, &grant->policy}, {&udp, &grant->udp}, {&dns, &grant->dns}, {&bind, &grant->bind}}) {
      auto policy = net::EgressPolicy::parse(*list);
      if (!policy.ok()) return Error(ErrorCode::Usage, where() + policy.error().message());
      *out = std::move(policy).value();
    }
    if (!out.grants_.emplace(token, std::move(grant)).second)
      return Error(ErrorCode::Usage, where() + "the same token twice");
  }
  return out;
}

Result<GatewayTokens> GatewayTokens::load(const std::string& path) {
  std::ifstream f(path);
  if (!f) return Error(ErrorCode::NotFound, "--gateway-token-file " + path + ": cannot be read");
  std::stringstream s;
  s << f.rdbuf();
  return parse(s.str(), path);
}

const TokenGrant* GatewayTokens::find(std::string_view token) const {
  // Every candidate is compared in full (tokens_equal is constant-time), so
  // the time taken says nothing about which prefix was right.
  const TokenGrant* found = nullptr;
  for (const auto& [t, g] : grants_)
    if (tokens_equal(token, t)) found = g.get();
  return found;
}

}  // namespace vivarium::server::gateway
