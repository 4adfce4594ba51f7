#include "tests/unit/gateway/ws_load.h"

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

namespace vivarium::server::gateway::load {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

class EchoConn : public std::enable_shared_from_this<EchoConn> {
 public:
  explicit EchoConn(tcp::socket s) : s_(std::move(s)) {}
  void start() {
    s_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return;
      asio::async_write(self->s_, asio::buffer(self->buf_.data(), n),
                        [self](beast::error_code ec, size_t) { if (!ec) self->start(); });
    });
  }

 private:
  tcp::socket s_;
  std::array<char, 4096> buf_{};
};

// Shared by every client of one run (all on the client's io thread).
struct Run {
  const Options& o;
  asio::io_context io;
  size_t waiting;  // sockets neither connected nor failed yet
  std::vector<std::function<void()>> go;  // each connected socket's "start sending"
  std::vector<double> latencies_ms;
  Result r;
  explicit Run(const Options& opts) : o(opts), waiting(opts.sockets) {}
  void fail(size_t id, const std::string& what) {
    ++r.errors;
    if (r.first_errors.size() < 5) r.first_errors.push_back("socket " + std::to_string(id) + ": " + what);
  }
  void settled() {
    if (--waiting > 0) return;
    if (o.at_all_connected) r.open_at_start = o.at_all_connected();
    for (auto& g : go) g();
    go.clear();
  }
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(Run& run, size_t id) : run_(run), id_(id), ws_(run.io) {}

  void start() {
    auto ep = tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), run_.o.gateway_port);
    ws_.next_layer().async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->early_fail("connect: " + ec.message());
      self->ws_.async_handshake("127.0.0.1", self->run_.o.target, [self](beast::error_code ec) {
        if (ec) return self->early_fail("handshake: " + ec.message());
        self->ws_.async_read(self->buf_, [self](beast::error_code ec, size_t) {
          std::string hello = beast::buffers_to_string(self->buf_.data());
          self->buf_.consume(self->buf_.size());
          if (ec || hello.rfind("connected ", 0) != 0)
            return self->early_fail("no 'connected': " + (ec ? ec.message() : hello));
          ++self->run_.r.connected;
          self->run_.go.push_back([self] { self->next_round(); });
          self->run_.settled();
        });
      });
    });
  }

 private:
  void early_fail(const std::string& what) {
    run_.fail(id_, what);
    run_.settled();
  }

  void next_round() {
    if (round_ == run_.o.rounds) {
      ws_.async_close(ws::close_code::normal, [self = shared_from_this()](beast::error_code) {});
      return;
    }
    // Distinct bytes per socket and round, so a crossed echo shows.
    char head[48];
    int n = std::snprintf(head, sizeof head, "socket %zu round %zu ", id_, round_);
    sent_.assign(std::max(run_.o.message_bytes, static_cast<size_t>(n)), '.');
    std::copy(head, head + n, sent_.begin());
    got_.clear();
    t0_ = Clock::now();
    ws_.binary(true);
    ws_.async_write(asio::buffer(sent_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->run_.fail(self->id_, "write: " + ec.message());
      self->read_echo();
    });
  }

  // The gateway forwards TCP reads as they come: an echo may take several messages.
  void read_echo() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->run_.fail(self->id_, "read: " + ec.message());
      self->got_ += beast::buffers_to_string(self->buf_.data());
      self->buf_.consume(self->buf_.size());
      if (self->got_.size() < self->sent_.size()) return self->read_echo();
      if (self->got_ != self->sent_) return self->run_.fail(self->id_, "wrong echo: " + self->got_.substr(0, 40));
      self->run_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - self->t0_).count());
      ++self->run_.r.messages;
      ++self->round_;
      self->next_round();
    });
  }

  Run& run_;
  size_t id_, round_ = 0;
  ws::stream<tcp::socket> ws_;
  beast::flat_buffer buf_;
  std::string sent_, got_;
  Clock::time_point t0_;
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

struct AsyncEcho::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0)};
  std::thread thread;
  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      std::make_shared<EchoConn>(std::move(s))->start();
      accept();
    });
  }
};

AsyncEcho::AsyncEcho() : impl_(std::make_unique<Impl>()) {
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->accept();
  impl_->thread = std::thread([i = impl_.get()] { i->io.run(); });
}

AsyncEcho::~AsyncEcho() {
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t AsyncEcho::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string Result::summary() const {
  char line[256];
  std::snprintf(line, sizeof line,
                "%zu sockets connected (%zu open at once at the gateway), %zu echoes, %zu errors, %.2f s; "
                "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                connected, open_at_start, messages, errors, seconds, p50_ms, p99_ms, max_ms);
  return line;
}

Result run(const Options& o) {
  Run run(o);
  auto t0 = Clock::now();
  for (size_t i = 0; i < o.sockets; ++i) std::make_shared<Client>(run, i)->start();
  run.io.run();
  run.r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::sort(run.latencies_ms.begin(), run.latencies_ms.end());
  run.r.p50_ms = percentile(run.latencies_ms, 0.50);
  run.r.p99_ms = percentile(run.latencies_ms, 0.99);
  run.r.max_ms = run.latencies_ms.empty() ? 0 : run.latencies_ms.back();
  return run.r;
}

}  // namespace vivarium::server::gateway::load
