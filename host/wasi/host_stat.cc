#include "host/wasi/host_stat.h"

#include <sys/socket.h>

namespace vivarium::wasi {

FileType filetype_from_mode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFBLK: return FileType::BlockDevice;
    case S_IFCHR: return FileType::CharacterDevice;
    case S_IFDIR: return FileType::Directory;
    case S_IFREG: return FileType::RegularFile;
    case S_IFSOCK: return FileType::SocketStream;
    case S_IFLNK: return FileType::SymbolicLink;
    default: return FileType::Unknown;
  }
}

FileType filetype_of_fd(int fd, const struct stat& st) {
  if (S_ISSOCK(st.st_mode)) {
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM)
      return FileType::SocketDgram;
    return FileType::SocketStream;
  }
  return filetype_from_mode(st.st_mode);
}

Timestamp to_timestamp(const struct timespec& ts) {
  if (ts.tv_sec < 0) return 0;  // before 1970: WASI timestamps are unsigned
  return static_cast<Timestamp>(ts.tv_sec) * 1000000000ull + static_cast<Timestamp>(ts.tv_nsec);
}

}  // namespace vivarium::wasi
