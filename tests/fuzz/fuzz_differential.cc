// Fuzz target: the fuzzer's bytes choose a valid module (tests/fuzz/wasm_gen.h)
// and its arguments; the interpreter and the LLVM tier run it and must agree
// on every result, trap message, memory byte and global
// (tests/fuzz/differential.h). A disagreement prints the module and aborts.
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/differential.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = vivarium::engine::fuzz::run_differential({data, size});
  if (!r.mismatch.empty()) {
    std::fprintf(stderr, "fuzz_differential: the tiers disagree:\n%s\nmodule:\n%s\n", r.mismatch.c_str(), r.wat.c_str());
    std::abort();
  }
  return 0;
}
