// AddressSanitizer must be told when execution moves between stacks (a fiber
// switch), or it mistakes the fiber's frames for a stack overflow and loses
// track of fake stacks. No-ops in other builds.
#pragma once
#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define VIV_FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIV_FIBER_ASAN 1
#endif
#endif

#ifdef VIV_FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace vivarium::terrarium {

// Before switching to the stack [bottom, bottom+size); `fake_save` null when
// the current stack is leaving for good (a fiber that ends).
inline void asan_start_switch(void** fake_save, const void* bottom, size_t size) {
#ifdef VIV_FIBER_ASAN
  __sanitizer_start_switch_fiber(fake_save, bottom, size);
#else
  (void)fake_save, (void)bottom, (void)size;
#endif
}

// Right after arriving on a stack; reports the stack we came from.
inline void asan_finish_switch(void* fake_save, const void** from_bottom, size_t* from_size) {
#ifdef VIV_FIBER_ASAN
  __sanitizer_finish_switch_fiber(fake_save, from_bottom, from_size);
#else
  (void)fake_save, (void)from_bottom, (void)from_size;
#endif
}

}  // namespace vivarium::terrarium
