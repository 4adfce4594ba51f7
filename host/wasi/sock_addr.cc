#include "host/wasi/sock_addr.h"

#include <arpa/inet.h>

#include <cstring>

namespace vivarium::wasi {

sockaddr_storage seed_sockaddr(uint32_t ipv4, uint16_t port) {
  sockaddr_storage ss{};
  auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(ipv4);
  sin->sin_port = htons(port);
  return ss;
}

namespace {

// __wasi_addr_t when `with_port`, __wasi_addr_ip_t otherwise.
ErrnoOr<sockaddr_storage> read_addr(const MemoryView& mem, uint32_t ptr, bool with_port) {
  if (!mem.in_bounds(ptr, with_port ? layout::kWamrAddrSize : layout::kWamrAddrIpSize)) return Errno::Fault;
  sockaddr_storage ss{};
  const uint32_t kind = *mem.load<uint32_t>(ptr);
  if (kind == 0) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, mem.bytes(ptr + 4, 4)->data(), 4);  // n0 first: network order
    if (with_port) sin->sin_port = htons(*mem.load<uint16_t>(ptr + 8));
    return ss;
  }
  if (kind == 1) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    for (uint32_t i = 0; i < 8; ++i) {
      const uint16_t g = *mem.load<uint16_t>(ptr + 4 + 2 * i);
      sin6->sin6_addr.s6_addr[2 * i] = static_cast<uint8_t>(g >> 8);
      sin6->sin6_addr.s6_addr[2 * i + 1] = static_cast<uint8_t>(g);
    }
    if (with_port) sin6->sin6_port = htons(*mem.load<uint16_t>(ptr + 20));
    return ss;
  }
  return Errno::Inval;
}

}  // namespace

ErrnoOr<sockaddr_storage> read_wamr_addr(const MemoryView& mem, uint32_t ptr) { return read_addr(mem, ptr, true); }
ErrnoOr<sockaddr_storage> read_wamr_ip(const MemoryView& mem, uint32_t ptr) { return read_addr(mem, ptr, false); }

Errno write_wamr_addr(const MemoryView& mem, uint32_t ptr, const sockaddr_storage& ss) {
  if (!mem.in_bounds(ptr, layout::kWamrAddrSize)) return Errno::Fault;
  std::memset(mem.bytes(ptr, layout::kWamrAddrSize)->data(), 0, layout::kWamrAddrSize);
  if (ss.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
    (void)mem.store<uint32_t>(ptr, 0);
    std::memcpy(mem.bytes(ptr + 4, 4)->data(), &sin->sin_addr, 4);
    (void)mem.store<uint16_t>(ptr + 8, ntohs(sin->sin_port));
    return Errno::Success;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    (void)mem.store<uint32_t>(ptr, 1);
    for (uint32_t i = 0; i < 8; ++i) {
      const uint8_t* b = &sin6->sin6_addr.s6_addr[2 * i];
      (void)mem.store<uint16_t>(ptr + 4 + 2 * i, static_cast<uint16_t>((b[0] << 8) | b[1]));
    }
    (void)mem.store<uint16_t>(ptr + 20, ntohs(sin6->sin6_port));
    return Errno::Success;
  }
  return Errno::AfNoSupport;
}

std::optional<sockaddr_storage> parse_ip_literal(const std::string& host) {
  sockaddr_storage ss{};
  auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
  if (::inet_pton(AF_INET, host.c_str(), &sin->sin_addr) == 1) {
    sin->sin_family = AF_INET;
    return ss;
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) == 1) {
    sin6->sin6_family = AF_INET6;
    return ss;
  }
  return std::nullopt;
}

void set_port(sockaddr_storage& ss, uint16_t port) {
  if (ss.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&ss)->sin_port = htons(port);
  if (ss.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port = htons(port);
}

socklen_t sockaddr_len(const sockaddr_storage& ss) {
  return ss.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

std::string describe(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(ntohs(sin->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(ntohs(sin6->sin6_port));
  }
  return "(family " + std::to_string(ss.ss_family) + ")";
}

}  // namespace vivarium::wasi
