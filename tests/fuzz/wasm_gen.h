// Random valid WebAssembly modules (as text) from a string of bytes, for the
// differential fuzz target (tests/fuzz/fuzz_differential.cc) and its
// deterministic run in unit_compiler. Every module is valid by construction
// and every call terminates: functions call only functions after them (or
// anything through call_indirect, bounded by fuel and the call depth), and
// loops count down a counter no other code writes. It exercises what the two
// tiers implement separately: arithmetic with its traps, conversions, loads
// and stores near the end of memory (with and without a maximum, so both the
// guard-page and the explicit bounds checks), globals, control flow with
// block results, direct and indirect calls, memory.grow/fill/copy.
//
// Wasm leaves a NaN's sign and payload open, so the generator canonicalizes
// a float (NaN becomes 0) wherever its bits become observable other than as
// a NaN: stores, reinterpretations and copysign's sign operand.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vivarium::engine::fuzz {

// Reads choices from bytes; past the end every choice is 0 (the smallest).
class Entropy {
 public:
  explicit Entropy(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  uint32_t below(uint32_t n);  // in [0, n)
  uint64_t u64();
  bool chance(uint32_t percent) { return below(100) < percent; }
  bool exhausted() const { return at_ >= bytes_.size(); }

 private:
  uint8_t byte() { return at_ < bytes_.size() ? bytes_[at_++] : 0; }
  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
};

struct GeneratedModule {
  std::string wat;
  // Per exported function "f<i>": its parameter types as 'i', 'I', 'f', 'F'
  // (i32, i64, f32, f64), to build arguments.
  std::vector<std::string> params;
};

GeneratedModule generate_module(Entropy& e);

}  // namespace vivarium::engine::fuzz
