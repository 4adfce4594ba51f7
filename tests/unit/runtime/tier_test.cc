// The tier seam (engine/tier/tier.h): the runtime runs a module's functions
// only through the Tier that compiled it. A fake tier, whose every function
// returns its own index plus the first argument, stands in for a second
// (compiling) tier: instantiation, calls from the host and the start
// function all reach it, and host functions still run through the store.
#include <gtest/gtest.h>

#include <vector>

#include "engine/decoder/decoder.h"
#include "engine/runtime/call.h"
#include "engine/runtime/module_builder.h"
#include "engine/runtime/objects.h"
#include "engine/text/wat.h"
#include "vivarium/vivarium.h"

namespace vivarium::detail {
namespace {

class FakeTier final : public Tier {
 public:
  mutable int compiles = 0;
  mutable std::vector<uint32_t> calls;  // defined indices called, in order

  struct Code {
    uint32_t defined_index;
  };
  class Artifact final : public TierArtifact {
   public:
    std::vector<Code> codes;
    const TierCode* code(uint32_t i) const override { return reinterpret_cast<const TierCode*>(&codes[i]); }
    size_t code_bytes() const override { return codes.size() * sizeof(Code); }
  };

  const char* name() const override { return "fake"; }
  Result<std::unique_ptr<TierArtifact>> compile(const vivarium::engine::ModuleIR& ir) const override {
    ++compiles;
    auto a = std::make_unique<Artifact>();
    for (uint32_t i = 0; i < ir.funcs.size(); ++i) a->codes.push_back({i});
    return std::unique_ptr<TierArtifact>(std::move(a));
  }
  Result<void> call(StoreImpl&, FuncInst& f, const RawSlot* args, RawSlot* results) const override {
    const uint32_t i = reinterpret_cast<const Code*>(f.code)->defined_index;
    calls.push_back(i);
    if (!f.type->results.empty()) results[0] = i + (f.type->params.empty() ? 0 : args[0]);
    return {};
  }
};

Module compile_with(const Tier& tier, const char* wat) {
  auto bin = vivarium::engine::wat_to_binary(wat);
  EXPECT_TRUE(bin.ok());
  auto ir = vivarium::engine::decode(std::move(bin).value());
  EXPECT_TRUE(ir.ok());
  auto impl = build_module(std::move(ir).value(), "fake.wat", tier);
  EXPECT_TRUE(impl.ok()) << impl.error().to_string();
  return Module(std::move(impl).value());
}

TEST(Tier, TheRuntimeCallsFunctionsThroughTheirModulesTier) {
  FakeTier tier;
  Module m = compile_with(tier, R"((module
    (func $start)
    (func (export "f") (param i32) (result i32) (local.get 0))
    (func (export "g") (param i32) (result i32) (local.get 0))
    (start $start)))");
  EXPECT_EQ(tier.compiles, 1);
  Store store;
  Instance inst = Linker().instantiate(store, m).value();
  ASSERT_EQ(tier.calls, std::vector<uint32_t>{0});  // the start function
  const Value ten[1] = {Value::i32(10)};
  EXPECT_EQ(inst.call("f", ten).value()[0].i32(), 11);
  EXPECT_EQ(inst.call("g", ten).value()[0].i32(), 12);
  EXPECT_EQ(tier.calls, (std::vector<uint32_t>{0, 1, 2}));
}

TEST(Tier, HostFunctionsRunThroughTheStore) {
  Store store;
  Linker l;
  int called = 0;
  l.func("env", "h", [&](int32_t x) { called += x; });
  auto m = Module::from_text(R"((module (import "env" "h" (func (param i32)))
    (func (export "run") (call 0 (i32.const 7)))))");
  ASSERT_TRUE(m.ok());
  Instance inst = l.instantiate(store, *m).value();
  ASSERT_TRUE(inst.call("run", {}).ok());  // from wasm (the interpreter's call handler)
  EXPECT_EQ(called, 7);
  std::optional<Extern> h = l.get(store, "env", "h");
  ASSERT_TRUE(h.has_value());
  const Value arg[1] = {Value::i32(5)};
  ASSERT_TRUE(std::get<Function>(*h).call(arg).ok());  // from the host (call_function)
  EXPECT_EQ(called, 12);
  // A StoreImpl without an owner cannot run host functions: an error, not a crash.
  StoreImpl bare{StoreLimits{}};
  EXPECT_FALSE(call_function(bare, *std::get<Function>(*h).raw(), nullptr, nullptr).ok());
}

}  // namespace
}  // namespace vivarium::detail
