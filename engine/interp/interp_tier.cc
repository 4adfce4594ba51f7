#include "engine/interp/interp_tier.h"

#include <vector>

#include "engine/interp/compiled.h"
#include "engine/interp/interp.h"

namespace vivarium::engine {
namespace {

using vivarium::detail::FuncInst;
using vivarium::detail::StoreImpl;
using vivarium::detail::TierArtifact;
using vivarium::detail::TierCode;

class InterpArtifact final : public TierArtifact {
 public:
  std::vector<CompiledFuncPtr> funcs;  // one per defined function
  const TierCode* code(uint32_t defined_index) const override { return as_tier_code(funcs[defined_index].get()); }
  size_t code_bytes() const override {
    size_t n = 0;
    for (const CompiledFuncPtr& f : funcs) n += compiled_size(*f);
    return n;
  }
};

class InterpTier final : public vivarium::detail::Tier {
 public:
  const char* name() const override { return "interpreter"; }
  Result<std::unique_ptr<TierArtifact>> compile(const ModuleIR& ir) const override {
    auto a = std::make_unique<InterpArtifact>();
    a->funcs.reserve(ir.funcs.size());
    for (uint32_t i = 0; i < ir.funcs.size(); ++i) {
      VIV_TRY_ASSIGN(CompiledFuncPtr f, lower_function(ir, i));
      a->funcs.push_back(std::move(f));
    }
    return std::unique_ptr<TierArtifact>(std::move(a));
  }
  Result<void> call(StoreImpl& store, FuncInst& f, const RawSlot* args, RawSlot* results) const override {
    return invoke(store, &f, args, results);
  }
};

}  // namespace

const vivarium::detail::Tier& interpreter_tier() {
  static const InterpTier tier;
  return tier;
}

}  // namespace vivarium::engine
