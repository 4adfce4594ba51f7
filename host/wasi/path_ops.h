// Path helpers shared by the path_* functions, on top of the Resolver.
#pragma once
#include <sys/stat.h>

#include <string>

#include "host/wasi/resolver.h"

namespace vivarium::wasi {

// Like Resolver::parent, but when the last component is a symlink it is
// followed (still beneath dirfd) until the name is not a symlink: for
// operations with SYMLINK_FOLLOW that the kernel offers only by name.
ErrnoOr<ParentDir> parent_following(const Resolver& r, int dirfd, std::string path);

// stat of a path beneath dirfd; a trailing slash always follows (POSIX).
ErrnoOr<struct stat> stat_beneath(const Resolver& r, int dirfd, const std::string& path, bool follow);

}  // namespace vivarium::wasi
