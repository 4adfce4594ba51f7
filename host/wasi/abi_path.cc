// path_create_directory, path_filestat_get, path_filestat_set_times,
// path_link, path_readlink, path_remove_directory, path_rename,
// path_symlink, path_unlink_file. Every path goes through the Resolver
// (strictly beneath the fd's directory); the final *at() call then names a
// single component relative to a directory fd we resolved, and never
// follows a symlink in that last step.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <climits>
#include <cstring>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/file_times.h"
#include "host/wasi/filestat.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/host_stat.h"
#include "host/wasi/path_ops.h"

namespace vivarium::wasi {
namespace {

// A trailing slash on a name that must not be followed (readlink, the source
// of a hard link): the kernel would follow a symlink there, so decide here.
Errno reject_trailing_slash(const ParentDir& p) {
  struct stat st;
  if (::fstatat(p.fd, p.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return last_host_errno();
  return S_ISDIR(st.st_mode) ? Errno::Success : Errno::NotDir;
}

}  // namespace

void add_path(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;

  l.func(kModule, "path_create_directory", [c](Caller& caller, uint32_t fd, uint32_t path, uint32_t len) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * d, c->fds().get_dir(fd, right::PathCreateDirectory));
    WASI_TRY_ASSIGN_RET(std::string p, guest_path(caller.memory(), path, len));
    WASI_TRY_ASSIGN_RET(ParentDir pd, c->resolver().parent(d->host.get(), p));
    return ret(host_result(::mkdirat(pd.fd, pd.name_with_slash().c_str(), 0777)));
  });

  l.func(kModule, "path_filestat_get",
         [c](Caller& caller, uint32_t fd, uint32_t flags, uint32_t path, uint32_t len, uint32_t out) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * d, c->fds().get_dir(fd, right::PathFilestatGet));
           if (flags & ~lookupflag::SymlinkFollow) return ret(Errno::Inval);
           MemoryView mem = caller.memory();
           WASI_TRY_ERRNO_RET(check_out(mem, out, layout::kFilestatSize));
           WASI_TRY_ASSIGN_RET(std::string p, guest_path(mem, path, len));
           WASI_TRY_ASSIGN_RET(struct stat st,
                               stat_beneath(c->resolver(), d->host.get(), p, flags & lookupflag::SymlinkFollow));
           return ret(write_filestat(mem, out, st, filetype_from_mode(st.st_mode)));
         });

  l.func(kModule, "path_filestat_set_times",
         [c](Caller& caller, uint32_t fd, uint32_t flags, uint32_t path, uint32_t len, uint64_t atim, uint64_t mtim,
             uint32_t fst) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * d, c->fds().get_dir(fd, right::PathFilestatSetTimes));
           if (flags & ~lookupflag::SymlinkFollow) return ret(Errno::Inval);
           WASI_TRY_ASSIGN_RET(auto times, file_times(atim, mtim, fst));
           WASI_TRY_ASSIGN_RET(std::string p, guest_path(caller.memory(), path, len));
           const bool follow = flags & lookupflag::SymlinkFollow;
           auto pd = follow ? parent_following(c->resolver(), d->host.get(), p) : c->resolver().parent(d->host.get(), p);
           if (!pd.ok()) return ret(pd.error());
           return ret(host_result(::utimensat(pd->fd, pd->name.c_str(), times.data(), AT_SYMLINK_NOFOLLOW)));
         });

  l.func(kModule, "path_link",
         [c](Caller& caller, uint32_t old_fd, uint32_t old_flags, uint32_t old_path, uint32_t old_len, uint32_t new_fd,
             uint32_t new_path, uint32_t new_len) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * od, c->fds().get_dir(old_fd, right::PathLinkSource));
           WASI_TRY_ASSIGN_RET(FdEntry * nd, c->fds().get_dir(new_fd, right::PathLinkTarget));
           if (old_flags & ~lookupflag::SymlinkFollow) return ret(Errno::Inval);
           MemoryView mem = caller.memory();
           WASI_TRY_ASSIGN_RET(std::string op, guest_path(mem, old_path, old_len));
           WASI_TRY_ASSIGN_RET(std::string np, guest_path(mem, new_path, new_len));
           // linkat(AT_SYMLINK_FOLLOW) would let the kernel follow a link out of
           // the sandbox; we follow it ourselves, beneath the directory.
           auto src = (old_flags & lookupflag::SymlinkFollow) ? parent_following(c->resolver(), od->host.get(), op)
                                                              : c->resolver().parent(od->host.get(), op);
           if (!src.ok()) return ret(src.error());
           if (src->trailing_slash) WASI_TRY_ERRNO_RET(reject_trailing_slash(*src));
           WASI_TRY_ASSIGN_RET(ParentDir dst, c->resolver().parent(nd->host.get(), np));
           return ret(host_result(::linkat(src->fd, src->name.c_str(), dst.fd, dst.name_with_slash().c_str(), 0)));
         });

  l.func(kModule, "path_readlink",
         [c](Caller& caller, uint32_t fd, uint32_t path, uint32_t len, uint32_t buf, uint32_t buf_len,
             uint32_t out) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * d, c->fds().get_dir(fd, right::PathReadlink));
           MemoryView mem = caller.memory();
           auto dst = mem.bytes(buf, buf_len);
           if (!dst) return ret(Errno::Fault);
           WASI_TRY_ERRNO_RET(check_out(mem, out, 4));
           WASI_TRY_ASSIGN_RET(std::string p, guest_path(mem, path, len));
           WASI_TRY_ASSIGN_RET(ParentDir pd, c->resolver().parent(d->host.get(), p));
           if (pd.trailing_slash) {
             WASI_TRY_ERRNO_RET(reject_trailing_slash(pd));
             return ret(Errno::Inval);  // a directory is not a symlink
           }
           char target[PATH_MAX];
           ssize_t n = ::readlinkat(pd.fd, pd.name.c_str(), target, sizeof target);
           if (n < 0) return ret(last_host_errno());
           // Too small a buffer gets the first bytes, like readlink(2).
           size_t copy = std::min<size_t>(static_cast<size_t>(n), buf_len);
           std::memcpy(dst->data(), target, copy);
           return ret(put<uint32_t>(mem, out, static_cast<uint32_t>(copy)));
         });

  l.func(kModule, "path_remove_directory", [c](Caller& caller, uint32_t fd, uint32_t path, uint32_t len) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * d, c->fds().get_dir(fd, right::PathRemoveDirectory));
    WASI_TRY_ASSIGN_RET(std::string p, guest_path(caller.memory(), path, len));
    WASI_TRY_ASSIGN_RET(ParentDir pd, c->resolver().parent(d->host.get(), p));
    if (::unlinkat(pd.fd, pd.name_with_slash().c_str(), AT_REMOVEDIR) == 0) return ret(Errno::Success);
    // Some file systems say EEXIST for a non-empty directory; the witx says NOTEMPTY.
    return ret(errno == EEXIST ? Errno::NotEmpty : last_host_errno());
  });

  l.func(kModule, "path_rename",
         [c](Caller& caller, uint32_t fd, uint32_t old_path, uint32_t old_len, uint32_t new_fd, uint32_t new_path,
             uint32_t new_len) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * od, c->fds().get_dir(fd, right::PathRenameSource));
           WASI_TRY_ASSIGN_RET(FdEntry * nd, c->fds().get_dir(new_fd, right::PathRenameTarget));
           MemoryView mem = caller.memory();
           WASI_TRY_ASSIGN_RET(std::string op, guest_path(mem, old_path, old_len));
           WASI_TRY_ASSIGN_RET(std::string np, guest_path(mem, new_path, new_len));
           WASI_TRY_ASSIGN_RET(ParentDir src, c->resolver().parent(od->host.get(), op));
           WASI_TRY_ASSIGN_RET(ParentDir dst, c->resolver().parent(nd->host.get(), np));
           // rename(2) never follows a final symlink, trailing slash or not.
           return ret(host_result(
               ::renameat(src.fd, src.name_with_slash().c_str(), dst.fd, dst.name_with_slash().c_str())));
         });

  l.func(kModule, "path_symlink",
         [c](Caller& caller, uint32_t old_path, uint32_t old_len, uint32_t fd, uint32_t new_path,
             uint32_t new_len) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * d, c->fds().get_dir(fd, right::PathSymlink));
           MemoryView mem = caller.memory();
           WASI_TRY_ASSIGN_RET(std::string target, guest_path(mem, old_path, old_len));
           WASI_TRY_ASSIGN_RET(std::string np, guest_path(mem, new_path, new_len));
           // An absolute target could never be followed by the guest, but it
           // would point host tools at host paths: refuse it, as cap-std
           // (wasmtime) does.
           if (!target.empty() && target.front() == '/') return ret(Errno::NotCapable);
           WASI_TRY_ASSIGN_RET(ParentDir pd, c->resolver().parent(d->host.get(), np));
           return ret(host_result(::symlinkat(target.c_str(), pd.fd, pd.name_with_slash().c_str())));
         });

  l.func(kModule, "path_unlink_file", [c](Caller& caller, uint32_t fd, uint32_t path, uint32_t len) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * d, c->fds().get_dir(fd, right::PathUnlinkFile));
    WASI_TRY_ASSIGN_RET(std::string p, guest_path(caller.memory(), path, len));
    WASI_TRY_ASSIGN_RET(ParentDir pd, c->resolver().parent(d->host.get(), p));
    return ret(host_result(::unlinkat(pd.fd, pd.name_with_slash().c_str(), 0)));
  });
}

}  // namespace vivarium::wasi
