// The fd_* functions that do not move file data: advise, allocate, close,
// datasync, fdstat_*, filestat_*, prestat_*, renumber, seek, sync, tell.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/file_times.h"
#include "host/wasi/filestat.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/host_stat.h"

namespace vivarium::wasi {
namespace {

uint16_t fdflags_from_host(int fl) {
  uint16_t f = 0;
  if (fl & O_APPEND) f |= fdflag::Append;
  if (fl & O_NONBLOCK) f |= fdflag::Nonblock;
  // On Linux O_SYNC includes the O_DSYNC bit, and O_RSYNC equals O_SYNC.
  if ((fl & O_SYNC) == O_SYNC) f |= fdflag::Sync | fdflag::Rsync;
  else if (fl & O_DSYNC) f |= fdflag::Dsync;
  return f;
}

bool valid_filesize(uint64_t v) { return v <= static_cast<uint64_t>(INT64_MAX); }

}  // namespace

void add_fd_meta(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;

  l.func(kModule, "fd_advise", [c](uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd, right::FdAdvise));
    int a;
    switch (advice) {
      case 0: a = POSIX_FADV_NORMAL; break;
      case 1: a = POSIX_FADV_SEQUENTIAL; break;
      case 2: a = POSIX_FADV_RANDOM; break;
      case 3: a = POSIX_FADV_WILLNEED; break;
      case 4: a = POSIX_FADV_DONTNEED; break;
      case 5: a = POSIX_FADV_NOREUSE; break;
      default: return ret(Errno::Inval);
    }
    if (!valid_filesize(offset) || !valid_filesize(len)) return ret(Errno::Inval);
    if (e->type == FileType::Directory) return ret(Errno::Badf);
    int r = ::posix_fadvise(e->host.get(), static_cast<off_t>(offset), static_cast<off_t>(len), a);
    return ret(from_host_errno(r));  // posix_fadvise returns the error number
  });

  l.func(kModule, "fd_allocate", [c](uint32_t fd, uint64_t offset, uint64_t len) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get_file(fd, right::FdAllocate));
    if (!valid_filesize(offset) || !valid_filesize(len)) return ret(Errno::Inval);
    if (offset + len > static_cast<uint64_t>(INT64_MAX)) return ret(Errno::Fbig);
    int r = ::posix_fallocate(e->host.get(), static_cast<off_t>(offset), static_cast<off_t>(len));
    return ret(from_host_errno(r));
  });

  l.func(kModule, "fd_close", [c](uint32_t fd) -> uint32_t { return ret(c->fds().close(fd)); });

  l.func(kModule, "fd_datasync", [c](uint32_t fd) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd, right::FdDatasync));
    return ret(host_result(::fdatasync(e->host.get())));
  });

  l.func(kModule, "fd_sync", [c](uint32_t fd) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd, right::FdSync));
    return ret(host_result(::fsync(e->host.get())));
  });

  l.func(kModule, "fd_fdstat_get", [c](Caller& caller, uint32_t fd, uint32_t out) -> uint32_t {
    using namespace layout;
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd));
    MemoryView mem = caller.memory();
    auto raw = mem.bytes(out, kFdstatSize);
    if (!raw) return ret(Errno::Fault);
    int fl = ::fcntl(e->host.get(), F_GETFL);
    std::memset(raw->data(), 0, kFdstatSize);
    (void)mem.store<uint8_t>(out + kFdstatFiletype, static_cast<uint8_t>(e->type));
    (void)mem.store<uint16_t>(out + kFdstatFlags, fl < 0 ? uint16_t{0} : fdflags_from_host(fl));
    (void)mem.store<uint64_t>(out + kFdstatRightsBase, e->base);
    (void)mem.store<uint64_t>(out + kFdstatRightsInheriting, e->inheriting);
    return ret(Errno::Success);
  });

  l.func(kModule, "fd_fdstat_set_flags", [c](uint32_t fd, uint32_t flags) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd, right::FdFdstatSetFlags));
    if (flags & ~uint32_t{fdflag::All}) return ret(Errno::Inval);
    int fl = ::fcntl(e->host.get(), F_GETFL);
    if (fl < 0) return ret(last_host_errno());
    // Linux's F_SETFL cannot change the sync modes of an open file; say so
    // rather than pretend (wasmtime likewise only changes APPEND/NONBLOCK).
    constexpr uint32_t kSyncFlags = fdflag::Dsync | fdflag::Rsync | fdflag::Sync;
    if ((flags & kSyncFlags) != (fdflags_from_host(fl) & kSyncFlags)) return ret(Errno::NotSup);
    fl &= ~(O_APPEND | O_NONBLOCK);
    if (flags & fdflag::Append) fl |= O_APPEND;
    if (flags & fdflag::Nonblock) fl |= O_NONBLOCK;
    return ret(host_result(::fcntl(e->host.get(), F_SETFL, fl)));
  });

  l.func(kModule, "fd_fdstat_set_rights", [c](uint32_t fd, uint64_t base, uint64_t inheriting) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd));
    // Rights only ever shrink: asking for one the fd lacks is NOTCAPABLE.
    if ((base & ~e->base) != 0 || (inheriting & ~e->inheriting) != 0) return ret(Errno::NotCapable);
    e->base = base;
    e->inheriting = inheriting;
    return ret(Errno::Success);
  });

  l.func(kModule, "fd_filestat_get", [c](Caller& caller, uint32_t fd, uint32_t out) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd, right::FdFilestatGet));
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, out, layout::kFilestatSize));
    // Host stdio is a stream: its device, inode, size and times belong to
    // whatever the host redirected it from, none of the guest's business
    // (wasmtime answers zeros and the type too).
    struct stat st {};
    if (!e->is_host_stdio && ::fstat(e->host.get(), &st) != 0) return ret(last_host_errno());
    return ret(write_filestat(mem, out, st, e->type));
  });

  l.func(kModule, "fd_filestat_set_size", [c](uint32_t fd, uint64_t size) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get_file(fd, right::FdFilestatSetSize));
    if (!valid_filesize(size)) return ret(Errno::Inval);
    return ret(host_result(::ftruncate(e->host.get(), static_cast<off_t>(size))));
  });

  l.func(kModule, "fd_filestat_set_times",
         [c](uint32_t fd, uint64_t atim, uint64_t mtim, uint32_t fst) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd, right::FdFilestatSetTimes));
           WASI_TRY_ASSIGN_RET(auto times, file_times(atim, mtim, fst));
           return ret(host_result(::futimens(e->host.get(), times.data())));
         });

  l.func(kModule, "fd_prestat_get", [c](Caller& caller, uint32_t fd, uint32_t out) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd));
    // Not a preopen: BADF, which is also what ends wasi-libc's preopen scan.
    if (!e->is_preopen) return ret(Errno::Badf);
    MemoryView mem = caller.memory();
    auto raw = mem.bytes(out, layout::kPrestatSize);
    if (!raw) return ret(Errno::Fault);
    std::memset(raw->data(), 0, layout::kPrestatSize);
    (void)mem.store<uint8_t>(out, kPreopenTypeDir);
    (void)mem.store<uint32_t>(out + layout::kPrestatNameLen, static_cast<uint32_t>(e->preopen_name.size()));
    return ret(Errno::Success);
  });

  l.func(kModule, "fd_prestat_dir_name", [c](Caller& caller, uint32_t fd, uint32_t path, uint32_t len) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd));
    if (!e->is_preopen) return ret(Errno::Badf);
    // A buffer shorter than the name: NAMETOOLONG, as wasmtime answers.
    if (len < e->preopen_name.size()) return ret(Errno::NameTooLong);
    auto dst = caller.memory().bytes(path, e->preopen_name.size());
    if (!dst) return ret(Errno::Fault);
    std::memcpy(dst->data(), e->preopen_name.data(), e->preopen_name.size());
    return ret(Errno::Success);
  });

  l.func(kModule, "fd_renumber", [c](uint32_t from, uint32_t to) -> uint32_t {
    return ret(c->fds().renumber(from, to));
  });

  l.func(kModule, "fd_seek",
         [c](Caller& caller, uint32_t fd, int64_t delta, uint32_t whence, uint32_t out) -> uint32_t {
           // A pure "where am I" needs only FD_TELL (the witx's split of rights).
           Rights need = (delta == 0 && whence == static_cast<uint32_t>(Whence::Cur)) ? right::FdTell : right::FdSeek;
           WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get_file(fd, need));
           int w;
           switch (whence) {
             case 0: w = SEEK_SET; break;
             case 1: w = SEEK_CUR; break;
             case 2: w = SEEK_END; break;
             default: return ret(Errno::Inval);
           }
           MemoryView mem = caller.memory();
           WASI_TRY_ERRNO_RET(check_out(mem, out, 8));
           off_t pos = ::lseek(e->host.get(), static_cast<off_t>(delta), w);
           if (pos < 0) return ret(last_host_errno());
           return ret(put<uint64_t>(mem, out, static_cast<uint64_t>(pos)));
         });

  l.func(kModule, "fd_tell", [c](Caller& caller, uint32_t fd, uint32_t out) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get_file(fd, right::FdTell));
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, out, 8));
    off_t pos = ::lseek(e->host.get(), 0, SEEK_CUR);
    if (pos < 0) return ret(last_host_errno());
    return ret(put<uint64_t>(mem, out, static_cast<uint64_t>(pos)));
  });
}

}  // namespace vivarium::wasi
