// Filling a NativeModule (see native_build.h): from the cache, or with LLVM.
#include "engine/compiler/native_build.h"

#include <algorithm>
#include <string>
#include <vector>

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "engine/compiler/code_cache.h"
#include "engine/compiler/guard_fault.h"
#include "engine/compiler/jit.h"
#include "engine/compiler/translate.h"
#include "engine/interp/compiled.h"

namespace vivarium::engine::compiler {
namespace {

// The entry points of every compiled function, looked up in the linked code.
Result<void> resolve(const ModuleIR& ir, NativeModule& n) {
  std::vector<uint32_t> funcs;
  std::vector<std::string> names;
  for (uint32_t i = 0; i < ir.funcs.size(); ++i) {
    if (!can_compile(ir, i)) continue;
    funcs.push_back(i);
    names.push_back("entry" + std::to_string(i));
    names.push_back("f" + std::to_string(i));
  }
  const std::vector<void*> found = n.jit->lookup_all(names);
  for (size_t k = 0; k < funcs.size(); ++k) {
    const uint32_t i = funcs[k];
    n.entries[i] = reinterpret_cast<EntryFn>(found[2 * k]);
    n.typed[ir.num_imported_funcs + i] = found[2 * k + 1];
    if (!n.entries[i] || !n.typed[ir.num_imported_funcs + i]) {
      return Error(ErrorCode::Internal, "native tier lost the code of " + ir.func_display_name(ir.num_imported_funcs + i));
    }
  }
  return {};
}

}  // namespace

bool plan_native(const ModuleIR& ir, NativeModule& n) {
  bool any = false;
  for (uint32_t i = 0; i < ir.funcs.size() && !any; ++i) any = can_compile(ir, i);
  if (!any) return false;
  n.entries.assign(ir.funcs.size(), nullptr);
  n.typed.assign(ir.total_funcs(), nullptr);
  n.elides_bounds = elides_bounds_checks(ir);
  if (n.elides_bounds) install_guard_fault_handler();
  return true;
}

bool load_native(const ModuleIR& ir, const std::string& cache_dir, const std::string& key, NativeModule& n) {
  auto cached = cache_load(cache_dir, key);
  if (!cached) return false;
  auto jit = Jit::load(*cached, &n.code_ranges, ir.num_imported_funcs);
  if (jit) {
    n.jit = std::move(jit).value();
    if (resolve(ir, n)) return true;
  }
  // Not usable after all: start again from nothing.
  n.jit.reset();
  n.code_ranges.clear();
  std::fill(n.entries.begin(), n.entries.end(), nullptr);
  std::fill(n.typed.begin(), n.typed.end(), nullptr);
  return false;
}

Result<void> compile_native(const ModuleIR& ir, const std::string& cache_dir, const std::string& key, NativeModule& n) {
  // Unused by translation: call_indirect names its type by index (ids are per engine).
  const std::vector<uint32_t> type_ids;
  auto ctx = std::make_unique<llvm::LLVMContext>();
  TranslatedModule tm = translate_module(ir, type_ids, *ctx);
  std::string object;
  VIV_TRY_ASSIGN(n.jit, Jit::create(std::move(ctx), std::move(tm.module), &n.code_ranges, ir.num_imported_funcs,
                                    cache_dir.empty() ? nullptr : &object));
  VIV_TRY(resolve(ir, n));
  if (!object.empty()) cache_store(cache_dir, key, object);  // compiled by the lookups in resolve()
  return {};
}

void publish_native(const vivarium::detail::TierArtifact& interp, const NativeModule& n) {
  const uint8_t mode = n.elides_bounds ? CompiledFunc::kTierUpIfGuarded : CompiledFunc::kTierUpAlways;
  for (uint32_t i = 0; i < n.entries.size(); ++i) {
    if (n.entries[i]) compiled(interp.code(i))->tier_up.store(mode, std::memory_order_release);
  }
}

}  // namespace vivarium::engine::compiler
