#include "host/wasi/fd_table.h"

namespace vivarium::wasi {

ErrnoOr<FdEntry*> FdTable::get(Fd fd, Rights needed) {
  auto it = entries_.find(fd);
  if (it == entries_.end()) return Errno::Badf;
  if ((it->second.base & needed) != needed) return Errno::NotCapable;
  return &it->second;
}

ErrnoOr<FdEntry*> FdTable::get_dir(Fd fd, Rights needed) {
  auto it = entries_.find(fd);
  if (it == entries_.end()) return Errno::Badf;
  if (it->second.type != FileType::Directory) return Errno::NotDir;
  if ((it->second.base & needed) != needed) return Errno::NotCapable;
  return &it->second;
}

ErrnoOr<FdEntry*> FdTable::get_file(Fd fd, Rights needed) {
  auto it = entries_.find(fd);
  if (it == entries_.end() || it->second.type == FileType::Directory) return Errno::Badf;
  if ((it->second.base & needed) != needed) return Errno::NotCapable;
  return &it->second;
}

ErrnoOr<Fd> FdTable::insert(FdEntry e) {
  Fd fd = 0;
  // std::map is ordered: the first gap in the keys is the lowest free number.
  for (const auto& [k, v] : entries_) {
    if (k != fd) break;
    ++fd;
  }
  if (fd >= kMaxFds) return Errno::Mfile;
  entries_.emplace(fd, std::move(e));
  return fd;
}

void FdTable::insert_at(Fd fd, FdEntry e) { entries_.insert_or_assign(fd, std::move(e)); }

Errno FdTable::close(Fd fd) {
  auto it = entries_.find(fd);
  if (it == entries_.end()) return Errno::Badf;
  entries_.erase(it);  // UniqueFd closes the host descriptor
  return Errno::Success;
}

Errno FdTable::renumber(Fd from, Fd to) {
  auto f = entries_.find(from);
  if (f == entries_.end()) return Errno::Badf;
  auto t = entries_.find(to);
  if (t == entries_.end()) return Errno::Badf;
  if (from == to) return Errno::Success;
  t->second = std::move(f->second);
  entries_.erase(f);
  return Errno::Success;
}

}  // namespace vivarium::wasi
