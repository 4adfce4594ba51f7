// Path resolution strictly beneath a directory fd (a preopen or a directory
// opened from one). Nothing a guest can name -- "..", an absolute path, a
// symlink whose target is absolute or climbs out, a symlink loop, or a
// directory renamed during the lookup -- reaches anything outside.
//
// Two implementations with one contract:
//  * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): the kernel does the
//    walk atomically (Linux >= 5.6);
//  * a component walk (fallback for older kernels, and forced in tests):
//    every step opens ONE name with O_NOFOLLOW relative to an fd we hold,
//    ".." pops our own stack of held fds instead of asking the kernel, and
//    symlinks are expanded by us, counting expansions (ELOOP after 40, like
//    Linux's MAXSYMLINKS).
// Escapes answer NOTCAPABLE, the witx errno for "outside the capability".
#pragma once
#include <linux/limits.h>
#include <sys/types.h>

#include <cstddef>

#include <string>
#include <string_view>

#include "host/wasi/errno_or.h"
#include "host/wasi/unique_fd.h"

namespace vivarium::wasi {

// The longest path any resolver accepts: Linux's PATH_MAX counts the NUL, so
// 4095 bytes. Longer is NAMETOOLONG, answered before any work -- no copy, no
// split into components (a 256 MiB path once cost the walk gigabytes).
constexpr size_t kMaxPathBytes = PATH_MAX - 1;

enum class ResolveMode {
  Auto,     // openat2 when the kernel has it, else the walk
  Openat2,  // kernel resolution only (fails with NOSYS where missing)
  Walk,     // always the component walk
};

// The directory that holds a path's last component, and that component.
struct ParentDir {
  UniqueFd owned;     // set when the parent is not the starting fd itself
  int fd = -1;        // the parent directory (owned.get() or the starting fd)
  std::string name;   // last component without trailing slashes; "." when
                      // the path ends in "." or ".." (then fd is that directory)
  bool trailing_slash = false;
  // The name as the kernel should see it for calls that must reject a
  // trailing slash on a non-directory (unlink, rename, mkdir, symlink).
  std::string name_with_slash() const { return trailing_slash ? name + "/" : name; }
};

class Resolver {
 public:
  explicit Resolver(ResolveMode mode = ResolveMode::Auto);

  // openat(dirfd, path, flags, mode) beneath dirfd. A trailing symlink is
  // followed only when follow_final (else O_NOFOLLOW semantics: ELOOP, or
  // the link itself with O_PATH). O_CLOEXEC is always added.
  ErrnoOr<UniqueFd> open(int dirfd, std::string_view path, int flags, mode_t mode, bool follow_final) const;

  // The parent directory of the path's last component, resolved beneath dirfd
  // (intermediate symlinks followed, still beneath).
  ErrnoOr<ParentDir> parent(int dirfd, std::string_view path) const;

  // True when the kernel offers openat2 (probed once per process).
  static bool kernel_has_openat2();
  ResolveMode effective_mode() const;

 private:
  ErrnoOr<UniqueFd> open_kernel(int dirfd, const std::string& path, int flags, mode_t mode, bool follow) const;
  ErrnoOr<UniqueFd> open_walk(int dirfd, std::string_view path, int flags, mode_t mode, bool follow) const;
  ResolveMode mode_;
};

}  // namespace vivarium::wasi
