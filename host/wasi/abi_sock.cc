// sock_accept, sock_recv, sock_send, sock_shutdown on sockets the embedder
// handed in (--listen) and the connections accepted from them. A descriptor
// that is not a socket is NOTSOCK; an unknown one BADF.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/rights.h"
#include "host/wasi/sock_common.h"
#include "host/wasi/sock_wait.h"

namespace vivarium::wasi {

void add_sock(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;

  auto accept = [c](Caller& caller, uint32_t fd, uint32_t flags, uint32_t out) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, right::SockAccept));
    // Only NONBLOCK means anything for a new connection.
    if (flags & ~uint32_t{fdflag::Nonblock}) return ret(Errno::Inval);
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, out, 4));
    WASI_TRY_ERRNO_RET(await_socket(*c, e->host.get(), POLLIN));
    int s;
    do {
      s = ::accept4(e->host.get(), nullptr, nullptr, SOCK_CLOEXEC | ((flags & fdflag::Nonblock) ? SOCK_NONBLOCK : 0));
    } while (s < 0 && errno == EINTR);
    if (s < 0) return ret(last_host_errno());
    WASI_TRY_ASSIGN_RET(Fd nfd, install_socket(c->fds(), s, FileType::SocketStream, rights::kSocketBase));
    return ret(put<uint32_t>(mem, out, nfd));
  };
  if (ctx.two_arg_accept()) {
    // Older WAMR lib-socket: sock_accept(fd, fd_out), blocking.
    l.func(kModule, "sock_accept", [c, accept](Caller& caller, uint32_t fd, uint32_t out) -> Result<uint32_t> {
      return or_deadline(*c, accept(caller, fd, 0, out), "sock_accept");
    });
  } else {
    l.func(kModule, "sock_accept",
           [c, accept](Caller& caller, uint32_t fd, uint32_t flags, uint32_t out) -> Result<uint32_t> {
             return or_deadline(*c, accept(caller, fd, flags, out), "sock_accept");
           });
  }
  // WasmEdge's second version of accept, recv and send: preview1's types.
  l.func(kModule, "sock_accept_v2",
         [c, accept](Caller& caller, uint32_t fd, uint32_t flags, uint32_t out) -> Result<uint32_t> {
           return or_deadline(*c, accept(caller, fd, flags, out), "sock_accept_v2");
         });

  auto recv = [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t ri_flags, uint32_t len_out,
                  uint32_t flags_out) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, right::FdRead));
    if (ri_flags & ~uint32_t{riflag::RecvPeek | riflag::RecvWaitall}) return ret(Errno::Inval);
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, len_out, 4));
    WASI_TRY_ERRNO_RET(check_out(mem, flags_out, 2));
    WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
    bool truncated = false;
    WASI_TRY_ASSIGN_RET(uint32_t got, recv_host(*c, e->host.get(), v, ri_flags, nullptr, &truncated));
    (void)mem.store<uint32_t>(len_out, got);
    (void)mem.store<uint16_t>(flags_out, truncated ? roflag::RecvDataTruncated : uint16_t{0});
    return ret(Errno::Success);
  };
  for (const char* name : {"sock_recv", "sock_recv_v2"}) {
    l.func(kModule, name,
           [c, recv](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t ri_flags, uint32_t len_out,
                     uint32_t flags_out) -> Result<uint32_t> {
             return or_deadline(*c, recv(caller, fd, iovs, n, ri_flags, len_out, flags_out), "sock_recv");
           });
  }

  auto send = [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t len_out) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, right::FdWrite));
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, len_out, 4));
    WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
    WASI_TRY_ASSIGN_RET(uint32_t sent, send_host(*c, e->host.get(), v, nullptr));
    return ret(put<uint32_t>(mem, len_out, sent));
  };
  for (const char* name : {"sock_send", "sock_send_v2"}) {
    l.func(kModule, name,
           [c, send](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t /*si_flags: none defined*/,
                     uint32_t len_out) -> Result<uint32_t> {
             return or_deadline(*c, send(caller, fd, iovs, n, len_out), "sock_send");
           });
  }

  l.func(kModule, "sock_shutdown", [c](uint32_t fd, uint32_t how) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, right::SockShutdown));
    int h;
    switch (how) {
      case sdflag::Rd: h = SHUT_RD; break;
      case sdflag::Wr: h = SHUT_WR; break;
      case sdflag::Rd | sdflag::Wr: h = SHUT_RDWR; break;
      default: return ret(Errno::Inval);
    }
    return ret(::shutdown(e->host.get(), h) == 0 ? Errno::Success : last_host_errno());
  });
}

}  // namespace vivarium::wasi
