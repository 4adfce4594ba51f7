// Host -> wasm -> host -> wasm re-entry recurses on the native stack (each
// host call is a real C++ call). A fixed nesting count cannot bound that
// safely: how much stack a level takes depends on the host functions, the
// compiler and sanitizers (ASan frames are several times larger). So invoke()
// also asks how much native stack is actually left on this thread.
#pragma once
#include <cstdint>

namespace vivarium::engine::interp {

// Bytes of native stack that must remain free below the caller's frame for
// another wasm entry to be allowed. Sanitizer builds need far more per level.
#if defined(__SANITIZE_ADDRESS__) || defined(VIVARIUM_SANITIZE)
constexpr uintptr_t kNativeStackReserve = 384 * 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr uintptr_t kNativeStackReserve = 384 * 1024;
#else
constexpr uintptr_t kNativeStackReserve = 96 * 1024;
#endif
#else
constexpr uintptr_t kNativeStackReserve = 96 * 1024;
#endif

// True when fewer than kNativeStackReserve bytes of this thread's stack are
// left below the current frame. The thread's stack bounds are looked up once
// per thread (pthread_getattr_np); if they cannot be found the check passes
// and only the nesting count (kMaxNativeReentry) bounds re-entry. Inside a
// vivarium::NativeStackScope (code running on a fiber) the scope's bounds
// are used instead.
bool native_stack_low();

}  // namespace vivarium::engine::interp
