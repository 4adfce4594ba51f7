// /listen?host=IP&port=N: a TCP listener on the gateway's host, where the
// token's bind: grants allow it. Text messages only: "listening IP:PORT",
// then "accepted ID PEER:PORT" for each connection; the browser takes one
// with a WebSocket to /accept?id=ID (same token), which then carries its
// bytes as /connect does. A connection not taken goes when its listener does.
// Backpressure: the next accept only once the last one was announced; past
// kMaxWaiting connections not yet taken, new ones are closed at once.
#include <set>

#include "server/gateway/gateway_session.h"

namespace vivarium::server::gateway {
namespace {

constexpr size_t kMaxWaiting = 64;

class ListenSession final : public WsSession {
 public:
  ListenSession(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant)
      : WsSession(std::move(g), std::move(ws), grant), acceptor_(g_->io) {}
  ~ListenSession() override { drop_waiting(); }

  void start(const Query& q) override {
    auto host = q.find("host");
    uint16_t port = query_port(q);
    auto ip = net::IpAddress::parse(host == q.end() ? "" : host->second);
    if (!ip.ok()) return close(kBadRequest, "host must be an IP address: " + ip.error().message());
    if (port == 0) return close(kBadRequest, "port must be 1..65535");
    std::string where = ip->to_string() + ":" + std::to_string(port);
    if (!grant_->bind.allows_bind(*ip, port)) return close(kDenied, "the token may not listen on " + where);
    if (!take_slot()) return;
    tcp::endpoint ep(to_asio(*ip), port);
    beast::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return close(kConnectFailed, "listen " + where + ": " + ec.message());
    send(true, "listening " + where, [self = self()] {
      self->accept_next();
      self->read_ws();
    });
  }

 private:
  std::shared_ptr<ListenSession> self() { return std::static_pointer_cast<ListenSession>(shared_from_this()); }

  void release() override {
    beast::error_code ignored;
    acceptor_.close(ignored);
    drop_waiting();
  }

  void drop_waiting() {
    for (uint64_t id : waiting_) g_->pending_accepts.erase(id);
    waiting_.clear();
  }

  void accept_next() {
    acceptor_.async_accept([self = self()](beast::error_code ec, tcp::socket s) {
      if (ec) return self->close(kUpstreamClosed, "accept: " + ec.message());
      std::erase_if(self->waiting_, [&](uint64_t id) { return !self->g_->pending_accepts.count(id); });  // taken
      if (self->waiting_.size() >= kMaxWaiting) {
        beast::error_code ignored;
        s.close(ignored);
        return self->accept_next();
      }
      beast::error_code pe;
      auto peer = s.remote_endpoint(pe);
      uint64_t id = self->g_->next_accept_id++;
      self->g_->pending_accepts.emplace(id, Gateway::State::Accepted{self->grant_, std::move(s)});
      self->waiting_.insert(id);
      std::string who = pe ? "?" : from_asio(peer.address()).to_string() + ":" + std::to_string(peer.port());
      self->send(true, "accepted " + std::to_string(id) + " " + who, [self] { self->accept_next(); });
    });
  }

  // The browser says nothing on a listener; a read notices it going away.
  void read_ws() {
    ws_.async_read(ws_buf_, [self = self()](beast::error_code ec, size_t) {
      self->ws_buf_.consume(self->ws_buf_.size());
      if (ec) return self->release();
      self->read_ws();
    });
  }

  tcp::acceptor acceptor_;
  beast::flat_buffer ws_buf_;
  std::set<uint64_t> waiting_;  // ids of ours still in pending_accepts
};

}  // namespace

std::shared_ptr<WsSession> make_listen_session(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant) {
  return std::make_shared<ListenSession>(std::move(g), std::move(ws), grant);
}

Result<tcp::socket> take_accepted(Gateway::State& g, const Query& q, const TokenGrant* grant) {
  auto it = q.find("id");
  uint64_t id = 0;
  if (it != q.end()) id = std::strtoull(it->second.c_str(), nullptr, 10);
  auto found = g.pending_accepts.find(id);
  // Another token's connection is as unknown as a missing one.
  if (found == g.pending_accepts.end() || found->second.grant != grant)
    return Error(ErrorCode::NotFound, "no accepted connection " + std::to_string(id) + " waits for this token");
  tcp::socket s = std::move(found->second.socket);
  g.pending_accepts.erase(found);
  return s;
}

}  // namespace vivarium::server::gateway
