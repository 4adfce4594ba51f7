#include "host/wasi/path_ops.h"

#include <fcntl.h>
#include <unistd.h>

#include "host/wasi/errno_map.h"

namespace vivarium::wasi {
namespace {

constexpr int kMaxSymlinkExpansions = 40;

// Everything up to and including the last '/' of the path without its
// trailing slashes ("" for a single component).
std::string dir_part(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(p.substr(0, slash + 1));
}

}  // namespace

ErrnoOr<ParentDir> parent_following(const Resolver& r, int dirfd, std::string path) {
  for (int i = 0; i <= kMaxSymlinkExpansions; ++i) {
    WASI_TRY_ASSIGN(ParentDir p, r.parent(dirfd, path));
    if (p.name == ".") return p;
    struct stat st;
    if (::fstatat(p.fd, p.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK(st.st_mode)) return p;
    std::string target(4096, '\0');
    ssize_t n = ::readlinkat(p.fd, p.name.c_str(), target.data(), target.size());
    if (n < 0) return last_host_errno();
    if (static_cast<size_t>(n) >= target.size()) return Errno::NameTooLong;
    target.resize(static_cast<size_t>(n));
    if (target.empty()) return Errno::NoEnt;
    if (target.front() == '/') return Errno::NotCapable;
    // The target is relative to the link's directory; resolving the joined
    // path from dirfd again keeps every step beneath dirfd.
    path = dir_part(path) + target + (p.trailing_slash ? "/" : "");
  }
  return Errno::Loop;
}

ErrnoOr<struct stat> stat_beneath(const Resolver& r, int dirfd, const std::string& path, bool follow) {
  struct stat st;
  if (follow || (!path.empty() && path.back() == '/')) {
    WASI_TRY_ASSIGN(UniqueFd fd, r.open(dirfd, path, O_PATH, 0, true));
    if (::fstat(fd.get(), &st) != 0) return last_host_errno();
    return st;
  }
  WASI_TRY_ASSIGN(ParentDir p, r.parent(dirfd, path));
  if (::fstatat(p.fd, p.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return last_host_errno();
  return st;
}

}  // namespace vivarium::wasi
