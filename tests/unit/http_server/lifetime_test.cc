// What a server leaves behind once destroyed: nothing. Every Worker holds the
// server's shared state (and so the handler and what it captured), and every
// connection counts itself in vivarium_http_open_connections; so a handler
// whose captures outlive the server, or a gauge that stays above zero, is a
// Worker or a connection still alive — e.g. kept in a cycle by a handler
// still queued in its io_context when the worker stopped (the leak
// LeakSanitizer reported from `vivarium serve` at SIGTERM).
#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "tests/unit/http_server/test_server.h"

namespace vivarium::server::test {
namespace {

using namespace std::chrono_literals;

// The Responds of /hold requests: answered (or dropped) by the test.
struct Held {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Respond> responds;

  bool wait_for(size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 20s, [&] { return responds.size() >= n; });
  }
  std::vector<Respond> take() {
    std::lock_guard lock(mu);
    return std::move(responds);
  }
};

terrarium::HttpResponse ok() {
  terrarium::HttpResponse r;
  r.body = "ok";
  return r;
}

struct Fixture {
  std::shared_ptr<MetricsRegistry> metrics = std::make_shared<MetricsRegistry>();
  std::shared_ptr<Held> held = std::make_shared<Held>();
  std::weak_ptr<int> handler_alive;  // expires once the last Worker is freed
  std::unique_ptr<HttpServer> server;
  uint16_t port = 0, tls_port = 0;

  Fixture() {
    HttpServerOptions o;
    o.listen = {{"127.0.0.1", 0, false}, {"127.0.0.1", 0, true}};
    o.tls_cert_file = tls_files().cert;
    o.tls_key_file = tls_files().key;
    o.threads = 2;
    o.metrics = metrics;
    auto token = std::make_shared<int>(0);
    handler_alive = token;
    auto h = held;
    auto s = HttpServer::create(std::move(o), [token, h](boost::asio::any_io_executor ex, IncomingRequest in,
                                                           Respond respond) {
      if (in.request.target == "/hold") {
        std::lock_guard lock(h->mu);
        h->responds.push_back(std::move(respond));
        h->cv.notify_all();
        return;
      }
      boost::asio::post(ex, [respond] { respond(ok()); });  // queued on the worker, as fibers are
    });
    if (!s.ok()) {
      ADD_FAILURE() << "create: " << s.error().message();
      return;
    }
    server = std::move(s).value();
    port = server->bound_ports()[0];
    tls_port = server->bound_ports()[1];
    server->start();
  }

  double open_connections() { return metrics->gauge("vivarium_http_open_connections").value(); }

  // An HTTP/1.1 keep-alive connection that got one answer and stays open.
  int idle_keep_alive() {
    int fd = connect_to(port);
    send_all(fd, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    std::string carry;
    EXPECT_EQ(read_response(fd, carry).status, 200);
    return fd;
  }

  // An HTTP/2 connection (prior knowledge) whose stream 1 is a GET /hold,
  // in flight until answered. The header block is HPACK without state:
  // :method GET, :scheme http (static table), :path /hold, :authority a
  // (literals with an indexed name).
  int h2_hold() {
    int fd = connect_to(port);
    std::string block("\x82\x86\x04\x05/hold\x01\x01" "a");
    std::string headers{0, 0, static_cast<char>(block.size()), 1, 5, 0, 0, 0, 1};  // END_STREAM|END_HEADERS
    send_all(fd, std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + kEmptySettings + headers + block);
    return fd;
  }
  static inline const std::string kEmptySettings{0, 0, 0, 4, 0, 0, 0, 0, 0};
};

TEST(Lifetime, GracefulShutdownFreesEveryWorkerAndConnection) {
  Fixture f;
  ASSERT_TRUE(f.server);
  int idle = f.idle_keep_alive();
  int busy = connect_to(f.port);
  send_all(busy, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
  int h2 = f.h2_hold();
  ASSERT_TRUE(f.held->wait_for(2));

  // The requests finish within the grace: each worker goes idle and stops
  // while its grace timer is still queued in its io_context.
  f.server->shutdown(20s);
  for (auto& r : f.held->take()) r(ok());
  std::string carry;
  EXPECT_EQ(read_response(busy, carry).status, 200);
  // GOAWAY and the answer (HEADERS on stream 1 starting with :status 200,
  // HPACK index 8), then the server's half of the close, which the client
  // answers only then: its end came while the session's read was pending.
  bool h2_closed = false;
  std::string got = read_until_close(h2, 10s, &h2_closed);
  EXPECT_TRUE(h2_closed);
  EXPECT_NE(got.find(std::string{1, 4, 0, 0, 0, 1, '\x88'}), std::string::npos) << "no 200 on stream 1";
  ::close(h2);
  f.server->wait();
  EXPECT_EQ(f.server->connections(), 0u) << "a connection outlived the shutdown";
  f.server.reset();

  EXPECT_TRUE(f.handler_alive.expired()) << "a Worker outlived its server";
  EXPECT_EQ(f.open_connections(), 0) << "a connection outlived its server";
  ::close(idle);
  ::close(busy);
}

TEST(Lifetime, DestroyedWhileBusyFreesEveryWorkerAndConnection) {
  Fixture f;
  ASSERT_TRUE(f.server);
  int idle = f.idle_keep_alive();
  int busy = connect_to(f.port);  // its handler holds the Respond past the server
  send_all(busy, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
  int h2 = f.h2_hold();
  int half_head = connect_to(f.port);
  send_all(half_head, "GET / HTTP/1.1\r\nHost: a\r\n");
  int h2_idle = connect_to(f.port);
  send_all(h2_idle, std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + Fixture::kEmptySettings);
  int tls_handshake = connect_to(f.tls_port);  // says nothing: the handshake is pending
  ASSERT_TRUE(f.held->wait_for(2));

  f.server.reset();  // shutdown(0), wait, free

  EXPECT_TRUE(f.handler_alive.expired()) << "a Worker outlived its server";
  EXPECT_EQ(f.open_connections(), 0) << "a connection outlived its server";
  for (auto& r : f.held->take()) r(ok());  // too late: dropped, not a crash
  for (int fd : {idle, busy, h2, half_head, h2_idle, tls_handshake}) ::close(fd);
}

}  // namespace
}  // namespace vivarium::server::test
