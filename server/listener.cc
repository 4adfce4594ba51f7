#include "server/listener.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cstring>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "server/metrics.h"

#include "server/transports.h"

namespace vivarium::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using boost::system::error_code;

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

std::string ip_of(const tcp::socket& s) {
  error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec) return {};
  auto a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

// A plaintext connection until its first bytes say HTTP/2 (the preface) or
// HTTP/1.x (anything else); within header_timeout.
class Sniffer final : public ConnectionBase {
 public:
  Sniffer(Worker& w, tcp::socket s) : ConnectionBase(w), stream_(std::move(s)) {}
  void start() {
    stream_.expires_after(limits().header_timeout);
    read();
  }
  void drain() override { force_close(); }  // no request yet: nothing to finish
  void force_close() override {
    closed_ = true;
    stream_.close();
  }
  void deliver(int32_t, terrarium::HttpResponse, std::string) override {}

 private:
  void read() {
    auto self = std::static_pointer_cast<Sniffer>(shared_from_this());
    stream_.async_read_some(buffer_.prepare(4096), [self](error_code ec, size_t n) {
      if (self->closed_) return;
      if (ec) {
        if (ec == beast::error::timeout) self->count_rejected("header_timeout");
        return self->stream_.close();
      }
      self->buffer_.commit(n);
      self->decide();
    });
  }
  void decide() {
    auto d = buffer_.data();
    std::string_view got(static_cast<const char*>(d.data()), d.size());
    size_t n = std::min(got.size(), kPreface.size());
    std::string ip = ip_of(stream_.socket());
    if (got.substr(0, n) != kPreface.substr(0, n))
      return start_http1(worker(), std::move(stream_), std::move(buffer_), std::move(ip));
    if (got.size() >= kPreface.size())
      return start_http2(worker(), std::move(stream_), std::move(buffer_), std::move(ip));
    read();  // a prefix of the preface so far
  }

  PlainStream stream_;
  beast::flat_buffer buffer_;
  bool closed_ = false;
};

// TLS handshake (within header_timeout), then HTTP/2 or HTTP/1.1 by ALPN.
class Handshake final : public ConnectionBase {
 public:
  Handshake(Worker& w, tcp::socket s) : ConnectionBase(w), stream_(PlainStream(std::move(s)), *w.shared->tls) {}
  void start() {
    beast::get_lowest_layer(stream_).expires_after(limits().header_timeout);
    auto self = std::static_pointer_cast<Handshake>(shared_from_this());
    stream_.async_handshake(asio::ssl::stream_base::server, [self](error_code ec) {
      if (self->closed_) return;
      if (ec) {
        self->count_rejected(ec == beast::error::timeout ? "header_timeout" : "tls_handshake");
        return beast::get_lowest_layer(self->stream_).close();
      }
      const unsigned char* proto = nullptr;
      unsigned len = 0;
      SSL_get0_alpn_selected(self->stream_.native_handle(), &proto, &len);
      std::string ip = ip_of(beast::get_lowest_layer(self->stream_).socket());
      bool h2 = len == 2 && std::memcmp(proto, "h2", 2) == 0;
      if (h2) start_http2(self->worker(), std::move(self->stream_), {}, std::move(ip));
      else start_http1(self->worker(), std::move(self->stream_), {}, std::move(ip));
    });
  }
  void drain() override { force_close(); }
  void force_close() override {
    closed_ = true;
    beast::get_lowest_layer(stream_).close();
  }
  void deliver(int32_t, terrarium::HttpResponse, std::string) override {}

 private:
  TlsStream stream_;
  bool closed_ = false;
};

void accept_loop(Worker& w, size_t index) {
  auto& acc = *w.acceptors[index];
  acc.async_accept(w.io, [&w, index](error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !w.acceptors[index]->is_open()) return;
    if (ec) {
      // EMFILE and friends: keep accepting, but say so (once per error).
      w.shared->log("accept failed: " + ec.message());
    } else if (w.shared->connections.load(std::memory_order_relaxed) >= w.shared->opts.limits.max_connections) {
      if (auto& m = w.shared->opts.metrics)
        m->counter("vivarium_http_rejected_total", {{"reason", "max_connections"}}).inc();
      error_code ignore;
      s.close(ignore);
    } else {
      error_code ignore;
      s.set_option(tcp::no_delay(true), ignore);
      if (w.acceptor_tls[index]) std::make_shared<Handshake>(w, std::move(s))->start();
      else std::make_shared<Sniffer>(w, std::move(s))->start();
    }
    accept_loop(w, index);
  });
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen,
                void*) {
  static const unsigned char kServer[] = "\x02h2\x08http/1.1";
  unsigned char* sel = nullptr;
  if (SSL_select_next_proto(&sel, outlen, kServer, sizeof kServer - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // no ALPN in common: HTTP/1.1 without ALPN
  *out = sel;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

Result<std::unique_ptr<tcp::acceptor>> open_acceptor(asio::io_context& io, const std::string& host, uint16_t port) {
  std::string where = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Error(ErrorCode::Usage, "listen address " + where + ": not an IP address");
  tcp::endpoint ep(addr, port);
  auto acc = std::make_unique<tcp::acceptor>(io);
  auto fail = [&](const char* what) {
    return Error(ErrorCode::Io, "listen " + where + ": " + what + ": " + ec.message());
  };
  acc->open(ep.protocol(), ec);
  if (ec) return fail("socket");
  acc->set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("SO_REUSEADDR");
  int one = 1;
  if (::setsockopt(acc->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    ec = error_code(errno, boost::system::system_category());
    return fail("SO_REUSEPORT");
  }
  if (addr.is_v6()) acc->set_option(asio::ip::v6_only(false), ec);  // "::" takes IPv4 too
  acc->bind(ep, ec);
  if (ec) return fail("bind");
  acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  return acc;
}

Result<std::shared_ptr<asio::ssl::context>> make_tls_context(const std::string& cert_file,
                                                            const std::string& key_file) {
  if (cert_file.empty() || key_file.empty())
    return Error(ErrorCode::Usage, "a TLS listener needs both --tls-cert and --tls-key");
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                   ec);
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec)
    return Error(ErrorCode::Io, "TLS certificate " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec)
    return Error(ErrorCode::Io, "TLS key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return Error(ErrorCode::Usage, "TLS key " + key_file + " does not match certificate " + cert_file);
  SSL_CTX_set_alpn_select_cb(ctx->native_handle(), select_alpn, nullptr);
  return ctx;
}

void start_accepting(Worker& w) {
  for (size_t i = 0; i < w.acceptors.size(); ++i) accept_loop(w, i);
}

}  // namespace vivarium::server
