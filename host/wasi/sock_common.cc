#include "host/wasi/sock_common.h"

#include <poll.h>

#include <cerrno>

#include "host/wasi/errno_map.h"
#include "host/wasi/sock_addr.h"

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

Errno connect_host(int fd, const sockaddr_storage& ss) {
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&ss), sockaddr_len(ss)) == 0) return Errno::Success;
  if (errno != EINTR) return last_host_errno();
  // The connection goes on in the background: wait for it, then ask how it went.
  struct pollfd p {fd, POLLOUT, 0};
  while (::poll(&p, 1, -1) < 0) {
    if (errno != EINTR) return last_host_errno();
  }
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return last_host_errno();
  return err == 0 ? Errno::Success : from_host_errno(err);
}

ErrnoOr<uint32_t> send_host(int fd, std::vector<iovec>& v, const sockaddr_storage* peer) {
  struct msghdr msg {};
  if (peer) {
    msg.msg_name = const_cast<sockaddr_storage*>(peer);
    msg.msg_namelen = sockaddr_len(*peer);
  }
  msg.msg_iov = v.data();
  msg.msg_iovlen = v.size();
  ssize_t r;
  do {
    r = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return last_host_errno();
  return static_cast<uint32_t>(r);
}

ErrnoOr<uint32_t> recv_host(int fd, std::vector<iovec>& v, uint32_t ri_flags, sockaddr_storage* peer,
                            bool* truncated) {
  struct msghdr msg {};
  if (peer) {
    msg.msg_name = peer;
    msg.msg_namelen = sizeof *peer;
  }
  msg.msg_iov = v.data();
  msg.msg_iovlen = v.size();
  int fl = 0;
  if (ri_flags & riflag::RecvPeek) fl |= MSG_PEEK;
  if (ri_flags & riflag::RecvWaitall) fl |= MSG_WAITALL;
  ssize_t r;
  do {
    r = ::recvmsg(fd, &msg, fl);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return last_host_errno();
  if (peer && msg.msg_namelen == 0) {
    // A connected stream reports no sender: its peer is the sender.
    socklen_t len = sizeof *peer;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(peer), &len);
  }
  if (truncated) *truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  return static_cast<uint32_t>(r);
}

bool policy_allows(const SocketPolicy* p, PolicyAsk ask, const char* op, const sockaddr_storage& ss, SockKind kind) {
  const auto& sa = reinterpret_cast<const sockaddr&>(ss);
  bool ok = p && (ask == PolicyAsk::Bind ? p->may_bind(sa, kind) : p->may_connect(sa, kind));
  if (!ok && p) p->denied(std::string(op) + (kind == SockKind::Udp ? " udp " : " tcp ") + describe(ss));
  return ok;
}

}  // namespace vivarium::wasi
