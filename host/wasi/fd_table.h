// The guest's file descriptor table: guest fd numbers -> host fds with the
// WASI type, rights and (for preopens) the guest-visible name. Every ABI
// function reaches the OS only through an entry obtained here, so the rights
// check lives in exactly one place.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "host/wasi/abi_types.h"
#include "host/wasi/errno_or.h"
#include "host/wasi/unique_fd.h"

namespace vivarium::wasi {

// A snapshot of a directory listing, so fd_readdir cookies (entry indices)
// stay stable across calls until the guest restarts at cookie 0.
struct DirEntryInfo {
  std::string name;
  uint64_t ino = 0;
  FileType type = FileType::Unknown;
};
struct DirListing {
  std::vector<DirEntryInfo> entries;
};

struct FdEntry {
  UniqueFd host;
  FileType type = FileType::Unknown;
  Rights base = 0;
  Rights inheriting = 0;
  bool is_preopen = false;
  std::string preopen_name;  // guest path of a preopened directory
  bool is_listener = false;  // a listening socket from --listen
  bool is_host_stdio = false;  // fds 0-2 as the host gave them (see WasiCtx::create)
  std::shared_ptr<DirListing> listing;  // fd_readdir cache
};

class FdTable {
 public:
  // Guest fds never reach this value: the witx promises fds < 2^31, and a
  // bound keeps a runaway guest from exhausting host descriptors.
  static constexpr Fd kMaxFds = 16384;

  // The entry for `fd` holding every right in `needed`: BADF if unknown,
  // NOTCAPABLE if a right is missing.
  ErrnoOr<FdEntry*> get(Fd fd, Rights needed = 0);
  // Like get(), but the fd must be a directory (NOTDIR otherwise): the
  // check wasmtime makes before any path operation.
  ErrnoOr<FdEntry*> get_dir(Fd fd, Rights needed);
  // Like get(), for operations on file contents (read, write, seek, size):
  // a directory is BADF, as wasmtime answers (its rights would say
  // NOTCAPABLE; the witx does not choose, and guests are written against
  // wasmtime).
  ErrnoOr<FdEntry*> get_file(Fd fd, Rights needed);
  // Installs at the lowest free number (MFILE when full).
  ErrnoOr<Fd> insert(FdEntry e);
  // Installs at a fixed number (stdio, preopens at startup).
  void insert_at(Fd fd, FdEntry e);
  Errno close(Fd fd);
  // fd_renumber: `to` is closed and replaced by `from`; both must be open.
  Errno renumber(Fd from, Fd to);
  bool contains(Fd fd) const { return entries_.count(fd) != 0; }
  size_t size() const { return entries_.size(); }

 private:
  std::map<Fd, FdEntry> entries_;
};

}  // namespace vivarium::wasi
