#include "engine/interp/native_stack.h"

#include <pthread.h>

#include "vivarium/native_stack.h"

namespace vivarium::engine::interp {
namespace {

// Low bound set by a vivarium::NativeStackScope (a fiber's stack), or 0.
thread_local uintptr_t scoped_low = 0;

// Lowest usable address of this thread's stack (stacks grow down on every
// host we build for), or 0 when unknown.
uintptr_t find_stack_low() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
  void* addr = nullptr;
  size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0 || addr == nullptr) return 0;
  return reinterpret_cast<uintptr_t>(addr);
}

}  // namespace

bool native_stack_low() {
  thread_local const uintptr_t thread_low = find_stack_low();
  const uintptr_t low = scoped_low != 0 ? scoped_low : thread_low;
  if (low == 0) return false;
  const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  return here < low + kNativeStackReserve;
}

}  // namespace vivarium::engine::interp

namespace vivarium {

NativeStackScope::NativeStackScope(void* lo, void* /*hi*/) : prev_lo_(vivarium::engine::interp::scoped_low) {
  vivarium::engine::interp::scoped_low = reinterpret_cast<uintptr_t>(lo);
}

NativeStackScope::~NativeStackScope() { vivarium::engine::interp::scoped_low = prev_lo_; }

}  // namespace vivarium
