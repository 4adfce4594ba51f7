// The gateway's test fixture: a gateway on 127.0.0.1 with tokens for the
// echo server below (TCP), and a Beast WebSocket client's helpers.
#pragma once
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "server/gateway/gateway.h"

namespace vivarium::server::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;
using tcp = asio::ip::tcp;

inline constexpr const char* kToken = "0123456789abcdef0123";
inline constexpr const char* kLimited = "limited-token-0123456789";

// Echoes each connection's bytes until EOF.
class EchoServer {
 public:
  EchoServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] {
      for (;;) {
        auto s = std::make_shared<tcp::socket>(io_);
        beast::error_code ec;
        acceptor_.accept(*s, ec);
        if (ec || stopping_) return;
        std::lock_guard<std::mutex> lock(mu_);
        conns_.push_back(s);
        workers_.emplace_back([s] {
          char buf[4096];
          beast::error_code e;
          for (size_t n; (n = s->read_some(asio::buffer(buf), e)) > 0 && !e;) asio::write(*s, asio::buffer(buf, n), e);
        });
      }
    });
  }
  ~EchoServer() {
    // A blocking accept() is not woken by closing its socket: connect once.
    stopping_ = true;
    asio::io_context io;
    tcp::socket wake(io);
    beast::error_code ec;
    wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()), ec);
    thread_.join();
    // Connection threads use io_'s sockets: end and join them before io_ goes
    // (detached, they outlived it, and ASan saw the use after free at exit).
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& s : conns_) ::shutdown(s->native_handle(), SHUT_RDWR);
    for (auto& t : workers_) t.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::shared_ptr<tcp::socket>> conns_;
  std::vector<std::thread> workers_;
};

class GatewayTest : public ::testing::Test {
 protected:
  // More grants for kToken ("udp:...", "dns:...", "bind:..."), before SetUp.
  std::string extra_grants_;
  std::string extra_tokens_;  // more lines of the token file

  void SetUp() override {
    std::string text = std::string(kToken) + " 127.0.0.1:" + std::to_string(echo_.port()) + " " + extra_grants_ +
                       "\n" + kLimited + " 127.0.0.1:" + std::to_string(echo_.port()) + " max=1\n" + extra_tokens_;
    GatewayOptions o;
    o.listen = {"127.0.0.1", 0, false};
    o.tokens = *GatewayTokens::parse(text, "test");
    auto g = Gateway::create(std::move(o));
    ASSERT_TRUE(g.ok()) << g.error().message();
    gw_ = std::move(g).value();
    gw_->start();
  }

  // Opens a WebSocket at `target`; returns the stream.
  std::unique_ptr<ws::stream<tcp::socket>> open(const std::string& target) {
    auto s = std::make_unique<ws::stream<tcp::socket>>(io_);
    s->next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), gw_->port()));
    s->handshake("127.0.0.1", target);
    return s;
  }

  // Reads until the gateway closes; its close code.
  static uint16_t close_code(ws::stream<tcp::socket>& s) {
    beast::flat_buffer b;
    beast::error_code ec;
    while (!ec) s.read(b, ec);
    EXPECT_EQ(ec, ws::error::closed);
    return s.reason().code;
  }

  std::string target(uint16_t port, const std::string& token = kToken) {
    return "/connect?host=127.0.0.1&port=" + std::to_string(port) + "&token=" + token;
  }

  EchoServer echo_;
  asio::io_context io_;
  std::unique_ptr<Gateway> gw_;
};

}  // namespace vivarium::server::gateway
