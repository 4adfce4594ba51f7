// Inside the socket gateway (gateway.h says what it does): the state the
// sessions share, and the WebSocket half every kind of session has in
// common -- its write queue, its close with a code, its slot in the
// connection limits. The kinds: TCP (gateway_tcp.cc), UDP (gateway_udp.cc),
// name look-ups (gateway_resolve.cc), listening (gateway_listen.cc).
#pragma once
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "host/net/dns.h"
#include "server/gateway/gateway.h"

namespace vivarium::server::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
using WsStream = ws::stream<beast::tcp_stream>;

enum Close : uint16_t {
  kUpstreamClosed = 4000,
  kBadRequest = 4400,
  kBadToken = 4401,
  kDenied = 4403,
  kNotFound = 4404,
  kLimit = 4429,
  kConnectFailed = 4502,
};

struct Gateway::State {
  GatewayOptions opts;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  size_t open = 0;  // on the io thread only
  std::map<const TokenGrant*, size_t> per_token;
  std::atomic<size_t> open_mirror{0};  // for open_connections() from other threads
  // Each live session's "close your sockets now", for stop().
  std::map<const void*, std::function<void()>> live;
  // Look-ups run here, off the io thread (getaddrinfo blocks).
  std::unique_ptr<net::Resolver> resolver;
  // Connections a listener accepted, waiting for the browser's /accept?id=N
  // (with the listener's token), by id.
  struct Accepted {
    const TokenGrant* grant;
    tcp::socket socket;
  };
  std::map<uint64_t, Accepted> pending_accepts;
  uint64_t next_accept_id = 1;
};

using Query = std::map<std::string, std::string, std::less<>>;

// host/net's address as an Asio one (no text round trip), and back.
asio::ip::address to_asio(const net::IpAddress& a);
net::IpAddress from_asio(const asio::ip::address& a);
// "port" of the query: 1..65535, or 0 when missing or malformed.
uint16_t query_port(const Query& q, const char* key = "port");

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant);
  virtual ~WsSession();
  WsSession(const WsSession&) = delete;
  WsSession& operator=(const WsSession&) = delete;
  // Called once the WebSocket is open and the token checked.
  virtual void start(const Query& q) = 0;
  // Closes with `code`: the upstream goes first (release()), then the WebSocket.
  void close(uint16_t code, std::string reason);
  WsStream& stream() { return ws_; }

 protected:
  // Counts this session against the gateway's and its token's limits; false
  // (and closed with 4429) when either is reached.
  bool take_slot();
  // Queues a message; `then` runs once it is written (not on failure).
  void send(bool text, std::string bytes, std::function<void()> then = {});
  // Frees what the session holds besides its WebSocket (sockets, timers).
  virtual void release() {}
  bool closing() const { return closing_; }

  std::shared_ptr<Gateway::State> g_;
  WsStream ws_;
  const TokenGrant* grant_;

 private:
  void write_next();
  struct Out {
    bool text;
    std::string bytes;
    std::function<void()> then;
  };
  std::deque<Out> out_;
  bool writing_ = false, closing_ = false, counted_ = false;
};

std::shared_ptr<WsSession> make_tcp_session(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant);
std::shared_ptr<WsSession> make_udp_session(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant);
std::shared_ptr<WsSession> make_resolve_session(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant);
std::shared_ptr<WsSession> make_listen_session(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant);
// /accept?id=N: the connection a listener of the same token announced as N,
// taken out of the waiting ones; an error names why not.
Result<tcp::socket> take_accepted(Gateway::State& g, const Query& q, const TokenGrant* grant);
// A TCP session over a socket already connected (an accepted connection).
std::shared_ptr<WsSession> make_tcp_session_on(std::shared_ptr<Gateway::State> g, WsStream ws, const TokenGrant* grant,
                                               tcp::socket connected);

}  // namespace vivarium::server::gateway
