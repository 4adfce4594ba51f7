// Helpers for tests that start their own services on 127.0.0.1: a free port,
// whether something listens on one, whether a program is installed.
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace vivarium::testing {

inline sockaddr_in loopback_addr(uint16_t port) {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sin;
}

// A port the kernel just handed out on 127.0.0.1 (free unless someone races for it).
inline uint16_t free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sin = loopback_addr(0);
  ::bind(s, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  socklen_t len = sizeof sin;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&sin), &len);
  ::close(s);
  return ntohs(sin.sin_port);
}

inline bool port_open(uint16_t port) {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sin = loopback_addr(port);
  bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0;
  ::close(s);
  return ok;
}

inline bool on_path(const std::string& exe) {
  std::string cmd = "command -v '" + exe + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace vivarium::testing
