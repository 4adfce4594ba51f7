// WasmEdge's socket extension (wasmedge_wasi_socket), the calls whose names
// or types differ from WAMR's and preview1's. Its first version reuses
// names WAMR gives other types -- sock_open(family, type, fd_out) with
// family 1 = IPv4, 2 = IPv6 and type 1 = datagram, 2 = stream,
// sock_bind/sock_connect(fd, addr, port), sock_recv_from and sock_send_to
// with the address apart from the data -- so those are linked only when
// the module is WasmEdge's (socket_abi.h). Its `_v2` names, and
// sock_getlocaladdr/sock_getpeeraddr, collide with nothing and are always
// there. Addresses: sock_addr_wasmedge.h. Options and name resolution:
// abi_sock_wasmedge_opt.cc.
#include <sys/socket.h>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/sock_addr_wasmedge.h"
#include "host/wasi/sock_common.h"
#include "host/wasi/sock_wait.h"

namespace vivarium::wasi {
namespace {

using namespace wasmedge;
using AddrFn = int (*)(int, sockaddr*, socklen_t*);

ErrnoOr<sockaddr_storage> host_name(WasiCtx& c, uint32_t fd, AddrFn fn) {
  WASI_TRY_ASSIGN(FdEntry * e, socket_entry(c.fds(), fd, 0));
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fn(e->host.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return last_host_errno();
  return ss;
}

// v2 (and our first cut): the address into a 128-byte storage, the port
// as a u32.
uint32_t sock_name_v2(WasiCtx& c, Caller& caller, uint32_t fd, uint32_t addr, uint32_t port_out, AddrFn fn) {
  MemoryView mem = caller.memory();
  WASI_TRY_ERRNO_RET(check_out(mem, port_out, 4));
  if (!mem.in_bounds(addr, 8)) return ret(Errno::Fault);
  if (*mem.load<uint32_t>(addr + 4) != kStorageSize) return ret(Errno::Inval);
  WASI_TRY_ASSIGN_RET(sockaddr_storage ss, host_name(c, fd, fn));
  uint16_t port = 0;
  WASI_TRY_ERRNO_RET(write_address(mem, addr, ss, &port));
  return ret(put<uint32_t>(mem, port_out, port));
}

// v1: the raw address bytes, then its kind as WasmEdge writes it (4 or 6,
// a u32) and the port as a u32.
uint32_t sock_name_v1(WasiCtx& c, Caller& caller, uint32_t fd, uint32_t addr, uint32_t kind_out, uint32_t port_out,
                      AddrFn fn) {
  MemoryView mem = caller.memory();
  WASI_TRY_ERRNO_RET(check_out(mem, kind_out, 4));
  WASI_TRY_ERRNO_RET(check_out(mem, port_out, 4));
  WASI_TRY_ASSIGN_RET(sockaddr_storage ss, host_name(c, fd, fn));
  uint16_t port = 0;
  WASI_TRY_ERRNO_RET(write_address(mem, addr, ss, &port));
  (void)mem.store<uint32_t>(kind_out, ss.ss_family == AF_INET ? 4 : 6);
  return ret(put<uint32_t>(mem, port_out, port));
}

// recv_from: the data, the sender's address into `addr`, and (v2) its port
// at `port_out` (a u16, host order; 0: not wanted).
uint32_t recv_from(WasiCtx& c, Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t addr, uint32_t ri_flags,
                   uint32_t port_out, uint32_t len_out, uint32_t flags_out) {
  WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c.fds(), fd, right::FdRead));
  if (ri_flags & ~uint32_t{riflag::RecvPeek | riflag::RecvWaitall}) return ret(Errno::Inval);
  MemoryView mem = caller.memory();
  WASI_TRY_ERRNO_RET(check_out(mem, len_out, 4));
  WASI_TRY_ERRNO_RET(check_out(mem, flags_out, 2));
  if (port_out != 0) WASI_TRY_ERRNO_RET(check_out(mem, port_out, 2));
  WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
  sockaddr_storage from{};
  bool truncated = false;
  WASI_TRY_ASSIGN_RET(uint32_t got, recv_host(c, e->host.get(), v, ri_flags, &from, &truncated));
  uint16_t port = 0;
  WASI_TRY_ERRNO_RET(write_address(mem, addr, from, &port));
  if (port_out != 0) (void)mem.store<uint16_t>(port_out, port);
  (void)mem.store<uint16_t>(flags_out, truncated ? roflag::RecvDataTruncated : uint16_t{0});
  return ret(put<uint32_t>(mem, len_out, got));
}

uint32_t send_to(WasiCtx& c, Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t addr, uint32_t port,
                 uint32_t len_out) {
  WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c.fds(), fd, right::FdWrite));
  MemoryView mem = caller.memory();
  WASI_TRY_ERRNO_RET(check_out(mem, len_out, 4));
  WASI_TRY_ASSIGN_RET(sockaddr_storage peer, read_address(mem, addr, port));
  if (!policy_allows(c.sockets(), PolicyAsk::Connect, "send_to", peer, kind_of(*e))) return ret(policy_refusal(c));
  WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
  WASI_TRY_ASSIGN_RET(uint32_t sent, send_host(c, e->host.get(), v, &peer));
  return ret(put<uint32_t>(mem, len_out, sent));
}

// open/bind/connect under a name: the v1 name or its `_v2` twin.
void add_open_bind_connect(Linker& l, WasiCtx* c, const std::string& suffix) {
  l.func(kModule, "sock_open" + suffix, [c](Caller& caller, uint32_t family, uint32_t type, uint32_t fd_out) {
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, fd_out, 4));
    if (family != kInet4 && family != kInet6) return ret(Errno::AfNoSupport);
    if (type != 1 && type != 2) return ret(Errno::ProtoNoSupport);
    WASI_TRY_ASSIGN_RET(Fd fd, open_socket(*c, family == kInet4 ? AF_INET : AF_INET6, type == 2));
    return ret(put<uint32_t>(mem, fd_out, fd));
  });
  l.func(kModule, "sock_bind" + suffix, [c](Caller& caller, uint32_t fd, uint32_t addr, uint32_t port) {
    return ret(bind_socket(*c, fd, read_address(caller.memory(), addr, port)));
  });
  l.func(kModule, "sock_connect" + suffix,
         [c](Caller& caller, uint32_t fd, uint32_t addr, uint32_t port) -> Result<uint32_t> {
           return or_deadline(*c, ret(connect_socket(*c, fd, read_address(caller.memory(), addr, port))),
                              "sock_connect");
         });
}

}  // namespace

void add_sock_wasmedge(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  add_open_bind_connect(l, c, "");
  l.func(kModule, "sock_recv_from",
         [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t addr, uint32_t ri_flags, uint32_t len_out,
             uint32_t flags_out) -> Result<uint32_t> {
           return or_deadline(*c, recv_from(*c, caller, fd, iovs, n, addr, ri_flags, 0, len_out, flags_out),
                              "sock_recv_from");
         });
  l.func(kModule, "sock_send_to",
         [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t addr, uint32_t port,
             uint32_t /*si_flags*/, uint32_t len_out) -> Result<uint32_t> {
           return or_deadline(*c, send_to(*c, caller, fd, iovs, n, addr, port, len_out), "sock_send_to");
         });
}

void add_sock_wasmedge_v2(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  add_open_bind_connect(l, c, "_v2");
  l.func(kModule, "sock_recv_from_v2",
         [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t addr, uint32_t ri_flags, uint32_t port_out,
             uint32_t len_out, uint32_t flags_out) -> Result<uint32_t> {
           return or_deadline(*c, recv_from(*c, caller, fd, iovs, n, addr, ri_flags, port_out, len_out, flags_out),
                              "sock_recv_from_v2");
         });
  l.func(kModule, "sock_send_to_v2",
         [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t addr, uint32_t port,
             uint32_t /*si_flags*/, uint32_t len_out) -> Result<uint32_t> {
           return or_deadline(*c, send_to(*c, caller, fd, iovs, n, addr, port, len_out), "sock_send_to_v2");
         });
  const std::pair<const char*, AddrFn> names[] = {{"sock_getlocaladdr", ::getsockname},
                                                  {"sock_getpeeraddr", ::getpeername}};
  for (const auto& [name, fn_] : names) {
    const AddrFn fn = fn_;
    l.func(kModule, name,
           [c, fn](Caller& caller, uint32_t fd, uint32_t addr, uint32_t kind_out, uint32_t port_out) -> uint32_t {
             return sock_name_v1(*c, caller, fd, addr, kind_out, port_out, fn);
           });
    l.func(kModule, std::string(name) + "_v2", [c, fn](Caller& caller, uint32_t fd, uint32_t addr, uint32_t port_out) {
      return sock_name_v2(*c, caller, fd, addr, port_out, fn);
    });
  }
  add_sock_wasmedge_opt(l, ctx);
}

}  // namespace vivarium::wasi
