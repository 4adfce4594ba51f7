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

namespace vivarium::wasi {
namespace {

ErrnoOr<FdEntry*> socket_entry(FdTable& t, Fd fd, Rights need) {
  WASI_TRY_ASSIGN(FdEntry * e, t.get(fd));
  if (e->type != FileType::SocketStream && e->type != FileType::SocketDgram) return Errno::NotSock;
  if ((e->base & need) != need) return Errno::NotCapable;
  return e;
}

}  // namespace

void add_sock(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;

  l.func(kModule, "sock_accept", [c](Caller& caller, uint32_t fd, uint32_t flags, uint32_t out) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, right::SockAccept));
    // Only NONBLOCK means anything for a new connection.
    if (flags & ~uint32_t{fdflag::Nonblock}) return ret(Errno::Inval);
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, out, 4));
    int s;
    do {
      s = ::accept4(e->host.get(), nullptr, nullptr, SOCK_CLOEXEC | ((flags & fdflag::Nonblock) ? SOCK_NONBLOCK : 0));
    } while (s < 0 && errno == EINTR);
    if (s < 0) return ret(last_host_errno());
    FdEntry conn;
    conn.host.reset(s);
    conn.type = FileType::SocketStream;
    conn.base = rights::kSocketBase;
    WASI_TRY_ASSIGN_RET(Fd nfd, c->fds().insert(std::move(conn)));
    return ret(put<uint32_t>(mem, out, nfd));
  });

  l.func(kModule, "sock_recv",
         [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t ri_flags, uint32_t len_out,
             uint32_t flags_out) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, right::FdRead));
           if (ri_flags & ~uint32_t{riflag::RecvPeek | riflag::RecvWaitall}) return ret(Errno::Inval);
           MemoryView mem = caller.memory();
           WASI_TRY_ERRNO_RET(check_out(mem, len_out, 4));
           WASI_TRY_ERRNO_RET(check_out(mem, flags_out, 2));
           WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
           struct msghdr msg {};
           msg.msg_iov = v.data();
           msg.msg_iovlen = v.size();
           int fl = 0;
           if (ri_flags & riflag::RecvPeek) fl |= MSG_PEEK;
           if (ri_flags & riflag::RecvWaitall) fl |= MSG_WAITALL;
           ssize_t r;
           do {
             r = ::recvmsg(e->host.get(), &msg, fl);
           } while (r < 0 && errno == EINTR);
           if (r < 0) return ret(last_host_errno());
           (void)mem.store<uint32_t>(len_out, static_cast<uint32_t>(r));
           (void)mem.store<uint16_t>(flags_out, (msg.msg_flags & MSG_TRUNC) ? roflag::RecvDataTruncated : uint16_t{0});
           return ret(Errno::Success);
         });

  l.func(kModule, "sock_send",
         [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t /*si_flags: none defined*/,
             uint32_t len_out) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, right::FdWrite));
           MemoryView mem = caller.memory();
           WASI_TRY_ERRNO_RET(check_out(mem, len_out, 4));
           WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
           struct msghdr msg {};
           msg.msg_iov = v.data();
           msg.msg_iovlen = v.size();
           ssize_t r;
           do {
             r = ::sendmsg(e->host.get(), &msg, MSG_NOSIGNAL);
           } while (r < 0 && errno == EINTR);
           if (r < 0) return ret(last_host_errno());
           return ret(put<uint32_t>(mem, len_out, static_cast<uint32_t>(r)));
         });

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
