// The in-memory half of the LLVM tier: optimizes an LLVM module for this
// CPU and links it into executable memory with ORC's LLJIT, resolving the
// viv_native_* helpers to their addresses in this process.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/compiler/native_module.h"
#include "vivarium/error.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace vivarium::engine::compiler {

class Jit {
 public:
  ~Jit();
  // Optimizes (O2) and links `m`, created in `ctx`; both are taken over.
  // The object file is copied to *object_out when given (for the cache).
  // The machine code's ranges are appended to `ranges` (executable blocks,
  // and each function "f<i>" as defined function i + `num_imported_funcs`).
  static Result<std::unique_ptr<Jit>> create(std::unique_ptr<llvm::LLVMContext> ctx, std::unique_ptr<llvm::Module> m,
                                             std::vector<NativeModule::Range>* ranges, uint32_t num_imported_funcs,
                                             std::string* object_out = nullptr);
  // Links an object `create` produced before (from the code cache).
  static Result<std::unique_ptr<Jit>> load(const std::string& object, std::vector<NativeModule::Range>* ranges,
                                           uint32_t num_imported_funcs);
  // Address of an exported symbol, or nullptr.
  void* lookup(const std::string& name);
  // The wasm function and offset of the instruction at `pc` in this code,
  // from the object's line table (read at the first call: only a trap needs it).
  std::optional<NativeModule::TrapSite> trap_site(uintptr_t pc);
  // Addresses of `names` in one lookup (one per symbol took ~0.1 ms each:
  // most of a warm start of a module with thousands of functions); all
  // nullptr when any is missing.
  std::vector<void*> lookup_all(const std::vector<std::string>& names);

 private:
  struct Impl;
  explicit Jit(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivarium::engine::compiler
