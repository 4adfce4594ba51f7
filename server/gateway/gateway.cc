#include "server/gateway/gateway.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <cstdio>
#include <map>

#include "server/admin_api.h"  // parse_query
#include "server/serve_options.h"  // parse_listen

namespace vivarium::server::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;
using tcp = asio::ip::tcp;

enum Close : uint16_t {
  kUpstreamClosed = 4000,
  kBadRequest = 4400,
  kBadToken = 4401,
  kDenied = 4403,
  kLimit = 4429,
  kConnectFailed = 4502,
};

struct Gateway::State {
  GatewayOptions opts;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  size_t open = 0;                           // on the io thread only
  std::map<const TokenGrant*, size_t> per_token;
  std::atomic<size_t> open_mirror{0};        // for open_connections() from other threads
  // Each live session's "close your sockets now", for stop().
  std::map<const void*, std::function<void()>> live;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Gateway::State> g, tcp::socket s)
      : g_(std::move(g)), ws_(std::move(s)), upstream_(g_->io), timer_(g_->io) {}
  ~Session() {
    g_->live.erase(this);
    if (grant_) {
      --g_->open;
      if (--g_->per_token[grant_] == 0) g_->per_token.erase(grant_);
      g_->open_mirror = g_->open;
    }
  }

  void start() {
    g_->live[this] = [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        beast::error_code ignored;
        self->upstream_.close(ignored);
        self->timer_.cancel();
        beast::get_lowest_layer(self->ws_).close();
      }
    };
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    beast::http::async_read(ws_.next_layer(), buf_, req_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_request(ec); });
  }

 private:
  void on_request(beast::error_code ec) {
    if (ec) return;
    if (!ws::is_upgrade(req_)) {
      auto res = std::make_shared<beast::http::response<beast::http::string_body>>(beast::http::status::upgrade_required, 11);
      res->set(beast::http::field::content_type, "text/plain");
      res->body() = "the socket gateway speaks WebSocket: GET /connect?host=IP&port=N&token=T\n";
      res->prepare_payload();
      beast::http::async_write(ws_.next_layer(), *res, [self = shared_from_this(), res](beast::error_code, size_t) {
        beast::error_code ignored;
        self->ws_.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
      return;
    }
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(ws::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(g_->opts.max_message_bytes);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->authorize();
    });
  }

  void close(uint16_t code, std::string reason) {
    if (closing_) return;
    // A close frame carries at most 123 bytes of reason (RFC 6455 5.5).
    if (reason.size() > 123) reason.resize(123);
    closing_ = true;
    beast::error_code ignored;
    timer_.cancel();
    upstream_.close(ignored);
    ws_.async_close(ws::close_reason(static_cast<ws::close_code>(code), reason), [self = shared_from_this()](beast::error_code) {});
  }

  void authorize() {
    std::string_view target(req_.target().data(), req_.target().size());
    size_t q = target.find('?');
    std::string_view path = target.substr(0, q);
    std::string host, port_text, token;
    for (auto& [k, v] : parse_query(q == std::string_view::npos ? std::string_view{} : target.substr(q + 1))) {
      if (k == "host") host = v;
      else if (k == "port") port_text = v;
      else if (k == "token") token = v;
    }
    if (auto auth = req_[beast::http::field::authorization]; token.empty() && auth.size() > 7)
      token = std::string(auth.substr(7).data(), auth.size() - 7);
    const TokenGrant* grant = g_->opts.tokens.find(token);
    if (!grant) return close(kBadToken, token.empty() ? "no token" : "wrong token");
    if (path != "/connect") return close(kBadRequest, "unknown path " + std::string(path) + " (use /connect)");
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return close(kBadRequest, "port must be 1..65535");
    auto ip = net::IpAddress::parse(host);
    if (!ip.ok()) return close(kBadRequest, "host must be an IP address: " + ip.error().message());
    // Through the gateway only address rules count: the browser resolved
    // nothing, so a name rule cannot vouch for this address.
    if (!grant->policy.allows_address(*ip, static_cast<uint16_t>(port)))
      return close(kDenied, "denied by the token's policy: " + host + ":" + port_text);
    size_t& mine = g_->per_token[grant];
    if (g_->open >= g_->opts.max_connections || (grant->max_connections && mine >= grant->max_connections)) {
      if (mine == 0) g_->per_token.erase(grant);
      return close(kLimit, g_->open >= g_->opts.max_connections ? "the gateway's connection limit" : "the token's connection limit");
    }
    grant_ = grant;
    ++mine;
    ++g_->open;
    g_->open_mirror = g_->open;
    beast::error_code bad;
    auto addr = asio::ip::make_address(ip->to_string(), bad);
    if (bad) return close(kBadRequest, "host: " + bad.message());
    where_ = host + ":" + port_text;
    timer_.expires_after(g_->opts.connect_timeout);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->close(kConnectFailed, "connect timed out: " + self->where_);
    });
    upstream_.async_connect(tcp::endpoint(addr, static_cast<uint16_t>(port)),
                            [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
  }

  void on_connect(beast::error_code ec) {
    timer_.cancel();
    if (closing_) return;
    if (ec) return close(kConnectFailed, "connect " + where_ + ": " + ec.message());
    upstream_.set_option(tcp::no_delay(true));
    ws_.text(true);
    hello_ = "connected " + where_;
    ws_.async_write(asio::buffer(hello_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close(kUpstreamClosed, "");
      self->read_upstream();
      self->read_ws();
    });
  }

  // upstream -> WebSocket: the next read only once the write is done.
  void read_upstream() {
    upstream_.async_read_some(asio::buffer(up_buf_), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->close(kUpstreamClosed, ec == asio::error::eof ? "upstream closed" : "upstream: " + ec.message());
      self->ws_.binary(true);
      self->ws_.async_write(asio::buffer(self->up_buf_.data(), n), [self](beast::error_code ec, size_t) {
        if (ec) return self->close(kUpstreamClosed, "");
        self->read_upstream();
      });
    });
  }

  // WebSocket -> upstream: likewise.
  void read_ws() {
    ws_.async_read(ws_buf_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        beast::error_code ignored;
        self->timer_.cancel();
        self->upstream_.close(ignored);
        return;
      }
      if (self->ws_.got_text()) {
        std::string text = beast::buffers_to_string(self->ws_buf_.data());
        self->ws_buf_.consume(self->ws_buf_.size());
        if (text == "shutdown") {
          beast::error_code ignored;
          self->upstream_.shutdown(tcp::socket::shutdown_send, ignored);
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

  std::shared_ptr<Gateway::State> g_;
  ws::stream<beast::tcp_stream> ws_;
  tcp::socket upstream_;
  asio::steady_timer timer_;
  beast::flat_buffer buf_, ws_buf_;
  beast::http::request<beast::http::string_body> req_;
  std::array<char, 16384> up_buf_{};
  std::string hello_, where_;
  const TokenGrant* grant_ = nullptr;
  bool closing_ = false;
};

void accept(std::shared_ptr<Gateway::State> g) {
  g->acceptor.async_accept([g](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Session>(g, std::move(s))->start();
    accept(g);
  });
}

}  // namespace

Result<std::unique_ptr<Gateway>> Gateway::create(GatewayOptions opts) {
  auto s = std::make_shared<State>();
  s->opts = std::move(opts);
  beast::error_code ec;
  auto addr = asio::ip::make_address(s->opts.listen.host, ec);
  if (ec) return Error(ErrorCode::Usage, "--gateway: bad address " + s->opts.listen.host);
  tcp::endpoint ep(addr, s->opts.listen.port);
  s->acceptor.open(ep.protocol(), ec);
  if (!ec) s->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) s->acceptor.bind(ep, ec);
  if (!ec) s->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error(ErrorCode::Io, "--gateway " + s->opts.listen.host + ":" + std::to_string(s->opts.listen.port) + ": " + ec.message());
  return std::unique_ptr<Gateway>(new Gateway(std::move(s)));
}

Gateway::~Gateway() { stop(); }

void Gateway::start() {
  accept(state_);
  thread_ = std::thread([s = state_] {
    // A handler's exception ends that session only, never the gateway.
    for (;;) {
      try {
        s->io.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "vivarium serve: socket gateway: %s\n", e.what());
      }
    }
  });
}

void Gateway::stop() {
  if (!thread_.joinable()) return;
  asio::post(state_->io, [s = state_] {
    beast::error_code ignored;
    s->acceptor.close(ignored);
    auto live = s->live;  // closing may end sessions, which erase themselves
    for (auto& [who, kill] : live) kill();
    s->io.stop();
  });
  thread_.join();
  // Let the aborted operations finish, so every session (and its hold on the
  // state) is gone before the state is.
  state_->io.restart();
  while (state_->io.poll() > 0) {
  }
}

Result<std::unique_ptr<Gateway>> start_from_options(const std::string& listen, const std::string& token_file) {
  if (token_file.empty()) return Error(ErrorCode::Usage, "--gateway needs --gateway-token-file (who may connect where)");
  GatewayOptions opts;
  VIV_TRY_ASSIGN(opts.listen, parse_listen(listen));
  if (opts.listen.tls) return Error(ErrorCode::Usage, "--gateway: tls:// is not supported; put it behind a TLS proxy");
  VIV_TRY_ASSIGN(opts.tokens, GatewayTokens::load(token_file));
  VIV_TRY_ASSIGN(auto g, Gateway::create(std::move(opts)));
  g->start();
  return g;
}

uint16_t Gateway::port() const { return state_->acceptor.local_endpoint().port(); }
size_t Gateway::open_connections() const { return state_->open_mirror; }

}  // namespace vivarium::server::gateway
