// Builders of DNS answers for the tests, and a DNS stub server on 127.0.0.1
// (UDP and TCP on one port) whose answers each test scripts.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/loopback.h"

namespace vivarium::net::testing {

inline void put16(std::vector<uint8_t>& o, uint16_t v) {
  o.push_back(static_cast<uint8_t>(v >> 8));
  o.push_back(static_cast<uint8_t>(v));
}

// An answer to `query` (whose question it copies) with records appended by the caller.
struct AnswerBuilder {
  std::vector<uint8_t> msg;
  uint16_t count = 0;
  explicit AnswerBuilder(const std::vector<uint8_t>& query, uint16_t flags = 0x8180) {
    msg.assign(query.begin(), query.end());
    msg[2] = static_cast<uint8_t>(flags >> 8);
    msg[3] = static_cast<uint8_t>(flags);
    msg[10] = msg[11] = 0;  // drop the query's additional records (EDNS)
    // Cut after the question: header + name + 4.
    size_t pos = 12;
    while (msg[pos] != 0) pos += 1 + msg[pos];
    msg.resize(pos + 5);
  }
  // Owner is a pointer to the question's name (0xC00C).
  AnswerBuilder& record(uint16_t type, const std::vector<uint8_t>& rdata, std::vector<uint8_t> owner = {0xC0, 0x0C}) {
    msg.insert(msg.end(), owner.begin(), owner.end());
    put16(msg, type);
    put16(msg, 1);
    put16(msg, 0);
    put16(msg, 300);
    put16(msg, static_cast<uint16_t>(rdata.size()));
    msg.insert(msg.end(), rdata.begin(), rdata.end());
    ++count;
    msg[6] = static_cast<uint8_t>(count >> 8);
    msg[7] = static_cast<uint8_t>(count);
    return *this;
  }
  AnswerBuilder& a(uint8_t a0, uint8_t a1, uint8_t a2, uint8_t a3) { return record(1, {a0, a1, a2, a3}); }
  AnswerBuilder& aaaa(const char* text) {
    std::vector<uint8_t> b(16);
    inet_pton(AF_INET6, text, b.data());
    return record(28, b);
  }
};

// The addresses in the answer section's A/AAAA records, as text.
inline std::vector<std::string> answer_addresses(const std::vector<uint8_t>& m) {
  std::vector<std::string> out;
  size_t pos = 12;
  while (m[pos] != 0) pos += 1 + m[pos];
  pos += 5;
  uint16_t an = static_cast<uint16_t>(m[6] << 8 | m[7]);
  for (uint16_t i = 0; i < an; ++i) {
    while (m[pos] != 0 && (m[pos] & 0xC0) != 0xC0) pos += 1 + m[pos];
    pos += (m[pos] & 0xC0) == 0xC0 ? 2 : 1;
    uint16_t type = static_cast<uint16_t>(m[pos] << 8 | m[pos + 1]);
    uint16_t len = static_cast<uint16_t>(m[pos + 8] << 8 | m[pos + 9]);
    char buf[64] = {};
    if (type == 1) inet_ntop(AF_INET, &m[pos + 10], buf, sizeof buf);
    if (type == 28) inet_ntop(AF_INET6, &m[pos + 10], buf, sizeof buf);
    if (type == 1 || type == 28) out.push_back(buf);
    pos += 10 + len;
  }
  return out;
}

// A DNS server on 127.0.0.1: `udp` answers each UDP query (empty: stay
// silent), `tcp` each TCP one.
class DnsStub {
 public:
  using Handler = std::function<std::vector<uint8_t>(const std::vector<uint8_t>& query)>;
  Handler udp, tcp;
  std::atomic<int> udp_queries{0}, tcp_queries{0};

  DnsStub() {
    // The kernel picks a free UDP port; the TCP listener needs the same number,
    // which another process may hold: try fresh ports until both bind.
    for (int attempt = 0; attempt < 100; ++attempt) {
      udp_fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      sockaddr_in sin = vivarium::testing::loopback_addr(0);
      ::bind(udp_fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
      socklen_t len = sizeof sin;
      ::getsockname(udp_fd_, reinterpret_cast<sockaddr*>(&sin), &len);
      port_ = ntohs(sin.sin_port);
      tcp_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      int one = 1;
      setsockopt(tcp_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (::bind(tcp_fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0) break;
      ::close(udp_fd_);
      ::close(tcp_fd_);
    }
    ::listen(tcp_fd_, 8);
    ::pipe(stop_);
    thread_ = std::thread([this] { loop(); });
  }
  ~DnsStub() {
    (void)!::write(stop_[1], "x", 1);
    thread_.join();
    ::close(udp_fd_);
    ::close(tcp_fd_);
    ::close(stop_[0]);
    ::close(stop_[1]);
  }
  uint16_t port() const { return port_; }

 private:
  void loop() {
    for (;;) {
      pollfd fds[3] = {{udp_fd_, POLLIN, 0}, {tcp_fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(fds, 3, -1) < 0) continue;
      if (fds[2].revents) return;
      if (fds[0].revents) {
        std::vector<uint8_t> buf(65535);
        sockaddr_in from{};
        socklen_t fl = sizeof from;
        ssize_t n = ::recvfrom(udp_fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
        if (n > 0) {
          buf.resize(static_cast<size_t>(n));
          ++udp_queries;
          std::vector<uint8_t> out = udp ? udp(buf) : std::vector<uint8_t>{};
          if (!out.empty()) ::sendto(udp_fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
        }
      }
      if (fds[1].revents) serve_tcp();
    }
  }
  void serve_tcp() {
    int c = ::accept(tcp_fd_, nullptr, nullptr);
    if (c < 0) return;
    uint8_t len[2];
    if (::recv(c, len, 2, MSG_WAITALL) == 2) {
      std::vector<uint8_t> q(static_cast<size_t>(len[0] << 8 | len[1]));
      if (::recv(c, q.data(), q.size(), MSG_WAITALL) == static_cast<ssize_t>(q.size())) {
        ++tcp_queries;
        std::vector<uint8_t> out = tcp ? tcp(q) : std::vector<uint8_t>{};
        std::vector<uint8_t> framed;
        put16(framed, static_cast<uint16_t>(out.size()));
        framed.insert(framed.end(), out.begin(), out.end());
        (void)!::send(c, framed.data(), framed.size(), MSG_NOSIGNAL);
      }
    }
    ::close(c);
  }
  int udp_fd_ = -1, tcp_fd_ = -1, stop_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace vivarium::net::testing
