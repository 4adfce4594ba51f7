// path_open: the one place a guest gains a new descriptor from a path. The
// rights model follows the witx: the directory needs PATH_OPEN (plus
// PATH_CREATE_FILE for CREAT, PATH_FILESTAT_SET_SIZE for TRUNC), the
// requested rights must come out of the directory's inheriting rights, and
// the new fd keeps only the rights that make sense for what was opened.
#include <fcntl.h>
#include <sys/stat.h>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/host_stat.h"
#include "host/wasi/rights.h"

namespace vivarium::wasi {
namespace {

// The open(2) flags for a request. The access mode comes from the rights
// asked for alone (the same rule as wasmtime's and uvwasi's: reading rights
// open for reading, writing rights for writing), so no flag -- APPEND above
// all -- makes the host hold a writable descriptor the guest has no write
// right for; TRUNC writes, and needs PATH_FILESTAT_SET_SIZE on the directory.
int host_open_flags(uint32_t oflags, Rights base, uint32_t fdflags) {
  constexpr Rights kReadRights = right::FdRead | right::FdReaddir;
  constexpr Rights kWriteRights = right::FdWrite | right::FdDatasync | right::FdAllocate | right::FdFilestatSetSize;
  bool read = base & kReadRights;
  bool write = (base & kWriteRights) || (oflags & oflag::Trunc);
  int fl = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
  // A directory asked for with writing rights: the kernel answers EISDIR,
  // as wasmtime does (wasi-testsuite's path_open_preopen).
  if (oflags & oflag::Directory) fl |= O_DIRECTORY;
  if (oflags & oflag::Creat) fl |= O_CREAT;
  if (oflags & oflag::Excl) fl |= O_EXCL;
  if (oflags & oflag::Trunc) fl |= O_TRUNC;
  if (fdflags & fdflag::Append) fl |= O_APPEND;
  if (fdflags & fdflag::Dsync) fl |= O_DSYNC;
  if (fdflags & fdflag::Nonblock) fl |= O_NONBLOCK;
  if (fdflags & fdflag::Rsync) fl |= O_RSYNC;
  if (fdflags & fdflag::Sync) fl |= O_SYNC;
  return fl;
}

}  // namespace

void add_path_open(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  l.func(kModule, "path_open",
         [c](Caller& caller, uint32_t fd, uint32_t dirflags, uint32_t path, uint32_t len, uint32_t oflags,
             uint64_t base, uint64_t inheriting, uint32_t fdflags, uint32_t out) -> uint32_t {
           if ((dirflags & ~lookupflag::SymlinkFollow) || (oflags & ~uint32_t{oflag::All}) ||
               (fdflags & ~uint32_t{fdflag::All}) || (base & ~right::All) || (inheriting & ~right::All))
             return ret(Errno::Inval);
           Rights need = right::PathOpen;
           if (oflags & oflag::Creat) need |= right::PathCreateFile;
           if (oflags & oflag::Trunc) need |= right::PathFilestatSetSize;
           WASI_TRY_ASSIGN_RET(FdEntry * d, c->fds().get_dir(fd, need));
           if ((base & ~d->inheriting) || (inheriting & ~d->inheriting)) return ret(Errno::NotCapable);
           // Creating or truncating a directory means nothing (wasmtime: INVAL);
           // kernels differ on O_CREAT|O_DIRECTORY, so answer before asking one.
           if ((oflags & oflag::Directory) && (oflags & (oflag::Creat | oflag::Excl | oflag::Trunc)))
             return ret(Errno::Inval);
           MemoryView mem = caller.memory();
           WASI_TRY_ERRNO_RET(check_out(mem, out, 4));
           WASI_TRY_ASSIGN_RET(std::string p, guest_path(mem, path, len));

           int fl = host_open_flags(oflags, base, fdflags);
           // Belt and braces for read-only preopens (and directories whose
           // rights were narrowed): no write right to pass on, no writable
           // host descriptor, whatever the flags.
           if ((fl & O_ACCMODE) != O_RDONLY && !(d->inheriting & right::FdWrite)) return ret(Errno::NotCapable);
           WASI_TRY_ASSIGN_RET(UniqueFd h, c->resolver().open(d->host.get(), p, fl, 0666,
                                                               dirflags & lookupflag::SymlinkFollow));
           struct stat st;
           if (::fstat(h.get(), &st) != 0) return ret(last_host_errno());
           FdEntry e;
           e.type = filetype_of_fd(h.get(), st);
           e.host = std::move(h);
           e.base = base & rights::base_for(e.type);
           e.inheriting = inheriting & rights::inheriting_for(e.type);
           if (e.type != FileType::Directory && (oflags & oflag::Directory)) return ret(Errno::NotDir);
           WASI_TRY_ASSIGN_RET(Fd nfd, c->fds().insert(std::move(e)));
           return ret(put<uint32_t>(mem, out, nfd));
         });
}

}  // namespace vivarium::wasi
