#include "host/wasi/sock_common.h"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>

#include "host/wasi/errno_map.h"
#include "host/wasi/sock_addr.h"
#include "host/wasi/sock_wait.h"

namespace vivarium::wasi {

ErrnoOr<FdEntry*> socket_entry(FdTable& t, Fd fd, Rights need) {
  WASI_TRY_ASSIGN(FdEntry * e, t.get(fd));
  if (e->type != FileType::SocketStream && e->type != FileType::SocketDgram) return Errno::NotSock;
  if ((e->base & need) != need) return Errno::NotCapable;
  return e;
}

SockKind kind_of(const FdEntry& e) { return e.type == FileType::SocketDgram ? SockKind::Udp : SockKind::Tcp; }

ErrnoOr<Fd> install_socket(FdTable& t, int host_fd, FileType type, Rights base) {
  FdEntry e;
  e.host.reset(host_fd);
  e.type = type;
  e.base = base;
  return t.insert(std::move(e));
}

Errno connect_host(const WasiCtx& c, int fd, const sockaddr_storage& ss) {
  // Under a deadline a blocking connect must not block in the kernel: it
  // runs non-blocking and waits in poll(), then the guest's mode comes back.
  const int fl = ::fcntl(fd, F_GETFL);
  const bool bounded = c.deadline() && fl >= 0 && (fl & O_NONBLOCK) == 0;
  if (bounded && ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) return last_host_errno();
  Errno result = Errno::Success;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&ss), sockaddr_len(ss)) != 0) {
    if (errno != EINTR && !(bounded && errno == EINPROGRESS)) {
      result = last_host_errno();
    } else {
      // The connection goes on in the background: wait for it, then ask how it went.
      result = await_ready(c, fd, POLLOUT);
      if (result == Errno::Again) result = Errno::InProgress;  // the guest's SO_SNDTIMEO ran out
      int err = 0;
      socklen_t len = sizeof err;
      if (result == Errno::Success) {
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) result = last_host_errno();
        else if (err != 0) result = from_host_errno(err);
      }
    }
  }
  if (bounded) ::fcntl(fd, F_SETFL, fl);
  return result;
}

ErrnoOr<uint32_t> send_host(const WasiCtx& c, int fd, std::vector<iovec>& v, const sockaddr_storage* peer) {
  struct msghdr msg {};
  if (peer) {
    msg.msg_name = const_cast<sockaddr_storage*>(peer);
    msg.msg_namelen = sockaddr_len(*peer);
  }
  msg.msg_iov = v.data();
  msg.msg_iovlen = v.size();
  const bool bounded = c.deadline() && is_blocking(fd);
  for (;;) {
    if (bounded) WASI_TRY_ERRNO(await_ready(c, fd, POLLOUT));
    const ssize_t r = ::sendmsg(fd, &msg, MSG_NOSIGNAL | (bounded ? MSG_DONTWAIT : 0));
    if (r >= 0) return static_cast<uint32_t>(r);
    if (errno != EINTR && !(bounded && errno == EAGAIN)) return last_host_errno();
  }
}

ErrnoOr<uint32_t> recv_host(const WasiCtx& c, int fd, std::vector<iovec>& v, uint32_t ri_flags,
                            sockaddr_storage* peer, bool* truncated) {
  struct msghdr msg {};
  msg.msg_iov = v.data();
  msg.msg_iovlen = v.size();
  int fl = 0;
  if (ri_flags & riflag::RecvPeek) fl |= MSG_PEEK;
  if (ri_flags & riflag::RecvWaitall) fl |= MSG_WAITALL;
  // MSG_WAITALL blocks until the buffer is full: under a deadline the
  // watchdog is its backstop; any other recv returns once poll says ready.
  const bool bounded = c.deadline() && is_blocking(fd);
  if (bounded && !(fl & MSG_WAITALL)) fl |= MSG_DONTWAIT;
  ssize_t r;
  for (;;) {
    if (bounded) WASI_TRY_ERRNO(await_ready(c, fd, POLLIN));
    if (peer) {
      msg.msg_name = peer;
      msg.msg_namelen = sizeof *peer;
    }
    r = ::recvmsg(fd, &msg, fl);
    if (r >= 0) break;
    if (errno != EINTR && !(bounded && errno == EAGAIN)) return last_host_errno();
  }
  if (peer && msg.msg_namelen == 0) {
    // A connected stream reports no sender: its peer is the sender.
    socklen_t len = sizeof *peer;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(peer), &len);
  }
  if (truncated) *truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  return static_cast<uint32_t>(r);
}

Errno policy_refusal(const WasiCtx& c) {
  return c.socket_abi() == SocketAbi::Wamr ? Errno::Acces : Errno::NotCapable;
}

bool policy_allows(const SocketPolicy* p, PolicyAsk ask, const char* op, const sockaddr_storage& ss, SockKind kind) {
  const auto& sa = reinterpret_cast<const sockaddr&>(ss);
  bool ok = p && (ask == PolicyAsk::Bind ? p->may_bind(sa, kind) : p->may_connect(sa, kind));
  if (!ok && p) p->denied(std::string(op) + (kind == SockKind::Udp ? " udp " : " tcp ") + describe(ss));
  return ok;
}

}  // namespace vivarium::wasi
