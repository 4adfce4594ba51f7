// Fuzz target: arbitrary bytes as WebAssembly text. The text parser must
// answer every input with a binary or an error (never crash or hang), and
// whatever it produces must then be decodable without crashing.
#include <cstdint>
#include <string_view>

#include "engine/text/wat.h"
#include "vivarium/module.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto bin = vivarium::engine::wat_to_binary(text, "fuzz.wat");
  if (!bin.ok()) return 0;
  (void)vivarium::Module::compile(bin.value());
  return 0;
}
