#include "host/wasi/sock_addr_wasmedge.h"

#include <netinet/in.h>

#include <cstring>

namespace vivarium::wasi::wasmedge {
namespace {

struct Buffer {
  uint32_t ptr, len;
};

ErrnoOr<Buffer> buffer_of(const MemoryView& mem, uint32_t addr_ptr) {
  if (!mem.in_bounds(addr_ptr, 8)) return Errno::Fault;
  Buffer b{*mem.load<uint32_t>(addr_ptr), *mem.load<uint32_t>(addr_ptr + 4)};
  if (!mem.in_bounds(b.ptr, b.len)) return Errno::Fault;
  return b;
}

}  // namespace

ErrnoOr<sockaddr_storage> read_address(const MemoryView& mem, uint32_t addr_ptr, uint32_t port) {
  if (port > 65535) return Errno::Inval;
  WASI_TRY_ASSIGN(Buffer b, buffer_of(mem, addr_ptr));
  if (b.len == kStorageSize) {
    const uint16_t family = *mem.load<uint16_t>(b.ptr);
    if (family != kInet4 && family != kInet6) return Errno::AfNoSupport;
    b.len = family == kInet4 ? 4 : 16;
    b.ptr += 2;
  }
  sockaddr_storage ss{};
  if (b.len == 4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, mem.bytes(b.ptr, 4)->data(), 4);
    sin->sin_port = htons(static_cast<uint16_t>(port));
    return ss;
  }
  if (b.len == 16) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, mem.bytes(b.ptr, 16)->data(), 16);
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    return ss;
  }
  return Errno::Inval;
}

Errno write_address(const MemoryView& mem, uint32_t addr_ptr, const sockaddr_storage& ss, uint16_t* port) {
  WASI_TRY_ASSIGN(Buffer b, buffer_of(mem, addr_ptr));
  const void* bytes;
  uint32_t n;
  uint16_t family;
  if (ss.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
    bytes = &sin->sin_addr, n = 4, family = kInet4, *port = ntohs(sin->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    bytes = &sin6->sin6_addr, n = 16, family = kInet6, *port = ntohs(sin6->sin6_port);
  } else {
    return Errno::AfNoSupport;
  }
  if (b.len == kStorageSize) {
    std::memset(mem.bytes(b.ptr, kStorageSize)->data(), 0, kStorageSize);
    (void)mem.store<uint16_t>(b.ptr, family);
    std::memcpy(mem.bytes(b.ptr + 2, n)->data(), bytes, n);
    return Errno::Success;
  }
  if (b.len < n) return Errno::Inval;
  std::memcpy(mem.bytes(b.ptr, n)->data(), bytes, n);
  return Errno::Success;
}

}  // namespace vivarium::wasi::wasmedge
