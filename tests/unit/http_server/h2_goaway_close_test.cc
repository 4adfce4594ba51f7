// An HTTP/2 connection the server ends (GOAWAY after a protocol error, or
// after idleness) must also have its socket closed and its session freed,
// whatever the client does next: otherwise each one holds a descriptor and
// a max_connections slot for good, past every timeout, and a shutdown waits
// its whole grace for it. HttpServer::connections() is what is checked.
#include <poll.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "tests/unit/http_server/test_server.h"

namespace vivarium::server::test {
namespace {

using namespace std::chrono_literals;

const std::string kPreface("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const std::string kEmptySettings("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9);
// A frame of an unknown type where SETTINGS must come first: nghttp2 answers
// GOAWAY(PROTOCOL_ERROR, "SETTINGS expected").
const std::string kBadFirstFrame = std::string("\x00\x00\x04\x99\x00\x00\x00\x00\x01", 9) + "garbage-frames";
// DATA on stream 0, after a good start: a connection error (RFC 9113 6.1).
const std::string kDataOnStreamZero("\x00\x00\x01\x00\x00\x00\x00\x00\x00x", 10);

// Waits until the server counts no connection; false past `timeout`. The
// server closes gracefully (it reads what the client still sends for up
// to a second), so a few seconds is the bound, not a measurement.
bool connections_drop_to_zero(HttpServer& s, std::chrono::milliseconds timeout = 4s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (s.connections() != 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// N plain connections each sending `bytes`; the client keeps every socket
// open (never reading) until the server has let go of all of them.
void expect_server_closes(TestServer& s, const std::string& bytes, int n) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    int fd = connect_to(s.port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, bytes));
    fds.push_back(fd);
  }
  EXPECT_TRUE(connections_drop_to_zero(s.server())) << s.server().connections() << " of " << n << " still open";
  for (int fd : fds) {
    bool closed = false;
    std::string got = read_until_close(fd, 1s, &closed);
    EXPECT_TRUE(closed) << "no close after " << got.size() << " bytes";
    ::close(fd);
  }
}

TEST(Http2GoawayClose, BadFirstFrameClosesEverySocket) {
  TestServer s;
  expect_server_closes(s, kPreface + kBadFirstFrame, 8);
  // The GOAWAY's debug data reaches a client that reads.
  std::string got = exchange(s.port(), kPreface + kBadFirstFrame, 3s);
  EXPECT_NE(got.find("SETTINGS expected"), std::string::npos);
  EXPECT_TRUE(connections_drop_to_zero(s.server()));
}

TEST(Http2GoawayClose, ProtocolErrorInALaterReadClosesTheSocket) {
  TestServer s;
  std::vector<int> fds;
  for (int i = 0; i < 4; ++i) {
    int fd = connect_to(s.port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, kPreface + kEmptySettings));
    fds.push_back(fd);
  }
  for (int fd : fds) {
    // The server's SETTINGS first: the bad frame then comes in a read of its own.
    pollfd p{fd, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 3000), 1);
    ASSERT_TRUE(send_all(fd, kDataOnStreamZero));
  }
  EXPECT_TRUE(connections_drop_to_zero(s.server())) << s.server().connections() << " still open";
  for (int fd : fds) ::close(fd);
}

TEST(Http2GoawayClose, IdleTimeoutFreesTheConnection) {
  TestServer s([](HttpServerOptions& o) { o.limits.idle_timeout = 300ms; });
  expect_server_closes(s, kPreface + kEmptySettings, 4);
}

TEST(Http2GoawayClose, MaxConnectionsIsNotUsedUpByBadClients) {
  TestServer s([](HttpServerOptions& o) { o.limits.max_connections = 4; });
  expect_server_closes(s, kPreface + kBadFirstFrame, 4);
  expect_server_closes(s, kPreface + kBadFirstFrame, 4);
  RawResponse r;
  int fd = connect_to(s.port());
  ASSERT_GE(fd, 0);
  send_all(fd, "GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  std::string carry;
  r = read_response(fd, carry, 3s);
  ::close(fd);
  EXPECT_EQ(r.status, 200);
}

TEST(Http2GoawayClose, ShutdownDoesNotWaitTheGraceForAnIdleSession) {
  TestServer s;
  int fd = connect_to(s.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, kPreface + kEmptySettings));
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 3000), 1);  // the session is up
  auto start = std::chrono::steady_clock::now();
  s.server().shutdown(30s);  // drain: GOAWAY, then close; the client stays silent
  s.server().wait();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "waited for the grace period";
  ::close(fd);
}

// ---- the same over TLS, with ALPN h2 ------------------------------------------

struct SslFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
  void operator()(SSL* s) const { SSL_free(s); }
};

// A TLS client on a blocking socket: handshake with ALPN h2, send `bytes`,
// and keep the connection open (not reading) until `done` says so.
class TlsClient {
 public:
  TlsClient(uint16_t port, const std::string& bytes) : ctx_(SSL_CTX_new(TLS_client_method())) {
    fd_ = connect_to(port);
    if (fd_ < 0 || !ctx_) return;
    static const unsigned char kAlpn[] = "\x02h2";
    SSL_CTX_set_alpn_protos(ctx_.get(), kAlpn, 3);
    ssl_.reset(SSL_new(ctx_.get()));
    SSL_set_fd(ssl_.get(), fd_);
    if (SSL_connect(ssl_.get()) != 1) return;
    const unsigned char* proto = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl_.get(), &proto, &len);
    h2_ = len == 2 && std::memcmp(proto, "h2", 2) == 0;
    sent_ = SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size())) == static_cast<int>(bytes.size());
  }
  ~TlsClient() {
    ssl_.reset();
    if (fd_ >= 0) ::close(fd_);
  }
  bool ready() const { return h2_ && sent_; }

 private:
  int fd_ = -1;
  std::unique_ptr<SSL_CTX, SslFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
  bool h2_ = false, sent_ = false;
};

TEST(Http2GoawayClose, TlsBadFirstFrameFreesEveryConnection) {
  TestServer s;
  std::vector<std::unique_ptr<TlsClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<TlsClient>(s.tls_port(), kPreface + kBadFirstFrame));
    ASSERT_TRUE(clients.back()->ready());
  }
  EXPECT_TRUE(connections_drop_to_zero(s.server())) << s.server().connections() << " still open";
}

TEST(Http2GoawayClose, TlsIdleTimeoutFreesTheConnection) {
  TestServer s([](HttpServerOptions& o) { o.limits.idle_timeout = 300ms; });
  std::vector<std::unique_ptr<TlsClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<TlsClient>(s.tls_port(), kPreface + kEmptySettings));
    ASSERT_TRUE(clients.back()->ready());
  }
  EXPECT_TRUE(connections_drop_to_zero(s.server())) << s.server().connections() << " still open";
}

}  // namespace
}  // namespace vivarium::server::test
