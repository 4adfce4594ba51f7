// /resolve?name=NAME[&family=6]: the gateway looks the name up (host/net's
// Resolver: /etc/hosts, then DNS) under the token's grants, as `vivarium
// run` does under --allow-dns: the name needs a dns: grant, and the answer
// keeps only the addresses a TCP or UDP grant admits (so no answer smuggles
// in a private address: DNS rebinding). One text message, "addresses A B
// ...", then close 1000; or close 4403 (denied: the name, or every address
// of it), 4404 (the name does not resolve), 4502 (the look-up failed).
#include "server/gateway/gateway_session.h"

namespace vivarium::server::gateway {
namespace {

class ResolveSession final : public WsSession {
 public:
  using WsSession::WsSession;

  void start(const Query& q) override {
    auto it = q.find("name");
    std::string name = it == q.end() ? "" : it->second;
    if (name.empty()) return close(kBadRequest, "name= is missing");
    if (!grant_->dns.allows_name(name, 0)) return close(kDenied, "the token may not look up " + name);
    if (!take_slot()) return;
    auto fam = q.find("family");
    const bool v6 = fam != q.end() && fam->second == "6";
    // The resolver filters nothing (its own policy admits all); the grants
    // decide here, on the io thread.
    static const auto all = std::make_shared<const net::EgressPolicy>(net::EgressPolicy::allow_all());
    // The answer keeps the session alive; stop() drains it (the resolver goes first).
    auto self = std::static_pointer_cast<ResolveSession>(shared_from_this());
    g_->resolver->resolve(name, v6, all, [self, name](Result<std::vector<net::IpAddress>> r) {
      asio::post(self->g_->io, [self, name, r = std::move(r)]() mutable { self->answer(name, std::move(r)); });
    });
  }

 private:
  void answer(const std::string& name, Result<std::vector<net::IpAddress>> r) {
    if (closing()) return;
    if (!r.ok()) {
      return close(r.error().code() == ErrorCode::NotFound ? kNotFound : kConnectFailed, r.error().message());
    }
    std::string text = "addresses";
    size_t refused = 0;
    for (const auto& a : *r) {
      if (grant_->policy.allows(name, a, 0) || grant_->udp.allows(name, a, 0)) text += " " + a.to_string();
      else ++refused;
    }
    if (text == "addresses" && refused) return close(kDenied, "every address of " + name + " is outside the token's grants");
    send(true, std::move(text), [self = shared_from_this()] { self->close(1000, ""); });
  }
};

}  // namespace

std::shared_ptr<WsSession> make_resolve_session(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant) {
  return std::make_shared<ResolveSession>(std::move(g), std::move(ws), grant);
}

}  // namespace vivarium::server::gateway
