// HTTP/1.x on one connection (plain or TLS): requests are read one at a time
// with Beast's parser, so pipelined requests simply wait in the buffer until
// the previous response is written (RFC 9112 9.3.2 keeps responses in order).
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "server/http_util.h"
#include "server/transports.h"

namespace vivarium::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()), beast::string_view(b.data(), b.size()));
}

// Transport failures and a peer that went away are not worth a log line.
bool is_disconnect(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset || ec == http::error::end_of_stream ||
         ec == http::error::partial_message || ec == asio::error::operation_aborted ||
         ec == asio::error::broken_pipe || ec == beast::error::timeout || ec == asio::ssl::error::stream_truncated;
}

template <class Stream>
class Http1Connection final : public ConnectionBase {
 public:
  Http1Connection(Worker& w, Stream s, beast::flat_buffer buf, std::string client_ip)
      : ConnectionBase(w), stream_(std::move(s)), buffer_(std::move(buf)), client_ip_(std::move(client_ip)) {}

  void start() {
    if constexpr (std::is_same_v<Stream, PlainStream>) {
      error_code ec;
      tcp().socket().non_blocking(true, ec);  // send() writes at once, never blocks
    }
    wait_for_request(true);
  }

  void drain() override {
    draining_ = true;
    if (state_ == State::Idle) force_close();  // between requests: nothing to finish
  }

  void force_close() override {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    hold_.reset();
    error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

  void deliver(int32_t, terrarium::HttpResponse r, std::string deployment) override {
    if (state_ != State::Handling) return;
    auto keep = std::move(hold_);
    deployment_ = std::move(deployment);
    send(std::move(r), !keep_alive_ || draining_);
  }

 private:
  enum class State { Idle, Reading, Handling, Writing, Closed };

  std::shared_ptr<Http1Connection> self() {
    return std::static_pointer_cast<Http1Connection>(shared_from_this());
  }
  auto& tcp() { return beast::get_lowest_layer(stream_); }

  // Waits for the first byte of the next request: within header_timeout on a
  // new connection, idle_timeout on a kept-alive one. Bytes already buffered
  // (pipelining) skip the wait.
  void wait_for_request(bool first) {
    if (draining_) return close();
    state_ = State::Idle;
    if (buffer_.size() > 0) return read_head();
    tcp().expires_after(first ? limits().header_timeout : limits().idle_timeout);
    stream_.async_read_some(buffer_.prepare(8192), [self = self()](error_code ec, size_t n) {
      if (self->state_ == State::Closed) return;
      if (ec) {
        if (ec == beast::error::timeout) self->count_rejected("idle_timeout");
        return self->close();
      }
      self->buffer_.commit(n);
      self->read_head();
    });
  }

  void read_head() {
    state_ = State::Reading;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(limits().max_header_bytes, UINT32_MAX)));
    parser_->body_limit(limits().max_body_bytes);
    start_ = Clock::now();
    start_wall_ = std::chrono::system_clock::now();
    // The usual case: the whole head arrived in the bytes already read.
    // Parsing it in place spares the composed read and its timer.
    if (buffer_.size() > 0) {
      error_code ec;
      buffer_.consume(parser_->put(buffer_.data(), ec));
      if (ec != http::error::need_more) return on_head(ec);
    }
    tcp().expires_after(limits().header_timeout);  // the whole head, however it trickles in
    http::async_read_header(stream_, buffer_, *parser_, [self = self()](error_code ec, size_t) {
      self->on_head(ec);
    });
  }

  void on_head(error_code ec) {
    if (state_ == State::Closed) return;
    if (ec == http::error::header_limit) return refuse(431, "request header too large", "header_too_large");
    if (ec == http::error::body_limit) return refuse(413, "request body too large", "body_too_large");
    if (ec == beast::error::timeout) {
      count_rejected("header_timeout");  // slowloris: no answer, just the door
      return close();
    }
    if (ec) {
      if (is_disconnect(ec)) return close();
      return refuse(400, "malformed request: " + ec.message(), "bad_request");
    }
    auto& msg = parser_->get();
    size_t count = 0;
    for (auto it = msg.begin(); it != msg.end(); ++it) ++count;
    if (count > limits().max_headers)
      return refuse(431, "too many request headers (" + std::to_string(count) + ", at most " +
                             std::to_string(limits().max_headers) + ")", "header_too_large");
    if (msg.version() != 10 && msg.version() != 11)
      return refuse(505, "HTTP version not supported", "bad_request");
    if (auto problem = take_target_and_host(); !problem.empty()) return refuse(400, problem, "bad_request");
    if (auto [status, problem] = check_transfer_coding(); status) return refuse(status, problem, "bad_request");
    keep_alive_ = msg.keep_alive();
    head_ = msg.method() == http::verb::head;
    if (auto it = msg.find(http::field::expect); it != msg.end()) {
      if (!iequals(sv(it->value()), "100-continue"))
        return refuse(417, "unsupported Expect: " + std::string(sv(it->value())), "bad_request");
      if (!parser_->is_done() && msg.version() == 11) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        tcp().expires_after(limits().idle_timeout);
        return asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                                 [self = self()](error_code ec2, size_t) {
                                   if (self->state_ == State::Closed) return;
                                   if (ec2) return self->close();
                                   self->read_body();
                                 });
      }
    }
    read_body();
  }

  // Origin-form or absolute-form target (RFC 9112 3.2); the host from
  // absolute-form wins over Host. Returns what is wrong, or "".
  std::string take_target_and_host() {
    auto& msg = parser_->get();
    std::string_view target = sv(msg.target());
    std::string_view host_header;
    size_t hosts = 0;
    for (auto it = msg.find(http::field::host); it != msg.end() && it->name() == http::field::host; ++it) {
      host_header = sv(it->value());
      ++hosts;
    }
    if (hosts > 1) return "more than one Host header";
    if (hosts == 0 && msg.version() == 11) return "HTTP/1.1 request without a Host header";
    std::string_view authority = host_header;
    if (target.empty()) return "empty request target";
    if (target.front() == '/') {
      target_.assign(target);
    } else if (target == "*" && msg.method() == http::verb::options) {
      target_ = "*";
    } else {
      size_t scheme_end = target.find("://");
      if (scheme_end == std::string_view::npos ||
          !(iequals(target.substr(0, scheme_end), "http") || iequals(target.substr(0, scheme_end), "https")))
        return "request target is neither origin-form nor absolute-form: " + std::string(target.substr(0, 64));
      std::string_view rest = target.substr(scheme_end + 3);
      size_t path = rest.find_first_of("/?");
      authority = rest.substr(0, path);
      if (path == std::string_view::npos) target_ = "/";
      else if (rest[path] == '?') target_ = "/" + std::string(rest.substr(path));
      else target_.assign(rest.substr(path));
    }
    host_.clear();
    if (!authority.empty() || hosts > 0) {
      host_ = normalize_host(authority);
      if (host_.empty()) return "malformed Host: " + std::string(authority.substr(0, 64));
    }
    return {};
  }

  // The only transfer-coding a request may use is chunked, once and last
  // (RFC 9112 6.1, 7): anything else would hand the handler a body it cannot
  // decode (the header itself is hop-by-hop and removed), or leave its length
  // to the close of the connection, which a request cannot use.
  std::pair<uint16_t, std::string> check_transfer_coding() {
    auto& msg = parser_->get();
    std::vector<std::string> codings;
    for (auto it = msg.find(http::field::transfer_encoding);
         it != msg.end() && it->name() == http::field::transfer_encoding; ++it) {
      std::string_view v = sv(it->value());
      size_t i = 0;
      while (i <= v.size()) {
        size_t j = std::min(v.find(',', i), v.size());
        std::string_view c = v.substr(i, j - i);
        while (!c.empty() && (c.front() == ' ' || c.front() == '\t')) c.remove_prefix(1);
        while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) c.remove_suffix(1);
        if (!c.empty()) codings.emplace_back(c);
        i = j + 1;
      }
    }
    if (codings.empty()) return {0, {}};
    for (const auto& c : codings)
      if (!iequals(c, "chunked")) return {501, "transfer-coding not supported: " + c.substr(0, 64)};
    if (codings.size() > 1) return {400, "chunked applied more than once"};
    return {0, {}};
  }

  void read_body() {
    if (parser_->is_done()) return dispatch();
    tcp().expires_after(limits().idle_timeout);  // each read must make progress
    http::async_read_some(stream_, buffer_, *parser_, [self = self()](error_code ec, size_t) {
      if (self->state_ == State::Closed) return;
      if (ec == http::error::body_limit) return self->refuse(413, "request body too large", "body_too_large");
      if (ec == beast::error::timeout) {
        self->count_rejected("body_timeout");
        return self->close();
      }
      if (ec) {
        if (is_disconnect(ec)) return self->close();
        return self->refuse(400, "malformed request body: " + ec.message(), "bad_request");
      }
      self->read_body();
    });
  }

  void dispatch() {
    auto msg = parser_->release();
    parser_.reset();
    IncomingRequest in;
    auto& req = in.request;
    req.method.assign(sv(msg.method_string()));
    req.target = std::move(target_);
    ConnectionTokens conn_tokens;
    for (auto it = msg.find(http::field::connection); it != msg.end() && it->name() == http::field::connection;
         ++it)
      conn_tokens.add(sv(it->value()));
    for (const auto& f : msg) {
      std::string_view name = sv(f.name_string());
      if (is_hop_by_hop(name) || conn_tokens.contains(name)) continue;
      if (f.name() == http::field::user_agent) user_agent_.assign(sv(f.value()));
      else if (f.name() == http::field::referer) referer_.assign(sv(f.value()));
      req.headers.emplace_back(std::string(name), std::string(sv(f.value())));
    }
    req.body = std::move(msg.body());
    req.client_ip = client_ip_;
    req.request_id = new_request_id();
    in.host = host_;
    in.protocol = msg.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
    in.tls = !std::is_same_v<Stream, PlainStream>;
    method_ = req.method;
    log_target_ = req.target;
    request_id_ = req.request_id;
    protocol_ = in.protocol;
    request_bytes_ = req.body.size();
    deployment_.clear();
    state_ = State::Handling;
    ++requests_;
    hold_ = shared_from_this();  // no I/O is pending while the handler works
    tcp().expires_never();
    Respond respond = make_respond(0);
    try {
      in.compute = worker().compute.get_executor();
      shared().handler(worker().io.get_executor(), std::move(in), respond);
    } catch (const std::exception& e) {
      respond(error_response(500, std::string("handler failed: ") + e.what()));
    } catch (...) {
      respond(error_response(500, "handler failed"));
    }
    if (state_ == State::Handling) watch_client(state_of(respond));
  }

  // While the handler works, a client that closes the connection cancels
  // its request (Respond::on_cancel: the guest stops). Waiting for
  // readability consumes nothing: a pipelined request stays for the
  // parser, and only an end of stream or an error counts as leaving (as
  // nginx's 499). Over TLS the close_notify before the FIN is data, so
  // there only a connection reset is seen.
  void watch_client(std::weak_ptr<Respond::State> request) {
    tcp().socket().async_wait(
        asio::socket_base::wait_read, [self = self(), request = std::move(request), n = requests_](error_code ec) {
          if (ec || self->state_ != State::Handling || self->requests_ != n) return;
          char byte;
          const ssize_t got = ::recv(self->tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
          if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return self->watch_client(request);  // woken for nothing
          if (got <= 0) client_left(request);
        });
  }

  // Answers a request the protocol layer refuses, then closes: after a
  // parse error the byte stream cannot be trusted to frame another request.
  void refuse(uint16_t status, std::string message, const char* reason) {
    count_rejected(reason);
    if (parser_ && parser_->is_header_done()) {
      method_.assign(sv(parser_->get().method_string()));
      log_target_.assign(sv(parser_->get().target()));
    } else {
      method_.clear();
      log_target_.clear();
    }
    request_id_ = new_request_id();
    protocol_ = "HTTP/1.1";
    request_bytes_ = 0;
    deployment_.clear();
    head_ = false;
    parser_.reset();
    send(error_response(status, message), true);
  }

  void send(terrarium::HttpResponse r, bool close_after) {
    ResponseFacts facts = sanitize_response(r, false);
    std::string& h = out_head_;
    h.clear();
    h += "HTTP/1.1 ";
    h += std::to_string(r.status);
    h += ' ';
    h += sv(http::obsolete_reason(static_cast<http::status>(r.status)));
    h += "\r\n";
    for (const auto& [name, value] : r.headers) {
      h += name;
      h += ": ";
      h += value;
      h += "\r\n";
    }
    bool bodyless = !status_has_body(r.status);
    if (r.status != 204 && r.status != 304) {
      h += "Content-Length: ";
      h += std::to_string(r.body.size());
      h += "\r\n";
    }
    if (!facts.has_date) {
      h += "Date: ";
      h += http_date();
      h += "\r\n";
    }
    if (!facts.has_server && !shared().opts.server_name.empty()) {
      h += "Server: ";
      h += shared().opts.server_name;
      h += "\r\n";
    }
    if (close_after) h += "Connection: close\r\n";
    else if (protocol_ == "HTTP/1.0") h += "Connection: keep-alive\r\n";
    h += "\r\n";
    out_body_ = std::move(r.body);
    if (head_ || bodyless) out_body_.clear();
    status_ = r.status;
    state_ = State::Writing;
    std::array<asio::const_buffer, 2> bufs{asio::buffer(out_head_), asio::buffer(out_body_)};
    size_t sent = 0;
    if constexpr (std::is_same_v<Stream, PlainStream>) {
      // A small response nearly always fits the socket buffer: one writev
      // now, and the reactor, the write timer and a completion only for
      // what is left (the socket is non-blocking: see start()).
      error_code ec;
      sent = tcp().socket().write_some(bufs, ec);
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return on_written(ec, close_after);
      if (sent == out_head_.size() + out_body_.size()) return on_written({}, close_after);
    }
    tcp().expires_after(limits().idle_timeout);
    beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(bufs);
    rest.consume(sent);
    asio::async_write(stream_, rest, [self = self(), close_after](error_code ec, size_t) {
      self->on_written(ec, close_after);
    });
  }

  void on_written(error_code ec, bool close_after) {
    if (state_ == State::Closed) return;
    std::string ua = std::move(user_agent_), ref = std::move(referer_);
    AccessRecord rec;
    rec.time = start_wall_;
    rec.client_ip = client_ip_;
    rec.method = method_;
    rec.target = log_target_;
    rec.protocol = protocol_;
    rec.host = host_;
    rec.deployment = deployment_;
    rec.request_id = request_id_;
    rec.user_agent = ua;
    rec.referer = ref;
    rec.status = status_;
    rec.request_bytes = request_bytes_;
    rec.response_bytes = ec ? 0 : out_body_.size();
    rec.latency = Clock::now() - start_;
    record(rec);
    user_agent_.clear();
    referer_.clear();
    out_body_.clear();
    if (ec || close_after) return close();
    wait_for_request(false);
  }

  void close() {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    close_gracefully(stream_, shared_from_this());
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::string client_ip_;
  State state_ = State::Idle;
  std::shared_ptr<ConnectionBase> hold_;  // set while Handling: the Respond holds only a weak_ptr
  bool draining_ = false;
  std::optional<http::request_parser<http::string_body>> parser_;
  // The request in flight, for its response and its access log line.
  bool keep_alive_ = true, head_ = false;
  std::string target_, host_, method_, log_target_, request_id_, protocol_ = "HTTP/1.1", deployment_;
  std::string user_agent_, referer_;
  uint64_t request_bytes_ = 0;
  uint64_t requests_ = 0;  // handled so far: tells a stale watch_client wake-up
  uint16_t status_ = 0;
  Clock::time_point start_;
  std::chrono::system_clock::time_point start_wall_;
  std::string out_head_, out_body_;
};

template <class Stream>
void start(Worker& w, Stream s, beast::flat_buffer buf, std::string ip) {
  auto c = std::make_shared<Http1Connection<Stream>>(w, std::move(s), std::move(buf), std::move(ip));
  c->start();
}

// Reads and drops what the client still sends, up to a second and 16 MiB:
// closing with unread data sends a RST, which can destroy a 413 the client
// has not read yet. A client streaming a huge body has a few MiB in flight
// when it sees the answer (1 MiB lost one 413 in ~40 in serve_isolation).
void linger(PlainStream& s, std::shared_ptr<void> keep, std::shared_ptr<std::array<char, 16384>> sink,
            size_t budget) {
  s.async_read_some(asio::buffer(*sink), [&s, keep, sink, budget](error_code ec, size_t n) mutable {
    if (ec || n >= budget) return s.close();
    linger(s, std::move(keep), std::move(sink), budget - n);
  });
}

}  // namespace

void start_http1(Worker& w, PlainStream s, beast::flat_buffer b, std::string ip) {
  start(w, std::move(s), std::move(b), std::move(ip));
}
void start_http1(Worker& w, TlsStream s, beast::flat_buffer b, std::string ip) {
  start(w, std::move(s), std::move(b), std::move(ip));
}

void close_gracefully(PlainStream& s, std::shared_ptr<void> keep) {
  error_code ec;
  s.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) return s.close();
  s.expires_after(std::chrono::seconds(1));
  linger(s, std::move(keep), std::make_shared<std::array<char, 16384>>(), 16 << 20);
}

void close_gracefully(TlsStream& s, std::shared_ptr<void> keep) {
  beast::get_lowest_layer(s).expires_after(std::chrono::seconds(1));
  s.async_shutdown([&s, keep](error_code) { beast::get_lowest_layer(s).close(); });
}

}  // namespace vivarium::server
