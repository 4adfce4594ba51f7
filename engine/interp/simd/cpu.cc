#include "engine/interp/simd/cpu.h"

#include <string>

#include "engine/interp/simd/host.h"

namespace viv::simd {
namespace {

std::string missing_features() {
  std::string missing;
#if VIV_SIMD_HOST_X86 && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("ssse3")) missing += " SSSE3";
  if (!__builtin_cpu_supports("sse4.1")) missing += " SSE4.1";
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

}  // namespace viv::simd
