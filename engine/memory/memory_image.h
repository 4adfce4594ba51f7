// Copy-on-write images of a memory's initial contents (issue #11 item 3).
//
// Copying a 1 MiB data segment into a fresh memory costs a page fault and a
// 4 KiB copy per page on every instantiation. An image puts the initialized
// prefix of the memory in a memfd once per module; an instance then maps it
// MAP_PRIVATE|MAP_FIXED over the start of its memory (one mmap, whatever
// the size): pages are shared with the image until the guest writes one, and
// never read pages cost nothing. Used where it pays: a pooling engine, and
// segments of at least kMinImageBytes (smaller ones are cheaper to copy).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/memory/linear_memory.h"

namespace vivarium::detail {

class MemoryImage {
 public:
  // Below this many bytes of data a copy is cheaper than an mmap.
  static constexpr uint64_t kMinImageBytes = 64 * 1024;

  struct Segment {
    uint64_t offset;
    std::span<const uint8_t> bytes;
  };
  // An image of the first `len` bytes (rounded up to whole OS pages) holding
  // `segments` written in order; nullptr when the OS has no memfd or refuses.
  static std::unique_ptr<MemoryImage> create(std::span<const Segment> segments);
  ~MemoryImage();
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  uint64_t bytes() const { return bytes_; }

  // Maps the image over [m.base, m.base + bytes()), which must lie in m's
  // accessible part. False (and m unchanged) when the mmap fails.
  bool map_into(MemoryInst& m) const;

 private:
  MemoryImage(int fd, uint64_t bytes) : fd_(fd), bytes_(bytes) {}
  int fd_;
  uint64_t bytes_;
};

// Puts anonymous zero pages back where map_into put an image, before the
// memory's reservation is released (a pool must hand out zeroed memory, and
// madvise(MADV_DONTNEED) on a file mapping would bring the image back).
void unmap_image(MemoryInst& m);

}  // namespace vivarium::detail
