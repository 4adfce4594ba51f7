// UDP with a TCP fallback, over connected sockets so that only the
// nameserver's own address can answer, with one deadline for everything.
#include "host/net/dns_transport.h"

#include "host/net/dns_wire.h"
#include "host/wasi/unique_fd.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vivarium::net::dns {
namespace {

using Clock = std::chrono::steady_clock;

using Fd = wasi::UniqueFd;

socklen_t to_sockaddr(const Nameserver& ns, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (ns.addr.v6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(ns.port);
    std::memcpy(&s6->sin6_addr, ns.addr.bytes, 16);
    return sizeof *s6;
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  s4->sin_family = AF_INET;
  s4->sin_port = htons(ns.port);
  std::memcpy(&s4->sin_addr, ns.addr.bytes, 4);
  return sizeof *s4;
}

Error io_error(const Nameserver& ns, const char* what) {
  return Error(ErrorCode::Io, std::string("DNS ") + what + " " + ns.to_string() + ": " + std::strerror(errno));
}

// Waits for `events` until `deadline`; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

Result<Fd> connected_socket(const Nameserver& ns, int type, Clock::time_point deadline) {
  sockaddr_storage ss;
  socklen_t len = to_sockaddr(ns, ss);
  Fd s(::socket(ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!s.valid()) return io_error(ns, "socket for");
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) return io_error(ns, "connect to");
    if (!wait_for(s.get(), POLLOUT, deadline))
      return Error(ErrorCode::DeadlineExceeded, "DNS connect to " + ns.to_string() + " timed out");
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &el);
    if (err != 0) {
      errno = err;
      return io_error(ns, "connect to");
    }
  }
  return Result<Fd>(std::move(s));
}

uint16_t id_of(std::span<const uint8_t> m) { return static_cast<uint16_t>(m[0] << 8 | m[1]); }

Result<std::vector<uint8_t>> over_udp(std::span<const uint8_t> query, const Nameserver& ns,
                                      Clock::time_point deadline) {
  VIV_TRY_ASSIGN(Fd s, connected_socket(ns, SOCK_DGRAM, deadline));
  if (::send(s.get(), query.data(), query.size(), 0) != static_cast<ssize_t>(query.size()))
    return io_error(ns, "send to");
  std::vector<uint8_t> buf(kMaxMessage);
  for (;;) {
    if (!wait_for(s.get(), POLLIN, deadline))
      return Error(ErrorCode::DeadlineExceeded, "DNS query to " + ns.to_string() + " timed out");
    ssize_t n = ::recv(s.get(), buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return io_error(ns, "receive from");
    }
    // Anything too short or with another id is noise (or spoofing): keep waiting.
    if (n >= 12 && id_of(std::span(buf.data(), static_cast<size_t>(n))) == id_of(query)) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
  }
}

Result<void> send_all(int fd, const uint8_t* p, size_t n, const Nameserver& ns, Clock::time_point deadline) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno != EAGAIN && errno != EINTR) return io_error(ns, "send to");
      if (!wait_for(fd, POLLOUT, deadline))
        return Error(ErrorCode::DeadlineExceeded, "DNS query to " + ns.to_string() + " timed out");
      continue;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return {};
}

Result<void> recv_all(int fd, uint8_t* p, size_t n, const Nameserver& ns, Clock::time_point deadline) {
  while (n > 0) {
    if (!wait_for(fd, POLLIN, deadline))
      return Error(ErrorCode::DeadlineExceeded, "DNS query to " + ns.to_string() + " timed out");
    ssize_t r = ::recv(fd, p, n, 0);
    if (r == 0) return Error(ErrorCode::Io, "DNS over TCP: " + ns.to_string() + " closed the connection early");
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return io_error(ns, "receive from");
    }
    p += r;
    n -= static_cast<size_t>(r);
  }
  return {};
}

Result<std::vector<uint8_t>> over_tcp(std::span<const uint8_t> query, const Nameserver& ns,
                                      Clock::time_point deadline) {
  VIV_TRY_ASSIGN(Fd s, connected_socket(ns, SOCK_STREAM, deadline));
  uint8_t len[2] = {static_cast<uint8_t>(query.size() >> 8), static_cast<uint8_t>(query.size())};
  VIV_TRY(send_all(s.get(), len, 2, ns, deadline));
  VIV_TRY(send_all(s.get(), query.data(), query.size(), ns, deadline));
  VIV_TRY(recv_all(s.get(), len, 2, ns, deadline));
  std::vector<uint8_t> answer(static_cast<size_t>(len[0] << 8 | len[1]));
  if (answer.size() < 12)
    return Error(ErrorCode::Malformed, "DNS over TCP: " + ns.to_string() + " sent a " +
                                           std::to_string(answer.size()) + "-byte answer");
  VIV_TRY(recv_all(s.get(), answer.data(), answer.size(), ns, deadline));
  if (id_of(answer) != id_of(query))
    return Error(ErrorCode::Malformed, "DNS over TCP: " + ns.to_string() + " answered another id");
  return answer;
}

}  // namespace

Result<std::vector<uint8_t>> exchange(std::span<const uint8_t> query, const std::vector<Nameserver>& servers,
                                      std::chrono::milliseconds budget) {
  if (servers.empty()) return Error(ErrorCode::NotFound, "DNS: no nameserver configured");
  if (query.size() < 12 || query.size() > 65535) return Error(ErrorCode::Malformed, "DNS: query of bad size");
  Clock::time_point end = Clock::now() + budget;
  Error last(ErrorCode::DeadlineExceeded, "DNS: no nameserver answered in time");
  for (size_t i = 0; i < servers.size(); ++i) {
    // Each server gets an equal share of what is left.
    auto left = end - Clock::now();
    if (left <= Clock::duration::zero()) break;
    auto deadline = Clock::now() + left / static_cast<long>(servers.size() - i);
    auto r = over_udp(query, servers[i], deadline);
    if (r.ok() && (r->at(2) & 0x02)) r = over_tcp(query, servers[i], std::max(deadline, end));  // TC: truncated
    if (r.ok()) return r;
    last = std::move(r).error();
  }
  return last;
}

}  // namespace vivarium::net::dns
