// Where the engine may recurse natively. Host -> wasm re-entry (a host
// function calling back into the guest, e.g. the guest's malloc) recurses on
// the native stack, and the engine refuses another level when little of that
// stack is left. By default "the stack" is the thread's own; code that runs
// wasm on a stack of its own (a fiber) must say so with this scope, or the
// check would measure the wrong region.
#pragma once
#include <cstdint>

namespace vivarium {

// While alive, the engine's native-stack check on this thread uses [lo, hi)
// (lo < hi, the stack grows down towards lo). Scopes nest; the previous bounds
// come back when it ends. Set it around every switch onto the fiber.
class NativeStackScope {
 public:
  NativeStackScope(void* lo, void* hi);
  ~NativeStackScope();
  NativeStackScope(const NativeStackScope&) = delete;
  NativeStackScope& operator=(const NativeStackScope&) = delete;

 private:
  uintptr_t prev_lo_;
};

}  // namespace vivarium
