// The host check that guards every SIMD handler: the two entry points agree,
// and a refusal says what is missing.
#include "engine/interp/simd/cpu.h"

#include <gtest/gtest.h>

namespace vivarium::engine::simd {
namespace {

TEST(SimdCpu, CheckAndErrorAgree) {
  auto r = require_host_simd();
  EXPECT_EQ(host_supports_simd(), r.ok());
  if (!r.ok()) {
    EXPECT_EQ(r.error().code(), vivarium::ErrorCode::Unsupported);
    EXPECT_NE(r.error().message().find("SIMD"), std::string::npos);
  }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  EXPECT_EQ(host_supports_simd(), __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3"));
#endif
}

}  // namespace
}  // namespace vivarium::engine::simd
