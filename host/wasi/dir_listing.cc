#include "host/wasi/dir_listing.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "host/wasi/errno_map.h"
#include "host/wasi/host_stat.h"

namespace vivarium::wasi {
namespace {

FileType from_dtype(unsigned char t) {
  switch (t) {
    case DT_BLK: return FileType::BlockDevice;
    case DT_CHR: return FileType::CharacterDevice;
    case DT_DIR: return FileType::Directory;
    case DT_REG: return FileType::RegularFile;
    case DT_SOCK: return FileType::SocketStream;
    case DT_LNK: return FileType::SymbolicLink;
    default: return FileType::Unknown;
  }
}

}  // namespace

ErrnoOr<std::shared_ptr<DirListing>> list_directory(int dirfd) {
  // A fresh open description: its own position, and readable even when
  // dirfd was opened with O_PATH.
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_host_errno();
  DIR* d = ::fdopendir(fd);
  if (!d) {
    Errno e = last_host_errno();
    ::close(fd);
    return e;
  }
  auto out = std::make_shared<DirListing>();
  errno = 0;
  while (struct dirent* ent = ::readdir(d)) {
    DirEntryInfo info;
    info.name = ent->d_name;
    info.ino = ent->d_ino;
    info.type = from_dtype(ent->d_type);
    if (ent->d_type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(fd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) info.type = filetype_from_mode(st.st_mode);
    }
    out->entries.push_back(std::move(info));
    errno = 0;
  }
  Errno e = errno ? last_host_errno() : Errno::Success;
  ::closedir(d);
  if (e != Errno::Success) return e;
  return out;
}

}  // namespace vivarium::wasi
