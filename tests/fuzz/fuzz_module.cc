// Fuzz target: arbitrary bytes as a binary module. Decodes, validates,
// instantiates with every import satisfied, and calls every exported
// function with zero arguments, under fuel and memory limits so that every
// input finishes quickly. Any crash, sanitizer report, or disagreement
// between Module::validate and Module::compile is a bug.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "tests/fuzz/dummy_imports.h"
#include "vivarium/vivarium.h"

using namespace vivarium;

namespace {

constexpr uint64_t kFuelPerCall = 200000;

StoreLimits fuzz_limits() {
  StoreLimits l;
  l.max_memory_pages = 256;  // 16 MiB per memory
  l.max_table_elements = 100000;
  l.max_instances = 16;
  l.max_call_depth = 1000;
  l.max_stack_bytes = 1u << 20;
  return l;
}

[[noreturn]] void disagree(const char* what, const Error& e) {
  std::fprintf(stderr, "fuzz_module: %s: %s\n", what, e.to_string().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  Result<void> validated = Module::validate(bytes);
  Result<Module> compiled = Module::compile(bytes);
  // Both must reach the same verdict: `vivarium validate` must not accept a
  // module the engine refuses to run, nor reject one it runs.
  if (validated.ok() && !compiled.ok()) disagree("validate accepted, compile rejected", compiled.error());
  if (!validated.ok() && compiled.ok()) disagree("compile accepted, validate rejected", validated.error());
  if (!compiled.ok()) return 0;
  const Module& module = compiled.value();

  Store store(fuzz_limits());
  Linker linker;
  if (!vivarium::engine::fuzz::define_dummy_imports(linker, store, module)) return 0;
  store.set_fuel(kFuelPerCall);
  Result<Instance> inst = linker.instantiate(store, module);
  if (!inst.ok()) return 0;

  for (const auto& [name, ext] : inst.value().exports()) {
    const Function* f = std::get_if<Function>(&ext);
    if (!f) continue;
    std::vector<Value> args;
    for (ValType t : f->type().params) args.push_back(Value::zero_of(t));
    store.set_fuel(kFuelPerCall);
    (void)f->call(args);
  }
  return 0;
}
