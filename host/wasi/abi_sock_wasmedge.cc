// WasmEdge's socket extension (wasmedge_wasi_socket), the calls whose names
// or types differ from WAMR's: sock_open(family, type, fd_out) with family
// 1 = IPv4, 2 = IPv6 and type 1 = datagram, 2 = stream; sock_bind and
// sock_connect(fd, addr, port); sock_getlocaladdr/sock_getpeeraddr(fd,
// addr, port_out). `addr` points to {buf: u32, len: u32}; a 128-byte buf
// holds a u16 family (little-endian) then the address bytes at 2, a 4- or
// 16-byte buf the address bytes alone. Ports are plain numbers.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/sock_common.h"
#include "host/wasi/sock_wait.h"

namespace vivarium::wasi {
namespace {

constexpr uint16_t kInet4 = 1, kInet6 = 2;
constexpr uint32_t kAddrBuf = 128;

ErrnoOr<sockaddr_storage> read_address(const MemoryView& mem, uint32_t addr, uint32_t port) {
  if (port > 65535) return Errno::Inval;
  if (!mem.in_bounds(addr, 8)) return Errno::Fault;
  uint32_t buf = *mem.load<uint32_t>(addr);
  uint32_t len = *mem.load<uint32_t>(addr + 4);
  if (!mem.in_bounds(buf, len)) return Errno::Fault;
  if (len == kAddrBuf) {
    const uint16_t family = *mem.load<uint16_t>(buf);
    if (family != kInet4 && family != kInet6) return Errno::AfNoSupport;
    len = family == kInet4 ? 4 : 16;
    buf += 2;
  }
  sockaddr_storage ss{};
  if (len == 4) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, mem.bytes(buf, 4)->data(), 4);
    sin->sin_port = htons(static_cast<uint16_t>(port));
    return ss;
  }
  if (len == 16) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, mem.bytes(buf, 16)->data(), 16);
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    return ss;
  }
  return Errno::Inval;
}

uint32_t sock_name(WasiCtx& c, Caller& caller, uint32_t fd, uint32_t addr, uint32_t port_out,
                   int (*fn)(int, sockaddr*, socklen_t*)) {
  WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c.fds(), fd, 0));
  MemoryView mem = caller.memory();
  WASI_TRY_ERRNO_RET(check_out(mem, port_out, 4));
  if (!mem.in_bounds(addr, 8)) return ret(Errno::Fault);
  const uint32_t buf = *mem.load<uint32_t>(addr);
  if (*mem.load<uint32_t>(addr + 4) != kAddrBuf) return ret(Errno::Inval);
  if (!mem.in_bounds(buf, kAddrBuf)) return ret(Errno::Fault);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fn(e->host.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return ret(last_host_errno());
  std::memset(mem.bytes(buf, kAddrBuf)->data(), 0, kAddrBuf);
  uint16_t port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
    (void)mem.store<uint16_t>(buf, kInet4);
    std::memcpy(mem.bytes(buf + 2, 4)->data(), &sin->sin_addr, 4);
    port = ntohs(sin->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    (void)mem.store<uint16_t>(buf, kInet6);
    std::memcpy(mem.bytes(buf + 2, 16)->data(), &sin6->sin6_addr, 16);
    port = ntohs(sin6->sin6_port);
  } else {
    return ret(Errno::AfNoSupport);
  }
  return ret(put<uint32_t>(mem, port_out, port));
}

}  // namespace

void add_sock_wasmedge(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  l.func(kModule, "sock_open", [c](Caller& caller, uint32_t family, uint32_t type, uint32_t fd_out) -> uint32_t {
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, fd_out, 4));
    if (family != kInet4 && family != kInet6) return ret(Errno::AfNoSupport);
    if (type != 1 && type != 2) return ret(Errno::ProtoNoSupport);
    WASI_TRY_ASSIGN_RET(Fd fd, open_socket(*c, family == kInet4 ? AF_INET : AF_INET6, type == 2));
    return ret(put<uint32_t>(mem, fd_out, fd));
  });
  l.func(kModule, "sock_bind", [c](Caller& caller, uint32_t fd, uint32_t addr, uint32_t port) -> uint32_t {
    return ret(bind_socket(*c, fd, read_address(caller.memory(), addr, port)));
  });
  l.func(kModule, "sock_connect", [c](Caller& caller, uint32_t fd, uint32_t addr, uint32_t port) -> Result<uint32_t> {
    return or_deadline(*c, ret(connect_socket(*c, fd, read_address(caller.memory(), addr, port))), "sock_connect");
  });
  l.func(kModule, "sock_getlocaladdr", [c](Caller& caller, uint32_t fd, uint32_t addr, uint32_t port_out) -> uint32_t {
    return sock_name(*c, caller, fd, addr, port_out, ::getsockname);
  });
  l.func(kModule, "sock_getpeeraddr", [c](Caller& caller, uint32_t fd, uint32_t addr, uint32_t port_out) -> uint32_t {
    return sock_name(*c, caller, fd, addr, port_out, ::getpeername);
  });
}

}  // namespace vivarium::wasi
