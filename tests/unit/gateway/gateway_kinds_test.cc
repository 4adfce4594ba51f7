// The gateway's other socket kinds on 127.0.0.1: UDP datagrams, name
// look-ups and listening, each allowed by its own kind of grant and refused
// outside it.
#include <sstream>

#include "tests/unit/gateway/gateway_fixture.h"

namespace vivarium::server::gateway {
namespace {

using udp = asio::ip::udp;

// Answers one datagram with "pong:" + it.
class UdpEcho {
 public:
  UdpEcho() : s_(io_, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] {
      char buf[512];
      udp::endpoint from;
      beast::error_code ec;
      size_t n = s_.receive_from(asio::buffer(buf), from, 0, ec);
      if (!ec) s_.send_to(asio::buffer("pong:" + std::string(buf, n)), from, 0, ec);
    });
  }
  ~UdpEcho() {
    // Wake the receive if nothing came.
    udp::socket w(io_, udp::v4());
    w.send_to(asio::buffer(std::string("x")), s_.local_endpoint());
    thread_.join();
  }
  uint16_t port() const { return s_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  udp::socket s_;
  std::thread thread_;
};

uint16_t free_tcp_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

std::string peer_header(uint16_t port) {
  return std::string("\x7f\x00\x00\x01", 4) + static_cast<char>(port >> 8) + static_cast<char>(port & 0xff);
}

class GatewayKindsTest : public GatewayTest {
 protected:
  GatewayKindsTest() : bind_port_(free_tcp_port()) {
    extra_grants_ = "udp:127.0.0.1:" + std::to_string(udp_.port()) + " dns:localhost bind:127.0.0.1:" +
                    std::to_string(bind_port_);
    // May look localhost up, but reach only a private network: the loopback
    // answer must not come through (DNS rebinding), nor UDP to loopback.
    extra_tokens_ = std::string(kRebind) + " dns:localhost 10.0.0.0/8 udp:10.0.0.0/8\n";
  }
  static constexpr const char* kRebind = "rebind-token-0123456789";
  static std::string read_text(ws::stream<tcp::socket>& s) {
    beast::flat_buffer b;
    s.read(b);
    return beast::buffers_to_string(b.data());
  }
  std::string with_token(const std::string& path) { return path + (path.find('?') == std::string::npos ? "?" : "&") + "token=" + kToken; }

  UdpEcho udp_;
  uint16_t bind_port_;
};

TEST_F(GatewayKindsTest, UdpDatagramsBothWaysUnderUdpGrants) {
  auto s = open(with_token("/udp"));
  EXPECT_EQ(read_text(*s), "ready");
  s->binary(true);
  s->write(asio::buffer(peer_header(udp_.port()) + "dgram"));
  std::vector<std::string> got{read_text(*s), read_text(*s)};  // the ack and the answer, in either order
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got[0], "sent 5");
  EXPECT_EQ(got[1], peer_header(udp_.port()) + "pong:dgram");
  // Another port, and the TCP-granted echo port: no udp: grant for either.
  s->write(asio::buffer(peer_header(static_cast<uint16_t>(udp_.port() + 1)) + "x"));
  EXPECT_EQ(read_text(*s), "denied 127.0.0.1:" + std::to_string(udp_.port() + 1));
  s->write(asio::buffer(peer_header(echo_.port()) + "x"));
  EXPECT_EQ(read_text(*s), "denied 127.0.0.1:" + std::to_string(echo_.port()));
  s->write(asio::buffer(std::string("abc")));  // shorter than the header
  EXPECT_EQ(close_code(*s), 4400);
}

TEST_F(GatewayKindsTest, LookUpsUnderDnsGrants) {
  auto s = open(with_token("/resolve?name=localhost"));
  EXPECT_EQ(read_text(*s), "addresses 127.0.0.1");
  EXPECT_EQ(close_code(*s), 1000);
  EXPECT_EQ(close_code(*open(with_token("/resolve?name=example.com"))), 4403);  // no dns: grant
  EXPECT_EQ(close_code(*open(with_token("/resolve"))), 4400);
  EXPECT_EQ(close_code(*open("/resolve?name=localhost&token=" + std::string(kLimited))), 4403);
  EXPECT_EQ(close_code(*open("/resolve?name=localhost&token=" + std::string(kRebind))), 4403);
}

TEST_F(GatewayKindsTest, NoRouteReachesAnAddressOutsideTheGrants) {
  auto s = open("/udp?token=" + std::string(kRebind));
  EXPECT_EQ(read_text(*s), "ready");
  s->binary(true);
  s->write(asio::buffer(peer_header(udp_.port()) + "x"));  // loopback: only 10/8 granted
  EXPECT_EQ(read_text(*s), "denied 127.0.0.1:" + std::to_string(udp_.port()));
  s->write(asio::buffer(std::string(6, '\0') + "x"));  // 0.0.0.0:0 reaches the local host
  EXPECT_EQ(read_text(*s), "denied 0.0.0.0:0");
  s->close(ws::close_code::normal);
  EXPECT_EQ(close_code(*open(target(echo_.port(), kRebind))), 4403);
  EXPECT_EQ(close_code(*open("/connect?host=0.0.0.0&port=" + std::to_string(echo_.port()) + "&token=" + kToken)), 4403);
  EXPECT_EQ(close_code(*open("/connect?host=::ffff:127.0.0.2&port=" + std::to_string(echo_.port()) + "&token=" + kToken)), 4403);
  EXPECT_EQ(close_code(*open("/listen?host=127.0.0.1&port=" + std::to_string(bind_port_) + "&token=" + kRebind)), 4403);
}

TEST_F(GatewayKindsTest, ListenAndAcceptUnderBindGrants) {
  auto l = open(with_token("/listen?host=127.0.0.1&port=" + std::to_string(bind_port_)));
  EXPECT_EQ(read_text(*l), "listening 127.0.0.1:" + std::to_string(bind_port_));
  tcp::socket c(io_);
  c.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), bind_port_));
  std::istringstream accepted(read_text(*l));
  std::string word, id, peer;
  accepted >> word >> id >> peer;
  ASSERT_EQ(word, "accepted");
  EXPECT_EQ(peer, "127.0.0.1:" + std::to_string(c.local_endpoint().port()));
  EXPECT_EQ(close_code(*open("/accept?id=" + id + "&token=" + kLimited)), 4404);  // another token's
  auto a = open(with_token("/accept?id=" + id));
  EXPECT_EQ(read_text(*a), "connected " + peer);
  a->binary(true);
  a->write(asio::buffer(std::string("hi")));
  char buf[2];
  asio::read(c, asio::buffer(buf));
  EXPECT_EQ(std::string(buf, 2), "hi");
  asio::write(c, asio::buffer(std::string("back")));
  std::string back;
  while (back.size() < 4) back += read_text(*a);
  EXPECT_EQ(back, "back");
  EXPECT_EQ(close_code(*open(with_token("/accept?id=" + id))), 4404);  // taken already
  EXPECT_EQ(close_code(*open(with_token("/listen?host=127.0.0.1&port=" + std::to_string(bind_port_ + 1)))), 4403);
  a->close(ws::close_code::normal);
  l->close(ws::close_code::normal);
}

}  // namespace
}  // namespace vivarium::server::gateway
