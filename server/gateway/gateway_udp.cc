// /udp: one UDP socket (IPv4). Each binary message either way is a datagram
// behind a 6-byte header, the peer: its IPv4 address and its port in network
// order. Each datagram the browser sends is answered in order by a text
// message, "sent N" or "denied IP:PORT" (the token's udp: grants decide) or
// "error WHY", so a guest's send_to returns what the policy said.
// Backpressure: the next datagram is read from the socket only once the
// previous one was written to the WebSocket.
#include <array>
#include <cstring>

#include "server/gateway/gateway_session.h"

namespace vivarium::server::gateway {
namespace {

constexpr size_t kHeader = 6;

std::string header(const udp::endpoint& ep) {
  std::string h(kHeader, '\0');
  net::IpAddress a = from_asio(ep.address());
  std::memcpy(h.data(), a.bytes, 4);
  h[4] = static_cast<char>(ep.port() >> 8);
  h[5] = static_cast<char>(ep.port() & 0xff);
  return h;
}

class UdpSession final : public WsSession {
 public:
  UdpSession(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant)
      : WsSession(std::move(g), std::move(ws), grant), socket_(g_->io) {}

  void start(const Query&) override {
    if (!take_slot()) return;
    beast::error_code ec;
    socket_.open(udp::v4(), ec);
    if (!ec) socket_.bind(udp::endpoint(udp::v4(), 0), ec);
    if (ec) return close(kConnectFailed, "udp socket: " + ec.message());
    send(true, "ready", [self = self()] {
      self->read_socket();
      self->read_ws();
    });
  }

 private:
  std::shared_ptr<UdpSession> self() { return std::static_pointer_cast<UdpSession>(shared_from_this()); }

  void release() override {
    beast::error_code ignored;
    socket_.close(ignored);
  }

  void read_socket() {
    socket_.async_receive_from(asio::buffer(in_), from_, [self = self()](beast::error_code ec, size_t n) {
      if (ec) return self->close(kUpstreamClosed, "udp: " + ec.message());
      if (!self->from_.address().is_v4()) return self->read_socket();
      self->send(false, header(self->from_) + std::string(self->in_.data(), n), [self] { self->read_socket(); });
    });
  }

  void read_ws() {
    ws_.async_read(ws_buf_, [self = self()](beast::error_code ec, size_t) {
      if (ec) return self->release();
      std::string msg = beast::buffers_to_string(self->ws_buf_.data());
      self->ws_buf_.consume(self->ws_buf_.size());
      if (self->ws_.got_text() || msg.size() < kHeader)
        return self->close(kBadRequest, "a datagram is binary: 4 address bytes, 2 port bytes, the payload");
      self->send_datagram(std::move(msg));
    });
  }

  void send_datagram(std::string msg) {
    net::IpAddress to = net::IpAddress::v4(static_cast<uint32_t>(static_cast<uint8_t>(msg[0])) << 24 |
                                           static_cast<uint32_t>(static_cast<uint8_t>(msg[1])) << 16 |
                                           static_cast<uint32_t>(static_cast<uint8_t>(msg[2])) << 8 |
                                           static_cast<uint8_t>(msg[3]));
    uint16_t port = static_cast<uint16_t>(static_cast<uint8_t>(msg[4]) << 8 | static_cast<uint8_t>(msg[5]));
    std::string where = to.to_string() + ":" + std::to_string(port);
    if (port == 0 || !grant_->udp.allows_address(to, port))
      return send(true, "denied " + where, [self = self()] { self->read_ws(); });
    out_ = std::move(msg);
    socket_.async_send_to(asio::buffer(out_.data() + kHeader, out_.size() - kHeader), udp::endpoint(to_asio(to), port),
                          [self = self()](beast::error_code ec, size_t n) {
                            self->send(true, ec ? "error " + ec.message() : "sent " + std::to_string(n),
                                       [self] { self->read_ws(); });
                          });
  }

  udp::socket socket_;
  udp::endpoint from_;
  std::array<char, 65536> in_{};
  std::string out_;
  beast::flat_buffer ws_buf_;
};

}  // namespace

std::shared_ptr<WsSession> make_udp_session(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant) {
  return std::make_shared<UdpSession>(std::move(g), std::move(ws), grant);
}

}  // namespace vivarium::server::gateway
