#include "engine/memory/memory_image.h"

#include <algorithm>

#include <sys/mman.h>
#include <unistd.h>

#include "engine/memory/page_allocator.h"

namespace vivarium::detail {

std::unique_ptr<MemoryImage> MemoryImage::create(std::span<const Segment> segments) {
  uint64_t end = 0;
  for (const Segment& s : segments) end = std::max<uint64_t>(end, s.offset + s.bytes.size());
  const uint64_t page = os_page_size();
  const uint64_t bytes = (end + page - 1) / page * page;
  if (bytes == 0) return nullptr;
  const int fd = memfd_create("vivarium-memory-image", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  bool ok = ftruncate(fd, static_cast<off_t>(bytes)) == 0;
  for (size_t i = 0; ok && i < segments.size(); ++i) {
    const Segment& s = segments[i];
    size_t done = 0;
    while (ok && done < s.bytes.size()) {
      ssize_t n = pwrite(fd, s.bytes.data() + done, s.bytes.size() - done, static_cast<off_t>(s.offset + done));
      ok = n > 0;
      if (ok) done += static_cast<size_t>(n);
    }
  }
  if (!ok) {
    close(fd);
    return nullptr;
  }
  return std::unique_ptr<MemoryImage>(new MemoryImage(fd, bytes));
}

MemoryImage::~MemoryImage() { close(fd_); }  // mappings keep their own reference to the file

bool MemoryImage::map_into(MemoryInst& m) const {
  if (bytes_ > m.size) return false;
  void* p = mmap(m.base, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd_, 0);
  if (p == MAP_FAILED) return false;
  m.image_bytes = bytes_;
  return true;
}

void unmap_image(MemoryInst& m) {
  if (m.image_bytes == 0) return;
  // MAP_FIXED replaces the file pages in one call; should it fail, the
  // reservation is unmapped instead of pooled.
  void* p = mmap(m.base, m.image_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) m.unpoolable = true;
  m.image_bytes = 0;
}

}  // namespace vivarium::detail
