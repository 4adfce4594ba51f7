#include "host/wasi/resolver.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <vector>

#include "host/wasi/errno_map.h"

namespace vivarium::wasi {
namespace {

// Linux's MAXSYMLINKS: the same budget the kernel gives openat2.
constexpr int kMaxSymlinkExpansions = 40;
// openat2 answers EAGAIN when a concurrent rename might have let ".." race;
// retrying a few times is what the man page recommends before giving up.
constexpr int kOpenat2Retries = 8;

bool is_absolute(std::string_view p) { return !p.empty() && p.front() == '/'; }

std::deque<std::string> split_components(std::string_view p) {
  std::deque<std::string> out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.emplace_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool has_trailing_slash(std::string_view p) { return !p.empty() && p.back() == '/'; }

// The state of a component walk: the directories we descended through, so
// that ".." returns to the fd we came from and can never climb above `root`.
class Walk {
 public:
  explicit Walk(int root) : root_(root) {}
  int cur() const { return stack_.empty() ? root_ : stack_.back().get(); }

  // Walks `path`; returns the final component's name relative to cur()
  // ("." when the path ends at a directory). A final symlink is expanded
  // only when follow_final.
  ErrnoOr<std::string> run(std::string_view path, bool follow_final) {
    if (path.empty()) return Errno::NoEnt;
    if (is_absolute(path)) return Errno::NotCapable;
    std::deque<std::string> comps = split_components(path);
    // A trailing slash asks for a directory and follows a final symlink (POSIX).
    if (has_trailing_slash(path)) comps.emplace_back(".");
    while (!comps.empty()) {
      std::string c = std::move(comps.front());
      comps.pop_front();
      const bool last = comps.empty();
      if (c == ".") {
        if (last) return std::string(".");
        continue;
      }
      if (c == "..") {
        if (stack_.empty()) return Errno::NotCapable;
        stack_.pop_back();
        if (last) return std::string(".");
        continue;
      }
      if (last && !follow_final) return c;
      int fd = ::openat(cur(), c.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        if (errno == ENOENT && last) return c;  // may be created by the caller
        return last_host_errno();
      }
      UniqueFd held(fd);
      struct stat st;
      if (::fstat(fd, &st) != 0) return last_host_errno();
      if (S_ISLNK(st.st_mode)) {
        if (++expansions_ > kMaxSymlinkExpansions) return Errno::Loop;
        std::string target(4096, '\0');
        ssize_t n = ::readlinkat(fd, "", target.data(), target.size());
        if (n < 0) return last_host_errno();
        if (static_cast<size_t>(n) >= target.size()) return Errno::NameTooLong;
        target.resize(static_cast<size_t>(n));
        if (target.empty()) return Errno::NoEnt;
        if (is_absolute(target)) return Errno::NotCapable;
        std::deque<std::string> expanded = split_components(target);
        if (has_trailing_slash(target)) expanded.emplace_back(".");
        comps.insert(comps.begin(), expanded.begin(), expanded.end());
        if (comps.empty()) return std::string(".");
        continue;
      }
      if (last) return c;  // the caller opens it by name with O_NOFOLLOW
      if (!S_ISDIR(st.st_mode)) return Errno::NotDir;
      stack_.push_back(std::move(held));
    }
    return std::string(".");
  }

 private:
  int root_;
  std::vector<UniqueFd> stack_;
  int expansions_ = 0;
};

}  // namespace

Resolver::Resolver(ResolveMode mode) : mode_(mode) {}

bool Resolver::kernel_has_openat2() {
  static const bool has = [] {
    struct open_how how {};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH;
    long fd = ::syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how);
    // Anything but success means "not usable": ENOSYS on old kernels, and
    // EPERM where a seccomp profile filters the syscall.
    if (fd < 0) return false;
    ::close(static_cast<int>(fd));
    return true;
  }();
  return has;
}

ResolveMode Resolver::effective_mode() const {
  if (mode_ == ResolveMode::Auto) return kernel_has_openat2() ? ResolveMode::Openat2 : ResolveMode::Walk;
  return mode_;
}

ErrnoOr<UniqueFd> Resolver::open(int dirfd, std::string_view path, int flags, mode_t mode,
                                 bool follow_final) const {
  if (path.size() > kMaxPathBytes) return Errno::NameTooLong;
  if (path.empty()) return Errno::NoEnt;
  if (is_absolute(path)) return Errno::NotCapable;
  if (effective_mode() == ResolveMode::Openat2) {
    auto r = open_kernel(dirfd, std::string(path), flags, mode, follow_final);
    // EAGAIN after retries: let the walk, which needs no kernel help, decide.
    if (r.ok() || r.error() != Errno::Again || mode_ == ResolveMode::Openat2) return r;
  }
  return open_walk(dirfd, path, flags, mode, follow_final);
}

ErrnoOr<UniqueFd> Resolver::open_kernel(int dirfd, const std::string& path, int flags, mode_t mode,
                                        bool follow) const {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  // openat2 rejects a mode without O_CREAT/O_TMPFILE (O_TMPFILE shares its
  // bit with O_DIRECTORY, so test the whole mask).
  how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0; attempt < kOpenat2Retries; ++attempt) {
    long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno == EAGAIN || errno == EINTR) continue;
    if (errno == EXDEV) return Errno::NotCapable;  // the walk would have left dirfd
    return last_host_errno();
  }
  return Errno::Again;
}

ErrnoOr<UniqueFd> Resolver::open_walk(int dirfd, std::string_view path, int flags, mode_t mode,
                                      bool follow) const {
  // O_CREAT|O_EXCL never follows a final symlink (POSIX): an existing link,
  // dangling or not, is EEXIST -- as the kernel does for openat2.
  if ((flags & O_CREAT) && (flags & O_EXCL)) follow = false;
  Walk walk(dirfd);
  WASI_TRY_ASSIGN(std::string name, walk.run(path, follow));
  // O_NOFOLLOW: the walk decided about symlinks; if one was swapped in since,
  // the open fails (ELOOP) instead of following it.
  int fd = ::openat(walk.cur(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return last_host_errno();
  return UniqueFd(fd);
}

ErrnoOr<ParentDir> Resolver::parent(int dirfd, std::string_view path) const {
  if (path.size() > kMaxPathBytes) return Errno::NameTooLong;
  if (path.empty()) return Errno::NoEnt;
  if (is_absolute(path)) return Errno::NotCapable;
  ParentDir out;
  std::string_view p = path;
  while (p.size() > 1 && p.back() == '/') {
    p.remove_suffix(1);
    out.trailing_slash = true;
  }
  size_t slash = p.rfind('/');
  std::string_view dir_part = slash == std::string_view::npos ? std::string_view() : p.substr(0, slash + 1);
  std::string_view last = slash == std::string_view::npos ? p : p.substr(slash + 1);
  if (last == "." || last == "..") {
    // Operate on the directory itself; the kernel then answers EEXIST,
    // EINVAL, EBUSY... for ".", and ".." never reaches a name outside.
    WASI_TRY_ASSIGN(out.owned, open(dirfd, p, O_PATH | O_DIRECTORY, 0, true));
    out.fd = out.owned.get();
    out.name.assign(1, '.');  // not = ".": GCC 12 -Wrestrict false positive (PR 105329)
    return out;
  }
  if (dir_part.empty()) {
    out.fd = dirfd;
  } else {
    WASI_TRY_ASSIGN(out.owned, open(dirfd, dir_part, O_PATH | O_DIRECTORY, 0, true));
    out.fd = out.owned.get();
  }
  out.name = std::string(last);
  return out;
}

}  // namespace vivarium::wasi
