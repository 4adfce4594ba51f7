#include "host/wasi/filestat.h"

#include <algorithm>

#include "host/wasi/host_stat.h"

namespace vivarium::wasi {

Errno write_filestat(const MemoryView& mem, uint32_t addr, const struct stat& st, FileType type) {
  using namespace layout;
  if (!mem.in_bounds(addr, kFilestatSize)) return Errno::Fault;
  auto raw = mem.bytes(addr, kFilestatSize);
  std::fill(raw->begin(), raw->end(), uint8_t{0});  // padding after filetype
  (void)mem.store<uint64_t>(addr + kFilestatDev, st.st_dev);
  (void)mem.store<uint64_t>(addr + kFilestatIno, st.st_ino);
  (void)mem.store<uint8_t>(addr + kFilestatFiletype, static_cast<uint8_t>(type));
  (void)mem.store<uint64_t>(addr + kFilestatNlink, st.st_nlink);
  (void)mem.store<uint64_t>(addr + kFilestatSize_, static_cast<uint64_t>(st.st_size));
  (void)mem.store<uint64_t>(addr + kFilestatAtim, to_timestamp(st.st_atim));
  (void)mem.store<uint64_t>(addr + kFilestatMtim, to_timestamp(st.st_mtim));
  (void)mem.store<uint64_t>(addr + kFilestatCtim, to_timestamp(st.st_ctim));
  return Errno::Success;
}

}  // namespace vivarium::wasi
