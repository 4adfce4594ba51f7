// The bytes of host memory one store's linear memories and tables may hold
// together (StoreLimits::max_total_bytes). Memories and tables take from it
// before they allocate (creation, memory.grow, table.grow) and a request over
// what is left is refused: a guest sees a failed grow (-1), instantiation a
// LimitExceeded error. Not thread-safe: a store is used by one thread at a time.
#pragma once
#include <cstdint>
#include <limits>

namespace vivarium::detail {

class ByteBudget {
 public:
  static constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();
  explicit ByteBudget(uint64_t limit = kUnlimited) : limit_(limit) {}

  // Takes `bytes`; false (and nothing taken) when they do not fit.
  bool take(uint64_t bytes) {
    if (!fits(bytes)) return false;
    used_ += bytes;
    return true;
  }
  bool fits(uint64_t bytes) const { return bytes <= limit_ - used_; }
  void give_back(uint64_t bytes) { used_ -= bytes < used_ ? bytes : used_; }

  uint64_t used() const { return used_; }
  uint64_t limit() const { return limit_; }

 private:
  uint64_t limit_;
  uint64_t used_ = 0;
};

}  // namespace vivarium::detail
