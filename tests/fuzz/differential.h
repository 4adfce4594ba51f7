// Runs one generated module (tests/fuzz/wasm_gen.h) in the interpreter and
// in the LLVM tier and compares everything a guest can observe: each
// export's results or trap message, then the memory's bytes and the
// globals. Shared by fuzz_differential (libFuzzer) and unit_compiler's
// deterministic run over generated modules.
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace vivarium::engine::fuzz {

struct DifferentialResult {
  std::string wat;       // the module
  std::string mismatch;  // empty when both tiers agree
  bool trapped = false;  // some call trapped (in both tiers)
  bool native = false;   // the module ran compiled code (not only the interpreter)
};

// Generates a module and its call arguments from `bytes`, runs and compares.
DifferentialResult run_differential(std::span<const uint8_t> bytes);

}  // namespace vivarium::engine::fuzz
