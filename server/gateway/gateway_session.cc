#include "server/gateway/gateway_session.h"

#include <charconv>
#include <cstring>

namespace vivarium::server::gateway {

asio::ip::address to_asio(const net::IpAddress& a) {
  if (a.v6) {
    asio::ip::address_v6::bytes_type b;
    std::memcpy(b.data(), a.bytes, b.size());
    return asio::ip::address_v6(b);
  }
  asio::ip::address_v4::bytes_type b;
  std::memcpy(b.data(), a.bytes, b.size());
  return asio::ip::address_v4(b);
}

net::IpAddress from_asio(const asio::ip::address& a) {
  // The endpoint's sockaddr: host/net normalizes a mapped IPv4 there.
  asio::ip::basic_endpoint<asio::ip::tcp> ep(a, 0);
  return net::IpAddress::from_sockaddr(ep.data());
}

uint16_t query_port(const Query& q, const char* key) {
  auto it = q.find(key);
  if (it == q.end()) return 0;
  const std::string& t = it->second;
  unsigned port = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), port);
  if (ec != std::errc() || p != t.data() + t.size() || port > 65535) return 0;
  return static_cast<uint16_t>(port);
}

WsSession::WsSession(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant)
    : g_(std::move(g)), ws_(std::move(ws)), grant_(grant) {}

WsSession::~WsSession() {
  g_->live.erase(this);
  if (counted_) {
    --g_->open;
    if (--g_->per_token[grant_] == 0) g_->per_token.erase(grant_);
    g_->open_mirror = g_->open;
  }
}

bool WsSession::take_slot() {
  g_->live[this] = [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->release();
      beast::get_lowest_layer(self->ws_).close();
    }
  };
  size_t& mine = g_->per_token[grant_];
  if (g_->open >= g_->opts.max_connections || (grant_->max_connections && mine >= grant_->max_connections)) {
    if (mine == 0) g_->per_token.erase(grant_);
    close(kLimit, g_->open >= g_->opts.max_connections ? "the gateway's connection limit" : "the token's connection limit");
    return false;
  }
  ++mine;
  ++g_->open;
  g_->open_mirror = g_->open;
  counted_ = true;
  return true;
}

void WsSession::close(uint16_t code, std::string reason) {
  if (closing_) return;
  closing_ = true;
  // A close frame carries at most 123 bytes of reason (RFC 6455 5.5).
  if (reason.size() > 123) reason.resize(123);
  release();
  out_.clear();
  if (writing_) {
    // A write is under way: Beast allows one; close right after it.
    out_.push_back({false, {}, [self = shared_from_this(), code, reason] {
                      self->ws_.async_close(ws::close_reason(static_cast<ws::close_code>(code), reason),
                                            [self](beast::error_code) {});
                    }});
    return;
  }
  ws_.async_close(ws::close_reason(static_cast<ws::close_code>(code), reason), [self = shared_from_this()](beast::error_code) {});
}

void WsSession::send(bool text, std::string bytes, std::function<void()> then) {
  if (closing_) return;
  out_.push_back({text, std::move(bytes), std::move(then)});
  if (!writing_) write_next();
}

void WsSession::write_next() {
  if (out_.empty()) {
    writing_ = false;
    return;
  }
  writing_ = true;
  if (closing_) {
    // Only the deferred close is left.
    auto then = std::move(out_.front().then);
    out_.clear();
    writing_ = false;
    if (then) then();
    return;
  }
  ws_.text(out_.front().text);
  ws_.async_write(asio::buffer(out_.front().bytes), [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      self->writing_ = false;
      return self->close(kUpstreamClosed, "");
    }
    if (self->closing_) return self->write_next();
    auto then = std::move(self->out_.front().then);
    self->out_.pop_front();
    if (then) then();
    self->write_next();
  });
}

}  // namespace vivarium::server::gateway
