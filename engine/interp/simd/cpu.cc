#include "engine/interp/simd/cpu.h"

#include <string>

namespace viv::simd {
namespace {

std::string missing_features() {
  std::string missing;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("ssse3")) missing += " SSSE3";
  if (!__builtin_cpu_supports("sse4.1")) missing += " SSE4.1";
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
  return vivarium::Error(vivarium::ErrorCode::Unsupported,
                         "this module uses 128-bit SIMD (v128), which Vivarium executes with SSSE3 and "
                         "SSE4.1 instructions; this CPU lacks:" +
                             missing_features());
}

}  // namespace viv::simd
