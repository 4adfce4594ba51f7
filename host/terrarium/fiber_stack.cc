#include "host/terrarium/fiber_stack.h"

#include <vector>

#include <boost/context/protected_fixedsize_stack.hpp>

namespace vivarium::terrarium {
namespace {

// Enough for the requests one thread has in flight at a time in steady state;
// more are allocated and freed as needed.
constexpr size_t kCachedPerThread = 64;

struct ThreadCache {
  std::vector<boost::context::stack_context> free;
  ~ThreadCache() {
    boost::context::protected_fixedsize_stack alloc(kFiberStackBytes);
    for (auto& s : free) alloc.deallocate(s);
  }
};

ThreadCache& cache() {
  thread_local ThreadCache c;
  return c;
}

}  // namespace

boost::context::stack_context CachedFiberStack::allocate() {
  auto& c = cache();
  boost::context::stack_context s;
  if (!c.free.empty()) {
    s = c.free.back();
    c.free.pop_back();
  } else {
    s = boost::context::protected_fixedsize_stack(kFiberStackBytes).allocate();  // throws bad_alloc when out of memory
  }
  if (last_ != nullptr) *last_ = s;
  return s;
}

void CachedFiberStack::deallocate(boost::context::stack_context& s) noexcept {
  auto& c = cache();
  if (c.free.size() < kCachedPerThread) {
    c.free.push_back(s);
    return;
  }
  boost::context::protected_fixedsize_stack(kFiberStackBytes).deallocate(s);
}

}  // namespace vivarium::terrarium
