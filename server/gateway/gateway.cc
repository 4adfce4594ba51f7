#include "server/gateway/gateway.h"

#include <boost/beast/http.hpp>
#include <cstdio>

#include "server/admin_api.h"  // parse_query
#include "server/gateway/gateway_session.h"
#include "server/serve_options.h"  // parse_listen

namespace vivarium::server::gateway {

namespace {

// Reads the upgrade request, accepts the WebSocket, checks the token and
// hands the stream to the session its path names.
class Handshake : public std::enable_shared_from_this<Handshake> {
 public:
  Handshake(std::shared_ptr<Gateway::State> g, tcp::socket s) : g_(std::move(g)), ws_(std::move(s)) {}

  void start() {
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
      if (!ec) self->route();
    });
  }

  // A WebSocket that never becomes a session: closed with `code`.
  void refuse(uint16_t code, std::string reason) {
    if (reason.size() > 123) reason.resize(123);
    ws_.async_close(ws::close_reason(static_cast<ws::close_code>(code), reason), [self = shared_from_this()](beast::error_code) {});
  }

  void route() {
    std::string_view target(req_.target().data(), req_.target().size());
    size_t q = target.find('?');
    std::string_view path = target.substr(0, q);
    Query query;
    for (auto& [k, v] : parse_query(q == std::string_view::npos ? std::string_view{} : target.substr(q + 1)))
      query.emplace(k, v);
    std::string token = query.count("token") ? query["token"] : "";
    if (auto auth = req_[beast::http::field::authorization]; token.empty() && auth.size() > 7)
      token = std::string(auth.substr(7).data(), auth.size() - 7);
    const TokenGrant* grant = g_->opts.tokens.find(token);
    if (!grant) return refuse(kBadToken, token.empty() ? "no token" : "wrong token");
    std::shared_ptr<WsSession> session;
    if (path == "/connect") session = make_tcp_session(g_, std::move(ws_), grant);
    else if (path == "/udp") session = make_udp_session(g_, std::move(ws_), grant);
    else if (path == "/resolve") session = make_resolve_session(g_, std::move(ws_), grant);
    else if (path == "/listen") session = make_listen_session(g_, std::move(ws_), grant);
    else if (path == "/accept") {
      auto s = take_accepted(*g_, query, grant);
      if (!s.ok()) return refuse(kNotFound, s.error().message());
      make_tcp_session_on(g_, std::move(ws_), grant, std::move(s).value());
      return;
    } else {
      return refuse(kBadRequest, "unknown path " + std::string(path) + " (/connect, /udp, /resolve, /listen, /accept)");
    }
    session->start(query);
  }

  std::shared_ptr<Gateway::State> g_;
  WsStream ws_;
  beast::flat_buffer buf_;
  beast::http::request<beast::http::string_body> req_;
};

void accept(std::shared_ptr<Gateway::State> g) {
  g->acceptor.async_accept([g](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Handshake>(g, std::move(s))->start();
    accept(g);
  });
}

}  // namespace

Result<std::unique_ptr<Gateway>> Gateway::create(GatewayOptions opts) {
  auto s = std::make_shared<State>();
  s->opts = std::move(opts);
  net::Resolver::Options ro;
  ro.threads = 1;
  s->resolver = std::make_unique<net::Resolver>(std::move(ro));
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
  // Look-ups still running finish (their answers post to the io context,
  // drained below); no resolver thread may hold the state past this.
  state_->resolver.reset();
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
