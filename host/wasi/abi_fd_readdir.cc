// fd_readdir: entries as { d_next, d_ino, d_namlen, d_type } + name bytes,
// packed back to back; the last one is cut at the end of the buffer (the
// witx asks for that, so the guest can grow its buffer and retry). The
// cookie is the index of the next entry in a listing taken when the guest
// starts at cookie 0, so it stays valid while the guest reads on.
#include <algorithm>
#include <cstring>

#include "host/wasi/abi.h"
#include "host/wasi/dir_listing.h"
#include "host/wasi/guest_memory.h"

namespace vivarium::wasi {

void add_fd_readdir(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  l.func(kModule, "fd_readdir",
         [c](Caller& caller, uint32_t fd, uint32_t buf, uint32_t len, uint64_t cookie, uint32_t out) -> uint32_t {
           using namespace layout;
           WASI_TRY_ASSIGN_RET(FdEntry * e, c->fds().get(fd));
           if (e->type != FileType::Directory) return ret(Errno::NotDir);
           if ((e->base & right::FdReaddir) == 0) return ret(Errno::NotCapable);
           MemoryView mem = caller.memory();
           auto dst = mem.bytes(buf, len);
           if (!dst) return ret(Errno::Fault);
           WASI_TRY_ERRNO_RET(check_out(mem, out, 4));
           if (cookie == 0 || !e->listing) {
             WASI_TRY_ASSIGN_RET(e->listing, list_directory(e->host.get()));
           }
           const auto& entries = e->listing->entries;
           std::vector<uint8_t> rec;
           uint32_t used = 0;
           for (uint64_t i = cookie; i < entries.size() && used < len; ++i) {
             const DirEntryInfo& d = entries[i];
             rec.assign(kDirentSize + d.name.size(), 0);
             uint64_t next = i + 1;
             uint32_t namlen = static_cast<uint32_t>(d.name.size());
             std::memcpy(rec.data() + kDirentNext, &next, 8);
             std::memcpy(rec.data() + kDirentIno, &d.ino, 8);
             std::memcpy(rec.data() + kDirentNamlen, &namlen, 4);
             rec[kDirentType] = static_cast<uint8_t>(d.type);
             std::memcpy(rec.data() + kDirentSize, d.name.data(), d.name.size());
             uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(rec.size(), len - used));
             std::memcpy(dst->data() + used, rec.data(), n);
             used += n;
           }
           return ret(put<uint32_t>(mem, out, used));
         });
}

}  // namespace vivarium::wasi
