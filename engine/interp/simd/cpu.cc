#include "engine/interp/simd/cpu.h"

#include <string>

#include "engine/interp/simd/host.h"

#if VIV_SIMD_HOST_X86 && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

namespace vivarium::engine::simd {
namespace {

std::string missing_features() {
  std::string missing;
#if VIV_SIMD_HOST_X86 && (defined(__GNUC__) || defined(__clang__))
  // CPUID leaf 1 directly, only when a module first needs SIMD:
  // __builtin_cpu_supports would link libgcc's __cpu_indicator_init, a
  // constructor that runs a dozen CPUID leaves at every process start (slow
  // under virtualization, where CPUID traps to the hypervisor).
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) ecx = 0;
  if (!(ecx & bit_SSSE3)) missing += " SSSE3";
  if (!(ecx & bit_SSE4_1)) missing += " SSE4.1";
#elif !VIV_SIMD_HOST_X86
  missing = " x86-64";
#endif
  return missing;
}

}  // namespace

bool host_supports_simd() {
  static const bool ok = missing_features().empty();
  return ok;
}

vivarium::Result<void> require_host_simd() {
  if (host_supports_simd()) return {};
#if VIV_SIMD_HOST_X86
  return vivarium::Error(vivarium::ErrorCode::Unsupported,
                         "this module uses 128-bit SIMD (v128), which Vivarium executes with SSSE3 and "
                         "SSE4.1 instructions; this CPU lacks:" +
                             missing_features());
#else
  return vivarium::Error(vivarium::ErrorCode::Unsupported,
                         "this module uses 128-bit SIMD (v128), which this build of Vivarium executes "
                         "only on x86-64 hosts");
#endif
}

}  // namespace vivarium::engine::simd
