// HTTP/2 on one connection (h2c with prior knowledge, or h2 after ALPN) with
// nghttp2: nghttp2 owns the framing, flow control and HPACK state; this file
// moves bytes between it and the socket, turns each stream into an
// IncomingRequest, and enforces the HttpLimits per stream.
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "server/http_util.h"
#include "server/transports.h"

namespace vivarium::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr size_t kWriteChunk = 64 << 10;    // gather this much from nghttp2 per socket write
constexpr int32_t kInitialWindow = 1 << 20;  // per stream: uploads need not wait for WINDOW_UPDATEs
// After an early answer (413, 431) the rest of an upload is read and dropped
// up to this much, so that clients which cannot take an early RST_STREAM
// (curl 7.88 reports a framing error) still see the answer; past it, reset.
constexpr size_t kDiscardAllowance = 1 << 20;

struct H2Stream {
  int32_t id = 0;
  IncomingRequest in;
  size_t header_bytes = 0, header_count = 0;
  uint16_t refuse_status = 0;  // set once a limit is passed: answer with it
  std::string refuse_message;
  bool dispatched = false, responded = false, request_complete = false, head = false;
  std::string user_agent, referer, deployment;
  std::string log_method, log_target, request_id;  // kept for the access log once `in` is handed over
  uint64_t request_bytes = 0;
  uint16_t status = 0;
  std::string response_body;
  size_t body_sent = 0;
  size_t discarded = 0;  // upload bytes dropped after an early answer
  bool reset_sent = false;
  bool headers_done = false;
  Clock::time_point last_data;  // the last request frame: a stalled upload is reset
  std::string authority;        // as sent, for a synthesized host header
  std::weak_ptr<Respond::State> request;  // once dispatched: cancelled if the stream goes unanswered
  Clock::time_point start;
  std::chrono::system_clock::time_point start_wall;
};

std::string_view as_sv(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

template <class Stream>
class Http2Session final : public ConnectionBase {
 public:
  Http2Session(Worker& w, Stream s, beast::flat_buffer buf, std::string client_ip)
      : ConnectionBase(w),
        stream_(std::move(s)),
        initial_(std::move(buf)),
        client_ip_(std::move(client_ip)),
        timer_(w.io),
        rbuf_(16384) {}

  ~Http2Session() override {
    if (session_) nghttp2_session_del(session_);
  }

  void start() {
    nghttp2_session_callbacks* cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
    int rv = nghttp2_session_server_new(&session_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0) return close();
    nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits().max_concurrent_streams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kInitialWindow)},
    };
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    beast::get_lowest_layer(stream_).expires_never();  // this session keeps its own clock
    last_read_ = Clock::now();
    arm_timer();
    auto data = initial_.data();
    if (data.size() > 0 && !feed(static_cast<const uint8_t*>(data.data()), data.size())) return;
    initial_.consume(initial_.size());
    flush();
    // Not when nghttp2 has already ended the session (a bad first frame in
    // the bytes the listener read): a read left pending then only delays
    // the close below.
    if (nghttp2_session_want_read(session_)) read();
  }

  void drain() override {
    if (closed_ || draining_) return;
    draining_ = true;
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                          NGHTTP2_NO_ERROR, nullptr, 0);
    flush();
  }

  // Also during a graceful close: the shutdown's deadline must not wait on it.
  void force_close() override {
    if (force_closed_) return;
    cancel_unanswered();
    closed_ = force_closed_ = true;
    timer_.cancel();
    error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

  void deliver(int32_t id, terrarium::HttpResponse r, std::string deployment) override {
    if (closed_) return;
    auto it = streams_.find(id);
    if (it == streams_.end() || it->second->responded) return;  // reset by the client meanwhile
    it->second->deployment = std::move(deployment);
    submit(*it->second, std::move(r));
    flush();
  }

 private:
  std::shared_ptr<Http2Session> self() { return std::static_pointer_cast<Http2Session>(shared_from_this()); }
  static Http2Session& of(void* ud) { return *static_cast<Http2Session*>(ud); }
  H2Stream* find(int32_t id) {
    auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
  }

  // ---- socket side -----------------------------------------------------------
  bool feed(const uint8_t* p, size_t n) {
    ssize_t rv = nghttp2_session_mem_recv(session_, p, n);
    if (rv < 0) {
      // nghttp2 has queued a GOAWAY for protocol errors; send it, then close.
      if (rv != NGHTTP2_ERR_BAD_CLIENT_MAGIC) count_rejected("h2_protocol_error");
      flush();
      close_after_write_ = true;
      if (!writing_) close();
      return false;
    }
    return true;
  }

  void read() {
    if (closed_ || reading_) return;
    reading_ = true;
    stream_.async_read_some(asio::buffer(rbuf_), [self = self()](error_code ec, size_t n) {
      self->reading_ = false;
      if (self->closed_) return self->hand_over_close();
      if (ec) return self->close();
      self->last_read_ = Clock::now();
      if (!self->feed(self->rbuf_.data(), n)) return;
      self->flush();
      if (nghttp2_session_want_read(self->session_)) self->read();
    });
  }

  void flush() {
    if (closed_ || writing_) return;
    wbuf_.clear();
    while (wbuf_.size() < kWriteChunk) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return close();
      if (n == 0) break;
      wbuf_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (wbuf_.empty()) {
      if (close_after_write_ ||
          (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)))
        close();
      return;
    }
    writing_ = true;
    write_started_ = Clock::now();
    asio::async_write(stream_, asio::buffer(wbuf_), [self = self()](error_code ec, size_t) {
      self->writing_ = false;
      if (self->closed_) return self->hand_over_close();
      if (ec) return self->close();
      self->flush();
    });
  }

  // One timer watches the whole connection: the preface within
  // header_timeout, idleness (no stream open) past idle_timeout, and a write
  // the client does not read past idle_timeout.
  void arm_timer() {
    auto tick = std::min(limits().header_timeout, limits().idle_timeout) / 4;
    tick = std::clamp(tick, std::chrono::milliseconds(20), std::chrono::milliseconds(1000));
    timer_.expires_after(tick);
    timer_.async_wait([self = self()](error_code ec) {
      if (ec || self->closed_) return;
      self->on_tick();
    });
  }

  void on_tick() {
    auto now = Clock::now();
    bool got_preface = nghttp2_session_get_last_proc_stream_id(session_) > 0 || seen_frame_;
    if (writing_ && now - write_started_ > limits().idle_timeout) return force_close();
    if (!got_preface && now - last_read_ > limits().header_timeout) {
      count_rejected("header_timeout");
      return force_close();
    }
    // Per stream: its head within header_timeout, then its upload must not
    // stall for idle_timeout (HTTP/2's slowloris).
    for (auto& [id, st] : streams_) {
      if (st->dispatched || st->reset_sent) continue;
      bool late = !st->headers_done ? now - st->start > limits().header_timeout
                                    : now - st->last_data > limits().idle_timeout;
      if (late) {
        st->reset_sent = true;
        count_rejected(st->headers_done ? "body_timeout" : "header_timeout");
        nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
      }
    }
    flush();
    if (streams_.empty() && now - last_read_ > limits().idle_timeout) {
      count_rejected("idle_timeout");
      drain();
      close_after_write_ = true;
      if (!writing_) return close();
    }
    arm_timer();
  }

  // A stream takes one read at a time: while ours is pending, the linger read
  // of close_gracefully would queue behind it, lose its timeout when ours
  // ends, and (the client having closed) wait forever holding this session.
  // So ours is cancelled, and its handler closes. No write is pending here.
  void close() {
    if (closed_) return;
    cancel_unanswered();
    closed_ = true;
    timer_.cancel();
    hand_over_close();
  }

  // The connection goes: no stream still being handled can be answered.
  void cancel_unanswered() {
    for (auto& [id, s] : streams_)
      if (s->dispatched && !s->responded) client_left(s->request);
  }

  // close_gracefully reads (and drops) what the client still sends, under a
  // deadline of its own. A read or write of ours may still be in flight
  // here (a read is, when nghttp2 ends the session after a bad frame): a
  // second read on the stream is not allowed, beast sets no deadline for it
  // while ours is pending, and the reactor may never complete it, so the
  // socket and this session would stay open for good, past every timeout.
  // Cancel ours, and hand the stream over once they have unwound.
  void hand_over_close() {
    if (handed_over_ || force_closed_) return;
    if (reading_ || writing_) {
      error_code ec;
      beast::get_lowest_layer(stream_).socket().cancel(ec);
      return;  // the last handler to finish calls back here
    }
    handed_over_ = true;
    close_gracefully(stream_, shared_from_this());
  }

  // ---- requests and responses ----------------------------------------------------
  void refuse(H2Stream& s, uint16_t status, std::string message, const char* reason) {
    if (s.refuse_status) return;
    s.refuse_status = status;
    s.refuse_message = std::move(message);
    count_rejected(reason);
  }

  void dispatch(H2Stream& s) {
    s.dispatched = true;
    auto& req = s.in.request;
    s.log_method = req.method;
    s.log_target = req.target;
    s.request_id = new_request_id();
    // HTTP/1.1 handlers read the host from the headers: give them one.
    if (!s.authority.empty()) req.headers.emplace(req.headers.begin(), "host", s.authority);
    if (s.refuse_status) return submit(s, error_response(s.refuse_status, s.refuse_message));
    if (req.method.empty() || (req.target.empty() && req.method != "CONNECT"))
      return submit(s, error_response(400, "missing :method or :path"));
    if (req.method == "CONNECT") return submit(s, error_response(405, "CONNECT is not supported"));
    if (req.target.front() != '/' && !(req.target == "*" && req.method == "OPTIONS"))
      return submit(s, error_response(400, "malformed :path"));
    req.client_ip = client_ip_;
    req.request_id = s.request_id;
    s.in.protocol = "HTTP/2";
    s.in.tls = !std::is_same_v<Stream, PlainStream>;
    s.head = req.method == "HEAD";
    s.request_bytes = req.body.size();
    Respond respond = make_respond(s.id);
    s.request = state_of(respond);
    IncomingRequest in = std::move(s.in);
    s.in.host = in.host;
    try {
      in.compute = worker().compute.get_executor();
      shared().handler(worker().io.get_executor(), std::move(in), respond);
    } catch (const std::exception& e) {
      respond(error_response(500, std::string("handler failed: ") + e.what()));
    } catch (...) {
      respond(error_response(500, "handler failed"));
    }
  }

  void submit(H2Stream& s, terrarium::HttpResponse r) {
    ResponseFacts facts = sanitize_response(r, true);
    s.responded = true;
    s.status = r.status;
    std::string status = std::to_string(r.status);
    std::string length = std::to_string(r.body.size());
    std::vector<nghttp2_nv> nva;
    nva.reserve(r.headers.size() + 4);
    auto add = [&](std::string_view n, std::string_view v) {
      nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(n.data())),
                     reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(),
                     NGHTTP2_NV_FLAG_NONE});
    };
    add(":status", status);
    for (const auto& [n, v] : r.headers) add(n, v);
    if (r.status != 204 && r.status != 304) add("content-length", length);
    std::string date;
    if (!facts.has_date) {
      date.assign(http_date());
      add("date", date);
    }
    if (!facts.has_server && !shared().opts.server_name.empty()) add("server", shared().opts.server_name);
    s.response_body = std::move(r.body);
    if (s.head || !status_has_body(r.status)) s.response_body.clear();
    nghttp2_data_provider prd;
    prd.source.ptr = &s;
    prd.read_callback = read_body;
    // nghttp2 copies the name/value pairs: the strings above may go.
    int rv = nghttp2_submit_response(session_, s.id, nva.data(), nva.size(),
                                     s.response_body.empty() ? nullptr : &prd);
    if (rv != 0) nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, NGHTTP2_INTERNAL_ERROR);
  }

  static ssize_t read_body(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                           nghttp2_data_source* src, void*) {
    auto& s = *static_cast<H2Stream*>(src->ptr);
    size_t n = std::min(length, s.response_body.size() - s.body_sent);
    std::memcpy(buf, s.response_body.data() + s.body_sent, n);
    s.body_sent += n;
    if (s.body_sent == s.response_body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  void record_stream(const H2Stream& s) {
    AccessRecord rec;
    rec.time = s.start_wall;
    rec.client_ip = client_ip_;
    rec.method = s.log_method;
    rec.target = s.log_target;
    rec.protocol = "HTTP/2";
    rec.host = s.in.host;
    rec.deployment = s.deployment;
    rec.request_id = s.request_id;
    rec.user_agent = s.user_agent;
    rec.referer = s.referer;
    rec.status = s.status;
    rec.request_bytes = s.request_bytes;
    rec.response_bytes = s.body_sent;
    rec.latency = Clock::now() - s.start;
    record(rec);
  }

  // ---- nghttp2 callbacks -----------------------------------------------------------
  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* f, void* ud) {
    auto& c = of(ud);
    c.seen_frame_ = true;
    if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    if (c.draining_) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // GOAWAY sent: refuse (RST_STREAM)
    auto s = std::make_unique<H2Stream>();
    s->id = f->hd.stream_id;
    s->start = s->last_data = Clock::now();
    s->start_wall = std::chrono::system_clock::now();
    c.streams_[s->id] = std::move(s);
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* f, const uint8_t* n, size_t nlen,
                       const uint8_t* v, size_t vlen, uint8_t, void* ud) {
    auto& c = of(ud);
    H2Stream* s = c.find(f->hd.stream_id);
    if (!s) return 0;
    std::string_view name = as_sv(n, nlen), value = as_sv(v, vlen);
    s->header_bytes += nlen + vlen + 4;  // ": " and CRLF, as HTTP/1.1 would count them
    // A header block far past the limit is an attack (CONTINUATION flood),
    // not a mistake: end the connection rather than keep decoding.
    if (s->header_bytes > 4 * c.limits().max_header_bytes + (64 << 10)) {
      c.count_rejected("h2_header_flood");
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    if (s->refuse_status) return 0;
    if (s->header_bytes > c.limits().max_header_bytes) {
      c.refuse(*s, 431, "request header too large", "header_too_large");
      return 0;
    }
    if (f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;  // trailers: counted, not passed on
    auto& req = s->in.request;
    if (!name.empty() && name.front() == ':') {
      if (name == ":method") req.method.assign(value);
      else if (name == ":path") req.target.assign(value);
      else if (name == ":authority") {
        s->authority.assign(value);
        s->in.host = normalize_host(value);
      }
      return 0;
    }
    if (++s->header_count > c.limits().max_headers) {
      c.refuse(*s, 431, "too many request headers (at most " + std::to_string(c.limits().max_headers) + ")",
               "header_too_large");
      return 0;
    }
    if (is_hop_by_hop(name)) return 0;  // nghttp2 already refuses most; TE: trailers may pass
    if (name == "host") {
      if (s->authority.empty()) s->in.host = normalize_host(value);
      s->authority.clear();  // the client's own host header is passed on; none is synthesized
    }
    else if (name == "user-agent") s->user_agent.assign(value);
    else if (name == "referer") s->referer.assign(value);
    else if (name == "content-length") {
      uint64_t len = 0;
      for (char ch : value) len = len * 10 + static_cast<uint64_t>(ch - '0');  // nghttp2 validated digits
      if (len > c.limits().max_body_bytes) c.refuse(*s, 413, "request body too large", "body_too_large");
    }
    req.headers.emplace_back(std::string(name), std::string(value));
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* ud) {
    auto& c = of(ud);
    H2Stream* s = c.find(id);
    if (!s) return 0;
    if (s->refuse_status || s->responded) {
      s->discarded += len;
      if (s->discarded > kDiscardAllowance && s->responded && !s->reset_sent) {
        s->reset_sent = true;  // RFC 9113 8.1: a complete response, then stop the upload
        nghttp2_submit_rst_stream(c.session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_NO_ERROR);
      }
      return 0;
    }
    auto& body = s->in.request.body;
    if (body.size() + len > c.limits().max_body_bytes) {
      c.refuse(*s, 413, "request body too large", "body_too_large");
      body.clear();
      body.shrink_to_fit();
      c.dispatch(*s);  // answer now; the rest of the upload is reset after the response
      return 0;
    }
    body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* f, void* ud) {
    auto& c = of(ud);
    c.seen_frame_ = true;
    if (f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA) return 0;
    H2Stream* s = c.find(f->hd.stream_id);
    if (!s) return 0;
    bool end = f->hd.flags & NGHTTP2_FLAG_END_STREAM;
    if (end) s->request_complete = true;
    if (f->hd.type == NGHTTP2_HEADERS) s->headers_done = true;
    s->last_data = Clock::now();
    if (s->dispatched) return 0;
    // A refused head is answered at once; a request is handled when complete.
    if (end || (f->hd.type == NGHTTP2_HEADERS && s->refuse_status)) c.dispatch(*s);
    return 0;
  }

  static int on_stream_close(nghttp2_session*, int32_t id, uint32_t, void* ud) {
    auto& c = of(ud);
    auto it = c.streams_.find(id);
    if (it == c.streams_.end()) return 0;
    if (it->second->responded) c.record_stream(*it->second);
    else if (it->second->dispatched) client_left(it->second->request);  // RST_STREAM before the answer
    c.streams_.erase(it);
    return 0;
  }

  Stream stream_;
  beast::flat_buffer initial_;
  std::string client_ip_;
  asio::steady_timer timer_;
  nghttp2_session* session_ = nullptr;
  std::vector<uint8_t> rbuf_;
  std::string wbuf_;
  std::unordered_map<int32_t, std::unique_ptr<H2Stream>> streams_;
  // closed_: no new I/O; then the stream is handed to close_gracefully, or
  // force-closed (which may also cut a graceful close short).
  bool reading_ = false, writing_ = false, closed_ = false, draining_ = false;
  bool handed_over_ = false, force_closed_ = false;
  bool close_after_write_ = false, seen_frame_ = false;
  Clock::time_point last_read_, write_started_;
};

template <class Stream>
void start(Worker& w, Stream s, beast::flat_buffer buf, std::string ip) {
  auto c = std::make_shared<Http2Session<Stream>>(w, std::move(s), std::move(buf), std::move(ip));
  c->start();
}

}  // namespace

void start_http2(Worker& w, PlainStream s, beast::flat_buffer b, std::string ip) {
  start(w, std::move(s), std::move(b), std::move(ip));
}
void start_http2(Worker& w, TlsStream s, beast::flat_buffer b, std::string ip) {
  start(w, std::move(s), std::move(b), std::move(ip));
}

}  // namespace vivarium::server
