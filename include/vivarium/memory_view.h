// Guest memory is reached only through this checked view. Every accessor
// checks [addr, addr+len) against the current size with overflow-safe
// arithmetic and returns an empty result instead of touching memory outside.
#pragma once
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <bit>

namespace vivarium {

class MemoryView {
 public:
  MemoryView() = default;
  MemoryView(uint8_t* base, uint64_t size) : base_(base), size_(size) {}

  uint64_t size() const { return size_; }
  bool in_bounds(uint64_t addr, uint64_t len) const { return addr <= size_ && len <= size_ - addr; }

  std::optional<std::span<uint8_t>> bytes(uint64_t addr, uint64_t len) const {
    if (!in_bounds(addr, len)) return std::nullopt;
    return std::span<uint8_t>(base_ + addr, len);
  }
  std::optional<std::string_view> string(uint64_t addr, uint64_t len) const {
    if (!in_bounds(addr, len)) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(base_ + addr), len);
  }
  // Little-endian scalar load/store (the host is little-endian; asserted at build).
  template <class T>
  std::optional<T> load(uint64_t addr) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!in_bounds(addr, sizeof(T))) return std::nullopt;
    T v;
    std::memcpy(&v, base_ + addr, sizeof(T));
    return v;
  }
  template <class T>
  bool store(uint64_t addr, const T& v) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!in_bounds(addr, sizeof(T))) return false;
    std::memcpy(base_ + addr, &v, sizeof(T));
    return true;
  }
  // An array of `count` elements of T at addr (e.g. a WASI iovec list);
  // rejects count*sizeof(T) overflow.
  template <class T>
  bool in_bounds_array(uint64_t addr, uint64_t count) const {
    if (count > size_ / (sizeof(T) ? sizeof(T) : 1)) return false;
    return in_bounds(addr, count * sizeof(T));
  }

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
};

static_assert(std::endian::native == std::endian::little, "Vivarium assumes a little-endian host");

}  // namespace vivarium
