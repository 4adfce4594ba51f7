// The differential fuzz target's deterministic run: generated modules
// (tests/fuzz/wasm_gen.h) from fixed seeds, each run in the interpreter and
// the LLVM tier, which must agree on every result, trap, memory byte and
// global. VIVARIUM_DIFF_SECONDS=N keeps generating new seeds for N seconds
// instead (a long fuzzing run without libFuzzer); VIVARIUM_DIFF_SEED sets
// the first seed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <vector>

#include "tests/fuzz/differential.h"

namespace vivarium::engine::fuzz {
namespace {

std::vector<uint8_t> bytes_of(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> b(6000);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

TEST(NativeDifferential, GeneratedModulesAgreeInBothTiers) {
  const char* secs = std::getenv("VIVARIUM_DIFF_SECONDS");
  const char* first = std::getenv("VIVARIUM_DIFF_SEED");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(secs ? std::atoi(secs) : 0);
  const uint64_t seed0 = first ? std::strtoull(first, nullptr, 10) : 0;
  constexpr uint64_t kSeeds = 150;
  uint64_t runs = 0, native = 0, trapped = 0, failures = 0;
  for (uint64_t seed = seed0; secs ? std::chrono::steady_clock::now() < until : seed < seed0 + kSeeds; ++seed) {
    const DifferentialResult r = run_differential(bytes_of(seed));
    ++runs;
    native += r.native;
    trapped += r.trapped;
    if (!r.mismatch.empty()) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << ": the tiers disagree:\n" << r.mismatch << "module:\n" << r.wat;
      if (failures >= 5) break;
    }
  }
  std::printf("differential: %llu modules (%llu ran, %llu with traps), %llu disagreements\n",
              static_cast<unsigned long long>(runs), static_cast<unsigned long long>(native),
              static_cast<unsigned long long>(trapped), static_cast<unsigned long long>(failures));
  // The generator must produce modules that run, and traps among them.
  EXPECT_GT(native, runs / 2);
  EXPECT_GT(trapped, 0u);
}

}  // namespace
}  // namespace vivarium::engine::fuzz
