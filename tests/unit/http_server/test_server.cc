#include "tests/unit/http_server/test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

namespace vivarium::server::test {
namespace {

int query_int(std::string_view target, std::string_view key, int dflt) {
  size_t p = target.find(std::string(key) + "=");
  if (p == std::string_view::npos) return dflt;
  return std::atoi(std::string(target.substr(p + key.size() + 1)).c_str());
}

terrarium::HttpResponse echo(const IncomingRequest& in) {
  terrarium::HttpResponse r;
  const auto& q = in.request;
  r.headers = {{"x-method", q.method},     {"x-target", q.target},
               {"x-host", in.host},        {"x-protocol", in.protocol},
               {"x-request-id", q.request_id}, {"x-body-length", std::to_string(q.body.size())},
               {"x-client-ip", q.client_ip}};
  std::string names;
  for (const auto& [n, v] : q.headers) names += (names.empty() ? "" : ",") + n;
  r.headers.emplace_back("x-headers", names);
  r.body = q.body;
  return r;
}

void handle(boost::asio::any_io_executor ex, IncomingRequest in, Respond respond) {
  std::string_view t = in.request.target;
  if (t.rfind("/later", 0) == 0) {
    int ms = query_int(t, "ms", 100);
    std::thread([in = std::move(in), respond, ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      respond(echo(in));
    }).detach();
    return;
  }
  if (t == "/drop") return;
  if (t.rfind("/status/", 0) == 0) {
    terrarium::HttpResponse r;
    r.status = static_cast<uint16_t>(std::atoi(std::string(t.substr(8)).c_str()));
    r.body = "status " + std::to_string(r.status);
    return respond(std::move(r));
  }
  if (t.rfind("/big", 0) == 0) {
    terrarium::HttpResponse r;
    r.body.assign(static_cast<size_t>(query_int(t, "n", 0)), 'x');
    return respond(std::move(r));
  }
  respond.set_deployment("echo");
  // Answered on the worker's executor, as a fiber-based handler would.
  boost::asio::post(ex, [in = std::move(in), respond] { respond(echo(in)); });
}

}  // namespace

const TlsFiles& tls_files() {
  static TlsFiles files = [] {
    char tmpl[] = "/tmp/viv-http-tls-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    TlsFiles f{dir + "/cert.pem", dir + "/key.pem"};
    std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                      "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
                      f.key + " -out " + f.cert + " 2>/dev/null";
    int st = 0;
    run(cmd, &st);
    if (st != 0) ADD_FAILURE() << "openssl could not make a certificate";
    return f;
  }();
  return files;
}

TestServer::TestServer(std::function<void(HttpServerOptions&)> tweak)
    : lines_(std::make_shared<std::vector<std::string>>()), lines_mu_(std::make_shared<std::mutex>()) {
  HttpServerOptions o;
  o.listen = {{"127.0.0.1", 0, false}, {"127.0.0.1", 0, true}};
  o.tls_cert_file = tls_files().cert;
  o.tls_key_file = tls_files().key;
  o.threads = 2;
  o.limits.max_header_bytes = 4096;
  o.limits.max_headers = 20;
  o.limits.max_body_bytes = 64 << 10;
  // Short enough for the slowloris tests, long enough for a loaded CI machine.
  o.limits.header_timeout = std::chrono::milliseconds(1000);
  o.limits.idle_timeout = std::chrono::milliseconds(3000);
  metrics = std::make_shared<MetricsRegistry>();
  o.metrics = metrics;
  auto lines = lines_;
  auto mu = lines_mu_;
  log_ = AccessLog::to_sink(AccessLog::Format::Json, [lines, mu](std::string_view l) {
    std::lock_guard lock(*mu);
    lines->emplace_back(l);
  });
  o.access_log = log_;
  if (tweak) tweak(o);
  auto s = HttpServer::create(std::move(o), handle);
  if (!s.ok()) {
    ADD_FAILURE() << "create: " << s.error().message();
    return;
  }
  server_ = std::move(s).value();
  ports_ = server_->bound_ports();
  server_->start();
}

TestServer::~TestServer() {
  if (server_) {
    server_->shutdown(std::chrono::milliseconds(1000));
    server_->wait();
  }
}

std::vector<std::string> TestServer::access_lines() {
  // A line is recorded once the response is written, which may be a moment
  // after the client has read it: wait for the count to settle.
  std::vector<std::string> out;
  for (int i = 0; i < 20; ++i) {
    log_->flush();
    {
      std::lock_guard lock(*lines_mu_);
      if (!out.empty() && out.size() == lines_->size()) return out;
      out = *lines_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return out;
}

int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, std::string_view d) {
  while (!d.empty()) {
    ssize_t n = ::send(fd, d.data(), d.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    d.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

namespace {
// One read with a deadline: >0 bytes, 0 on close, -1 on timeout or error.
ssize_t read_some(int fd, char* buf, size_t n, std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return -1;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return -1;
  ssize_t r = ::recv(fd, buf, n, 0);
  return r < 0 ? 0 : r;  // a reset counts as closed
}
}  // namespace

std::string read_until_close(int fd, std::chrono::milliseconds timeout, bool* closed) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = read_some(fd, buf, sizeof buf, deadline);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (closed) *closed = n == 0;
    return out;
  }
}

RawResponse read_response(int fd, std::string& carry, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  RawResponse r;
  char buf[16384];
  for (;;) {
    size_t end = carry.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = carry.substr(0, end + 4);
      if (head.rfind("HTTP/1.1 100", 0) == 0) {  // interim response: skip
        carry.erase(0, end + 4);
        continue;
      }
      std::string cl = header_of(head, "content-length");
      size_t len = cl.empty() ? 0 : std::stoul(cl);
      if (carry.size() >= end + 4 + len) {
        r.head = head;
        r.body = carry.substr(end + 4, len);
        carry.erase(0, end + 4 + len);
        r.status = std::atoi(head.c_str() + 9);
        r.ok = true;
        return r;
      }
    }
    ssize_t n = read_some(fd, buf, sizeof buf, deadline);
    if (n <= 0) return r;
    carry.append(buf, static_cast<size_t>(n));
  }
}

std::string exchange(uint16_t port, std::string_view data, std::chrono::milliseconds timeout) {
  int fd = connect_to(port);
  if (fd < 0) return "connect failed";
  send_all(fd, data);
  std::string out = read_until_close(fd, timeout);
  ::close(fd);
  return out;
}

std::string run(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    if (status) *status = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

std::string header_of(std::string_view head, std::string_view name) {
  size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    size_t colon = head.find(':', pos);
    size_t eol = head.find("\r\n", pos);
    if (colon == std::string_view::npos || eol == std::string_view::npos || colon > eol) continue;
    std::string_view n = head.substr(pos, colon - pos);
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) {
      std::string_view v = head.substr(colon + 1, eol - colon - 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return std::string(v);
    }
  }
  return {};
}

}  // namespace vivarium::server::test
