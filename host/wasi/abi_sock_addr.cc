// WAMR lib-socket's address calls: sock_addr_local/remote, sock_send_to,
// sock_recv_from, sock_addr_resolve, and sock_close (fd_close by another
// name). send_to asks the policy for every destination, so a UDP socket
// cannot reach what connect would refuse; resolve returns only addresses
// the policy admits (SocketPolicy::resolve).
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <string>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/sock_addr.h"
#include "host/wasi/sock_common.h"
#include "host/wasi/sock_wait.h"

namespace vivarium::wasi {
namespace {

// A NUL-terminated string of at most `max` bytes (FAULT past memory,
// NAMETOOLONG past `max`).
ErrnoOr<std::string> guest_cstring(const MemoryView& mem, uint32_t ptr, uint32_t max) {
  std::string s;
  for (uint32_t i = 0; i <= max; ++i) {
    auto b = mem.load<uint8_t>(uint64_t{ptr} + i);
    if (!b) return Errno::Fault;
    if (*b == 0) return s;
    s.push_back(static_cast<char>(*b));
  }
  return Errno::NameTooLong;
}

using AddrFn = int (*)(int, sockaddr*, socklen_t*);

uint32_t sock_name(WasiCtx& c, Caller& caller, uint32_t fd, uint32_t out, AddrFn fn) {
  WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c.fds(), fd, 0));
  MemoryView mem = caller.memory();
  WASI_TRY_ERRNO_RET(check_out(mem, out, layout::kWamrAddrSize));
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fn(e->host.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return ret(last_host_errno());
  return ret(write_wamr_addr(mem, out, ss));
}

}  // namespace

void add_sock_addr(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  l.func(kModule, "sock_addr_local", [c](Caller& caller, uint32_t fd, uint32_t out) -> uint32_t {
    return sock_name(*c, caller, fd, out, ::getsockname);
  });
  l.func(kModule, "sock_addr_remote", [c](Caller& caller, uint32_t fd, uint32_t out) -> uint32_t {
    return sock_name(*c, caller, fd, out, ::getpeername);
  });
  l.func(kModule, "sock_close", [c](uint32_t fd) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, 0));
    (void)e;
    return ret(c->fds().close(fd));
  });

  auto send_to = [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t addr,
                     uint32_t len_out) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, right::FdWrite));
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, len_out, 4));
    WASI_TRY_ASSIGN_RET(sockaddr_storage peer, read_wamr_addr(mem, addr));
    if (!policy_allows(c->sockets(), PolicyAsk::Connect, "send_to", peer, kind_of(*e)))
      return ret(policy_refusal(*c));
    WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
    WASI_TRY_ASSIGN_RET(uint32_t sent, send_host(*c, e->host.get(), v, &peer));
    return ret(put<uint32_t>(mem, len_out, sent));
  };
  // WasmEdge's sock_send_to/sock_recv_from have other types (abi_sock_wasmedge.cc).
  const bool wamr_io = ctx.socket_abi() != SocketAbi::WasmEdge;
  if (wamr_io) {
    l.func(kModule, "sock_send_to",
           [c, send_to](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t /*si_flags*/, uint32_t addr,
                        uint32_t len_out) -> Result<uint32_t> {
             return or_deadline(*c, send_to(caller, fd, iovs, n, addr, len_out), "sock_send_to");
           });
  }

  auto recv_from = [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t ri_flags, uint32_t addr,
                       uint32_t len_out) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, right::FdRead));
    if (ri_flags & ~uint32_t{riflag::RecvPeek | riflag::RecvWaitall}) return ret(Errno::Inval);
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, len_out, 4));
    WASI_TRY_ERRNO_RET(check_out(mem, addr, layout::kWamrAddrSize));
    WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
    sockaddr_storage from{};
    WASI_TRY_ASSIGN_RET(uint32_t got, recv_host(*c, e->host.get(), v, ri_flags, &from, nullptr));
    (void)write_wamr_addr(mem, addr, from);
    return ret(put<uint32_t>(mem, len_out, got));
  };
  if (wamr_io) {
    l.func(kModule, "sock_recv_from",
           [c, recv_from](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t ri_flags, uint32_t addr,
                          uint32_t len_out) -> Result<uint32_t> {
             return or_deadline(*c, recv_from(caller, fd, iovs, n, ri_flags, addr, len_out), "sock_recv_from");
           });
  }

  // sock_addr_resolve(host, service, hints, addr_info, addr_info_size,
  // max_info_size_out): fills up to addr_info_size entries, reports how
  // many there are in all.
  l.func(kModule, "sock_addr_resolve",
         [c](Caller& caller, uint32_t host_ptr, uint32_t service_ptr, uint32_t hints, uint32_t out, uint32_t out_count,
             uint32_t total_out) -> uint32_t {
           MemoryView mem = caller.memory();
           WASI_TRY_ERRNO_RET(check_out(mem, total_out, 4));
           if (!mem.in_bounds(out, uint64_t{out_count} * layout::kWamrAddrInfoSize)) return ret(Errno::Fault);
           WASI_TRY_ASSIGN_RET(std::string host, guest_cstring(mem, host_ptr, 253));
           uint16_t port = 0;
           if (service_ptr != 0) {
             WASI_TRY_ASSIGN_RET(std::string service, guest_cstring(mem, service_ptr, 32));
             unsigned p = 0;
             auto [end, ec] = std::from_chars(service.data(), service.data() + service.size(), p);
             if (!service.empty() && (ec != std::errc() || end != service.data() + service.size() || p > 65535))
               return ret(Errno::Inval);  // service names (/etc/services) are not looked up
             port = static_cast<uint16_t>(p);
           }
           int family = AF_UNSPEC;
           uint32_t socktype = 1;  // stream unless the hints say otherwise
           if (hints != 0) {
             if (!mem.in_bounds(hints, 12)) return ret(Errno::Fault);
             if (*mem.load<uint8_t>(hints + 8)) {
               socktype = *mem.load<uint32_t>(hints) == 0 ? 0 : 1;
               family = *mem.load<uint32_t>(hints + 4) == 1 ? AF_INET6 : AF_INET;
             }
           }
           std::vector<sockaddr_storage> addrs;
           if (auto lit = parse_ip_literal(host); lit) {
             if (family == AF_UNSPEC || family == lit->ss_family) addrs.push_back(*lit);
           } else {
             auto found = c->sockets() ? c->sockets()->resolve(host, family) : std::nullopt;
             if (!found) {
               if (c->sockets()) c->sockets()->denied("resolve " + host);
               return ret(policy_refusal(*c));
             }
             addrs = std::move(*found);
           }
           if (addrs.empty()) return ret(Errno::NoEnt);
           uint32_t i = 0;
           for (sockaddr_storage& a : addrs) {
             if (i == out_count) break;
             set_port(a, port);
             const uint32_t entry = out + i * layout::kWamrAddrInfoSize;
             (void)write_wamr_addr(mem, entry, a);
             (void)mem.store<uint32_t>(entry + layout::kWamrAddrInfoType, socktype);
             ++i;
           }
           return ret(put<uint32_t>(mem, total_out, static_cast<uint32_t>(addrs.size())));
         });
}

}  // namespace vivarium::wasi
