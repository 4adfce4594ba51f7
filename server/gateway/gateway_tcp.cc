// /connect?host=IP&port=N: one TCP connection, bytes both ways, and each
// direction's end: the browser's text "shutdown" shuts the upstream's sending
// side, the upstream's EOF arrives as the text "eof" -- a half-closed
// connection still carries the other way (a guest server answers after its
// client finished sending). Once both sides ended, close 4000.
// Backpressure: one read outstanding per direction, the next only after the
// previous write finished.
#include <array>

#include "server/gateway/gateway_session.h"

namespace vivarium::server::gateway {
namespace {

class TcpSession final : public WsSession {
 public:
  TcpSession(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant)
      : WsSession(std::move(g), std::move(ws), grant), upstream_(g_->io), timer_(g_->io) {}

  void start(const Query& q) override {
    auto host = q.find("host");
    uint16_t port = query_port(q);
    if (port == 0) return close(kBadRequest, "port must be 1..65535");
    auto ip = net::IpAddress::parse(host == q.end() ? "" : host->second);
    if (!ip.ok()) return close(kBadRequest, "host must be an IP address: " + ip.error().message());
    where_ = ip->to_string() + ":" + std::to_string(port);
    // Through the gateway only address rules count: the browser resolved
    // nothing here (a look-up is /resolve's, under the dns: grants).
    if (!grant_->policy.allows_address(*ip, port)) return close(kDenied, "denied by the token's policy: " + where_);
    if (!take_slot()) return;
    timer_.expires_after(g_->opts.connect_timeout);
    timer_.async_wait([self = self()](beast::error_code ec) {
      if (!ec) self->close(kConnectFailed, "connect timed out: " + self->where_);
    });
    upstream_.async_connect(tcp::endpoint(to_asio(*ip), port), [self = self()](beast::error_code ec) {
      self->timer_.cancel();
      if (self->closing()) return;
      if (ec) return self->close(kConnectFailed, "connect " + self->where_ + ": " + ec.message());
      self->connected();
    });
  }

  // An accepted connection: already there.
  void adopt(tcp::socket s) {
    upstream_ = std::move(s);
    beast::error_code ec;
    auto peer = upstream_.remote_endpoint(ec);
    where_ = ec ? "?" : from_asio(peer.address()).to_string() + ":" + std::to_string(peer.port());
    if (take_slot()) connected();
  }

 private:
  std::shared_ptr<TcpSession> self() { return std::static_pointer_cast<TcpSession>(shared_from_this()); }

  void release() override {
    beast::error_code ignored;
    timer_.cancel();
    upstream_.close(ignored);
  }

  void connected() {
    upstream_.set_option(tcp::no_delay(true));
    send(true, "connected " + where_, [self = self()] {
      self->read_upstream();
      self->read_ws();
    });
  }

  // upstream -> WebSocket
  void read_upstream() {
    upstream_.async_read_some(asio::buffer(up_buf_), [self = self()](beast::error_code ec, size_t n) {
      if (ec == asio::error::eof) {
        self->up_eof_ = true;
        if (self->ws_shut_) return self->close(kUpstreamClosed, "upstream closed");
        return self->send(true, "eof");
      }
      if (ec) return self->close(kUpstreamClosed, "upstream: " + ec.message());
      self->send(false, std::string(self->up_buf_.data(), n), [self] { self->read_upstream(); });
    });
  }

  // WebSocket -> upstream
  void read_ws() {
    ws_.async_read(ws_buf_, [self = self()](beast::error_code ec, size_t) {
      if (ec) return self->release();
      if (self->ws_.got_text()) {
        std::string text = beast::buffers_to_string(self->ws_buf_.data());
        self->ws_buf_.consume(self->ws_buf_.size());
        if (text == "shutdown") {
          beast::error_code ignored;
          self->upstream_.shutdown(tcp::socket::shutdown_send, ignored);
          self->ws_shut_ = true;
          if (self->up_eof_) return self->close(kUpstreamClosed, "upstream closed");
        }
        return self->read_ws();
      }
      asio::async_write(self->upstream_, self->ws_buf_.data(), [self](beast::error_code ec, size_t n) {
        self->ws_buf_.consume(n);
        if (ec) return self->close(kUpstreamClosed, "upstream: " + ec.message());
        self->read_ws();
      });
    });
  }

  tcp::socket upstream_;
  asio::steady_timer timer_;
  beast::flat_buffer ws_buf_;
  std::array<char, 16384> up_buf_{};
  std::string where_;
  bool up_eof_ = false, ws_shut_ = false;  // each direction's end
};

}  // namespace

std::shared_ptr<WsSession> make_tcp_session(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant) {
  return std::make_shared<TcpSession>(std::move(g), std::move(ws), grant);
}

std::shared_ptr<WsSession> make_tcp_session_on(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant,
                                               tcp::socket connected) {
  auto s = std::make_shared<TcpSession>(std::move(g), std::move(ws), grant);
  s->adopt(std::move(connected));
  return s;
}

}  // namespace vivarium::server::gateway
