// The in-memory half of the LLVM tier: optimizes an LLVM module for this
// CPU and links it into executable memory with ORC's LLJIT, resolving the
// viv_native_* helpers to their addresses in this process.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

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
  static Result<std::unique_ptr<Jit>> create(std::unique_ptr<llvm::LLVMContext> ctx, std::unique_ptr<llvm::Module> m);
  // Address of an exported symbol, or nullptr.
  void* lookup(const std::string& name);

 private:
  struct Impl;
  explicit Jit(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivarium::engine::compiler
