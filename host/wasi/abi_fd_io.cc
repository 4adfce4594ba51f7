// fd_read, fd_write, fd_pread, fd_pwrite: scatter/gather straight between
// the host descriptor and guest memory (no intermediate copy).
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/sock_common.h"
#include "host/wasi/sock_wait.h"

namespace vivarium::wasi {
namespace {

bool is_socket(const FdEntry& e) {
  return e.type == FileType::SocketStream || e.type == FileType::SocketDgram;
}

// Runs `op` (returning ssize_t) until it is not interrupted, then stores the
// count at `out`.
template <class Op>
uint32_t transfer(const MemoryView& mem, uint32_t out, Op op) {
  ssize_t n;
  do {
    n = op();
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ret(last_host_errno());
  return ret(put<uint32_t>(mem, out, static_cast<uint32_t>(n)));
}

// A socket reads and writes as sock_recv/sock_send do, so a blocked call
// ends at the embedder's deadline (sock_wait.h).
Result<uint32_t> socket_result(const WasiCtx& c, const MemoryView& mem, uint32_t out, ErrnoOr<uint32_t> n,
                               const char* call) {
  return or_deadline(c, n.ok() ? ret(put<uint32_t>(mem, out, *n)) : ret(n.error()), call);
}

}  // namespace

void add_fd_io(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;

  l.func(kModule, "fd_read", [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t out) -> Result<uint32_t> {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get_file(fd, right::FdRead));
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, out, 4));
    WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
    int h = e->host.get();
    if (is_socket(*e)) return socket_result(*c, mem, out, recv_host(*c, h, v, 0, nullptr, nullptr), "fd_read");
    return transfer(mem, out, [&] { return ::readv(h, v.data(), static_cast<int>(v.size())); });
  });

  l.func(kModule, "fd_write", [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t out) -> Result<uint32_t> {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get_file(fd, right::FdWrite));
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, out, 4));
    WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
    int h = e->host.get();
    // send_host: MSG_NOSIGNAL, so a peer that hung up is EPIPE for the guest, never SIGPIPE for us.
    if (is_socket(*e)) return socket_result(*c, mem, out, send_host(*c, h, v, nullptr), "fd_write");
    return transfer(mem, out, [&] { return ::writev(h, v.data(), static_cast<int>(v.size())); });
  });

  l.func(kModule, "fd_pread",
         [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t offset, uint32_t out) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get_file(fd, right::FdRead | right::FdSeek));
           if (offset > static_cast<uint64_t>(INT64_MAX)) return ret(Errno::Inval);
           MemoryView mem = caller.memory();
           WASI_TRY_ERRNO_RET(check_out(mem, out, 4));
           WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
           int h = e->host.get();
           return transfer(mem, out,
                           [&] { return ::preadv(h, v.data(), static_cast<int>(v.size()), static_cast<off_t>(offset)); });
         });

  l.func(kModule, "fd_pwrite",
         [c](Caller& caller, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t offset, uint32_t out) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get_file(fd, right::FdWrite | right::FdSeek));
           if (offset > static_cast<uint64_t>(INT64_MAX)) return ret(Errno::Inval);
           MemoryView mem = caller.memory();
           WASI_TRY_ERRNO_RET(check_out(mem, out, 4));
           WASI_TRY_ASSIGN_RET(auto v, guest_iovecs(mem, iovs, n));
           int h = e->host.get();
           return transfer(mem, out,
                           [&] { return ::pwritev(h, v.data(), static_cast<int>(v.size()), static_cast<off_t>(offset)); });
         });
}

}  // namespace vivarium::wasi
