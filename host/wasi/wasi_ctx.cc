#include "host/wasi/wasi_ctx.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/wasi/rights.h"

namespace vivarium::wasi {
namespace {

Error host_error(const std::string& what, int err) {
  return Error(ErrorCode::Io, what + ": " + std::strerror(err));
}

// Stdio is a stream whatever the host gave us (a terminal, a pipe, a file
// the shell opened): see rights::kStdinBase. The type is wasmtime's answer:
// a character device for a terminal, otherwise unknown -- not the host's
// type, because wasi-libc's isatty() is "character device without seek
// rights", which would make `< /dev/null` look like a terminal.
Result<FdEntry> stdio_entry(int host_fd, bool input) {
  int dup = ::fcntl(host_fd, F_DUPFD_CLOEXEC, 3);
  if (dup < 0) {
    // A closed stdio slot: hand the guest /dev/null, as a shell would.
    dup = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (dup < 0) return host_error("open /dev/null", errno);
  }
  FdEntry e;
  e.host.reset(dup);
  e.type = ::isatty(dup) ? FileType::CharacterDevice : FileType::Unknown;
  e.base = input ? rights::kStdinBase : rights::kStdoutBase;
  e.inheriting = 0;
  e.is_host_stdio = true;
  return e;
}

}  // namespace

Result<std::unique_ptr<WasiCtx>> WasiCtx::create(WasiConfig config) {
  std::unique_ptr<WasiCtx> ctx(new WasiCtx(std::move(config)));
  const WasiConfig& c = ctx->config_;
  const int stdio[3] = {c.stdin_fd, c.stdout_fd, c.stderr_fd};
  for (Fd i = 0; i < 3; ++i) {
    auto e = stdio_entry(stdio[i], i == 0);
    if (!e.ok()) return std::move(e).error();
    ctx->fds_.insert_at(i, std::move(e).value());
  }
  Fd next = 3;
  for (const PreopenSpec& p : c.preopens) {
    // Readable, so fd_readdir/fd_sync work on the preopen itself; O_PATH only
    // when the directory is searchable but not readable.
    int fd = ::open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == EACCES) fd = ::open(p.host_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return host_error("cannot preopen directory '" + p.host_path + "'", errno);
    FdEntry e;
    e.host.reset(fd);
    e.type = FileType::Directory;
    e.base = rights::kDirectoryBase;
    e.inheriting = rights::kDirectoryInheriting;
    if (p.read_only) {
      e.base &= ~rights::kWriteRights;
      e.inheriting &= ~rights::kWriteRights;
    }
    e.is_preopen = true;
    e.preopen_name = p.guest_path.empty() ? p.host_path : p.guest_path;
    ctx->fds_.insert_at(next++, std::move(e));
  }
  for (int lfd : c.listeners) {
    FdEntry e;
    e.host.reset(lfd);
    e.type = FileType::SocketStream;
    e.base = rights::kListenerBase;
    e.is_listener = true;
    ctx->fds_.insert_at(next++, std::move(e));
  }
  ctx->config_.listeners.clear();  // owned by the table now
  return ctx;
}

}  // namespace vivarium::wasi
