#include "host/wasi/listen_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace vivarium::wasi {
namespace {

// HOST is parsed numerically rather than with getaddrinfo: a listening
// address is the operator's choice of interface, not something to look up,
// and getaddrinfo (NSS) cannot be used from the statically linked CLI.
struct ListenAddr {
  sockaddr_storage ss{};
  socklen_t len = 0;
};

Result<std::vector<ListenAddr>> parse_listen_spec(std::string_view spec) {
  auto usage = [&](const std::string& why) {
    return Error(ErrorCode::Usage, "--listen '" + std::string(spec) + "': " + why);
  };
  size_t colon = spec.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == spec.size())
    return usage("expected HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080, localhost:0)");
  std::string_view host = spec.substr(0, colon);
  std::string_view port_text = spec.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return usage("port '" + std::string(port_text) + "' is not a number from 0 to 65535");

  bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);

  auto v4 = [&](const char* text) -> std::optional<ListenAddr> {
    ListenAddr a;
    auto* sin = reinterpret_cast<sockaddr_in*>(&a.ss);
    if (::inet_pton(AF_INET, text, &sin->sin_addr) != 1) return std::nullopt;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    a.len = sizeof(sockaddr_in);
    return a;
  };
  auto v6 = [&](const char* text) -> std::optional<ListenAddr> {
    ListenAddr a;
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.ss);
    if (::inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1) return std::nullopt;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    a.len = sizeof(sockaddr_in6);
    return a;
  };

  std::vector<ListenAddr> out;
  std::string h(host);
  if (!bracketed && h.find(':') != std::string::npos)
    return usage("an IPv6 address needs brackets, as in [" + h + "]:" + std::string(port_text));
  if (bracketed) {
    if (auto a = v6(h.c_str())) out.push_back(*a);
  } else if (h.empty()) {
    // ":PORT" is every interface, as getaddrinfo's AI_PASSIVE gave: IPv4's
    // wildcard first, then IPv6's (tried in that order, first bind wins).
    out.push_back(*v4("0.0.0.0"));
    out.push_back(*v6("::"));
  } else if (h == "localhost") {
    out.push_back(*v4("127.0.0.1"));
    out.push_back(*v6("::1"));
  } else if (auto a = v4(h.c_str())) {
    out.push_back(*a);
  }
  if (out.empty())
    return usage("'" + h + "' is not an IPv4 address, a bracketed IPv6 address or 'localhost' "
                 "(host names are not resolved for listening sockets)");
  return out;
}

}  // namespace

Result<int> open_listener(std::string_view spec) {
  auto addrs = parse_listen_spec(spec);
  if (!addrs.ok()) return addrs.error();
  std::string last_error = "no address";
  for (const ListenAddr& a : *addrs) {
    int fd = ::socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&a.ss), a.len) == 0 && ::listen(fd, SOMAXCONN) == 0) return fd;
    last_error = std::strerror(errno);
    ::close(fd);
  }
  return Error(ErrorCode::Io, "--listen " + std::string(spec) + ": " + last_error);
}

int bound_port(int fd) {
  struct sockaddr_storage ss {};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<struct sockaddr*>(&ss), &len) != 0) return -1;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<struct sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<struct sockaddr_in6*>(&ss)->sin6_port);
  return -1;
}

}  // namespace vivarium::wasi
