// `vivarium serve` as a child process and a minimal HTTP/1.1 client (see
// local_server.h).
#include "cli/local_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "cli/subprocess.h"

namespace vivarium::cli {
namespace {

Error io(std::string message) { return Error(ErrorCode::Io, std::move(message)); }

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Decodes a chunked body; false when it is malformed or cut short.
bool dechunk(const std::string& in, std::string& out) {
  size_t at = 0;
  for (;;) {
    size_t eol = in.find("\r\n", at);
    if (eol == std::string::npos) return false;
    size_t size = std::strtoul(in.substr(at, eol - at).c_str(), nullptr, 16);
    at = eol + 2;
    if (size == 0) return true;
    if (at + size > in.size()) return false;
    out.append(in, at, size);
    at += size + 2;
  }
}

}  // namespace

const std::string* HttpReply::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return &v;
  return nullptr;
}

int free_port() {
  Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = loopback(0);
  socklen_t len = sizeof a;
  if (s.get() < 0 || ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return 0;
  return ntohs(a.sin_port);
}

Result<HttpReply> http_request(int port, const std::string& host, const std::string& method,
                               const std::string& target,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               const std::string& body, int timeout_ms) {
  Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = loopback(port);
  if (s.get() < 0 || ::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    return io("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  for (size_t at = 0; at < req.size();) {
    ssize_t n = ::send(s.get(), req.data() + at, req.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return io(std::string("cannot send the request: ") + std::strerror(errno));
    at += static_cast<size_t>(n);
  }
  std::string raw;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    pollfd p{s.get(), POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, left) <= 0) return io("no complete response within " + std::to_string(timeout_ms) + " ms");
    char buf[16384];
    ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
    if (n < 0) return io(std::string("cannot read the response: ") + std::strerror(errno));
    if (n == 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos || raw.size() < 12)
    return io("malformed HTTP response (" + std::to_string(raw.size()) + " bytes)");
  HttpReply reply;
  reply.status = std::atoi(raw.c_str() + 9);
  bool chunked = false;
  for (size_t at = raw.find("\r\n") + 2; at < head_end;) {
    size_t eol = raw.find("\r\n", at);
    std::string line = raw.substr(at, eol - at);
    at = eol + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = lower(line.substr(0, colon));
    size_t v = line.find_first_not_of(" \t", colon + 1);
    std::string value = v == std::string::npos ? "" : line.substr(v);
    if (name == "transfer-encoding" && lower(value).find("chunked") != std::string::npos) chunked = true;
    reply.headers.emplace_back(std::move(name), std::move(value));
  }
  std::string payload = raw.substr(head_end + 4);
  if (chunked) {
    if (!dechunk(payload, reply.body)) return io("malformed chunked response body");
  } else {
    reply.body = std::move(payload);
  }
  return reply;
}

Result<void> LocalServer::start(const std::string& data_dir, int port, const std::string& log_level) {
  data_ = data_dir;
  log_ = data_dir + "/serve.log";
  port_ = port ? port : free_port();
  admin_ = free_port();
  if (!port_ || !admin_) return io("no free port on 127.0.0.1");
  std::vector<std::string> argv = {self_path(), "serve", "--listen", "127.0.0.1:" + std::to_string(port_),
                                   "--admin", "127.0.0.1:" + std::to_string(admin_), "--data", data_,
                                   "--log-level", log_level};
  pid_ = spawn_process(argv, log_);
  if (pid_ < 0) return io(std::string("cannot start vivarium serve: ") + std::strerror(errno));
  for (int i = 0; i < 400; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return io("vivarium serve exited at start-up; see " + log_);
    }
    auto r = http_request(admin_, "admin", "GET", "/healthz", {}, "", 1000);
    if (r.ok() && r.value().status == 200) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop();
  return io("vivarium serve did not answer on 127.0.0.1:" + std::to_string(admin_) + " within 20 s; see " + log_);
}

Result<void> LocalServer::deploy(const std::string& module, const std::string& name,
                                 const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {self_path(), "deploy", module, "--name", name,
                                   "--server", "http://127.0.0.1:" + std::to_string(admin_),
                                   "--token-file", data_ + "/admin-token"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  int rc = run_process(argv);
  if (rc != 0) return io("vivarium deploy " + module + " failed (exit status " + std::to_string(rc) + ")");
  return {};
}

void LocalServer::stop() {
  if (pid_ > 0) stop_process(pid_);
  pid_ = -1;
}

}  // namespace vivarium::cli
