// Stacks for request fibers: guard-paged (protected_fixedsize_stack), kept in
// a small per-thread cache so that a request does not pay an mmap/munmap pair.
// Sanitizer builds get larger stacks: ASan frames are several times bigger,
// and the engine keeps kNativeStackReserve free below any re-entry.
#pragma once
#include <cstddef>

#include <boost/context/stack_context.hpp>

namespace vivarium::terrarium {

#if defined(VIVARIUM_SANITIZE)
inline constexpr size_t kFiberStackBytes = 4u << 20;
#else
inline constexpr size_t kFiberStackBytes = 512u << 10;
#endif

// A StackAllocator (Boost.Context's concept) that takes stacks from the
// calling thread's cache and records the one it handed out in *last, so the
// runner knows the fiber's bounds (for vivarium::NativeStackScope).
class CachedFiberStack {
 public:
  explicit CachedFiberStack(boost::context::stack_context* last) : last_(last) {}
  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sctx) noexcept;

 private:
  boost::context::stack_context* last_;
};

}  // namespace vivarium::terrarium
