// The Linker resolves a module's imports by (module, name) and instantiates it.
// Host functions are plain C++ callables; their wasm signature comes from the
// C++ signature (see host_func.h).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "vivarium/error.h"
#include "vivarium/host_func.h"
#include "vivarium/instance.h"
#include "vivarium/module.h"
#include "vivarium/store.h"

namespace vivarium {

class Linker {
 public:
  Linker();
  ~Linker();
  Linker(const Linker&);
  Linker& operator=(const Linker&);

  // A host function usable by any store. `def` comes from host_func(...) or is
  // written by hand for dynamic signatures.
  Linker& define(std::string module, std::string name, HostFuncDef def);
  // Typed convenience: linker.func("env", "add", [](int32_t a, int32_t b) { return a + b; });
  template <class F>
  Linker& func(std::string module, std::string name, F&& f) {
    return define(std::move(module), std::move(name), host_func(std::forward<F>(f)));
  }
  // An extern that already lives in a store (a memory, table, global or
  // function). Only usable when instantiating into that same store.
  Linker& define(std::string module, std::string name, const Extern& ext);
  // Every export of `inst` under `module` (the WAST `register` command).
  Linker& define_instance(const std::string& module, const Instance& inst);

  // Resolve every import (UnknownImport / IncompatibleImport naming both the
  // module and field, and the expected vs. found type), allocate, initialize
  // segments, run the start function. A trap during start or segment
  // initialization is returned as an Error of phase Trap.
  Result<Instance> instantiate(Store& store, const Module& module) const;

  // Look up a definition (host functions are materialized into `store`).
  std::optional<Extern> get(Store& store, std::string_view module, std::string_view name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivarium
