// Creating and connecting sockets: the seed proposal's
// sock_connect(ipv4, port, fd_out), and WAMR lib-socket's sock_open,
// sock_bind, sock_listen and sock_connect(fd, addr). Every address the guest
// names goes past the SocketPolicy first; a refusal is NOTCAPABLE.
#include <sys/socket.h>

#include <cerrno>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/rights.h"
#include "host/wasi/sock_addr.h"
#include "host/wasi/sock_common.h"
#include "host/wasi/sock_wait.h"

namespace vivarium::wasi {
namespace {

constexpr Rights kOpenedSocketBase = rights::kSocketBase | right::SockAccept | right::SockConnect;

// The seed's call: one blocking TCP connection to an IPv4 address.
uint32_t seed_connect(WasiCtx& c, Caller& caller, uint32_t ipv4, uint32_t port, uint32_t fd_out) {
  MemoryView mem = caller.memory();
  WASI_TRY_ERRNO_RET(check_out(mem, fd_out, 4));
  if (port > 65535) return ret(Errno::Inval);
  const sockaddr_storage peer = seed_sockaddr(ipv4, static_cast<uint16_t>(port));
  if (!policy_allows(c.sockets(), PolicyAsk::Connect, "connect", peer, SockKind::Tcp)) return ret(Errno::NotCapable);
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return ret(last_host_errno());
  UniqueFd guard(s);
  WASI_TRY_ERRNO_RET(connect_host(c, s, peer));
  WASI_TRY_ASSIGN_RET(Fd fd, install_socket(c.fds(), guard.release(), FileType::SocketStream, rights::kSocketBase));
  return ret(put<uint32_t>(mem, fd_out, fd));
}

uint32_t wamr_connect(WasiCtx& c, Caller& caller, uint32_t fd, uint32_t addr) {
  return ret(connect_socket(c, fd, read_wamr_addr(caller.memory(), addr)));
}

}  // namespace

ErrnoOr<Fd> open_socket(WasiCtx& c, int family, bool stream) {
  int s = ::socket(family, (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  if (s < 0) return last_host_errno();
  return install_socket(c.fds(), s, stream ? FileType::SocketStream : FileType::SocketDgram, kOpenedSocketBase);
}

Errno bind_socket(WasiCtx& c, Fd fd, ErrnoOr<sockaddr_storage> addr) {
  WASI_TRY_ASSIGN(FdEntry * e, socket_entry(c.fds(), fd, 0));
  WASI_TRY_ERRNO(addr.error());
  const sockaddr_storage& local = addr.value();
  if (!policy_allows(c.sockets(), PolicyAsk::Bind, "bind", local, kind_of(*e))) return policy_refusal(c);
  int one = 1;  // as WAMR does: a restarted server can bind its port at once
  ::setsockopt(e->host.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  return host_result(::bind(e->host.get(), reinterpret_cast<const sockaddr*>(&local), sockaddr_len(local)));
}

Errno connect_socket(WasiCtx& c, Fd fd, ErrnoOr<sockaddr_storage> addr) {
  WASI_TRY_ASSIGN(FdEntry * e, socket_entry(c.fds(), fd, right::SockConnect));
  WASI_TRY_ERRNO(addr.error());
  const sockaddr_storage& peer = addr.value();
  if (!policy_allows(c.sockets(), PolicyAsk::Connect, "connect", peer, kind_of(*e))) return policy_refusal(c);
  return connect_host(c, e->host.get(), peer);
}

void add_sock_open(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  add_sock_listen(l, ctx);
  add_sock_wasmedge_v2(l, ctx);
  if (ctx.socket_abi() == SocketAbi::WasmEdge) {
    add_sock_wasmedge(l, ctx);
    return;
  }
  if (ctx.socket_abi() == SocketAbi::Wamr) {
    l.func(kModule, "sock_connect", [c](Caller& caller, uint32_t fd, uint32_t addr) -> Result<uint32_t> {
      return or_deadline(*c, wamr_connect(*c, caller, fd, addr), "sock_connect");
    });
  } else {
    l.func(kModule, "sock_connect",
           [c](Caller& caller, uint32_t ipv4, uint32_t port, uint32_t fd_out) -> Result<uint32_t> {
             return or_deadline(*c, seed_connect(*c, caller, ipv4, port, fd_out), "sock_connect");
           });
  }

  // sock_open(poolfd, af, socktype, fd_out): WAMR's pool fd names its
  // --addr-pool; here the policy is the context's, so it is not consulted.
  l.func(kModule, "sock_open",
         [c](Caller& caller, uint32_t /*poolfd*/, uint32_t af, uint32_t socktype, uint32_t fd_out) -> uint32_t {
           MemoryView mem = caller.memory();
           WASI_TRY_ERRNO_RET(check_out(mem, fd_out, 4));
           if (af > 1) return ret(Errno::AfNoSupport);
           if (socktype > 1) return ret(Errno::ProtoNoSupport);
           WASI_TRY_ASSIGN_RET(Fd fd, open_socket(*c, af == 0 ? AF_INET : AF_INET6, socktype == 1));
           return ret(put<uint32_t>(mem, fd_out, fd));
         });

  l.func(kModule, "sock_bind", [c](Caller& caller, uint32_t fd, uint32_t addr) -> uint32_t {
    return ret(bind_socket(*c, fd, read_wamr_addr(caller.memory(), addr)));
  });
}

void add_sock_listen(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  auto listen = [c](uint32_t fd, uint32_t backlog) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, right::SockAccept));
    if (e->type != FileType::SocketStream) return ret(Errno::NotSup);
    // An unbound socket would listen on a port the kernel picks on every
    // interface: bind it first (through the policy).
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(e->host.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return ret(last_host_errno());
    const uint16_t port = ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                                    : reinterpret_cast<sockaddr_in*>(&ss)->sin_port;
    if (port == 0) return ret(Errno::DestAddrReq);
    const int bl = backlog > SOMAXCONN ? SOMAXCONN : static_cast<int>(backlog);
    return ret(host_result(::listen(e->host.get(), bl)));
  };
  l.func(kModule, "sock_listen", listen);
  l.func(kModule, "sock_listen_v2", listen);  // WasmEdge's second version
}

}  // namespace vivarium::wasi
