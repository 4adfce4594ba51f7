// Function-type ids are engine-scoped (issue #11 item 3): call_indirect's
// signature check stays right across modules, engines, shared tables and
// host functions, and an engine's registry dies with it.
#include <gtest/gtest.h>

#include <memory>

#include "engine/runtime/engine_impl.h"
#include "test_util.h"
#include "vivarium/engine.h"

namespace vivarium::testing {
namespace {

// Exports a table holding an (i32)->i32 function at 0 and a ()->() at 1, and
// a `call` that calls element $1 as (i32)->i32 with argument $0.
constexpr const char* kOwner = R"((module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (table (export "t") 3 funcref)
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func $nop (type $v))
  (elem (i32.const 0) $inc $nop)
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 0) (local.get 1)))))";

// Imports that table, with its types declared in another order, and a host
// function of type (i32)->i32 that it stores in slot 2.
constexpr const char* kUser = R"((module
  (type $v (func))
  (type $f (func (param f64)))
  (type $ii (func (param i32) (result i32)))
  (import "m" "t" (table 3 funcref))
  (import "host" "double" (func $double (type $ii)))
  (elem (i32.const 2) $double)
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 0) (local.get 1)))
  (func (export "call_v") (param i32) (call_indirect (type $v) (local.get 0)))))";

// Interns unrelated types first so that the engine's ids of the tests' types
// differ from another engine's.
void skew_ids(Engine& engine) {
  Store store(engine);
  Module m = value_or_die(Module::from_text(
      "(module (type (func (param f32 f32))) (type (func (result i64))) (type (func (param i32) (result i32)))"
      " (table 1 funcref) (func (export \"f\") (call_indirect (type 0) (f32.const 0) (f32.const 0) (i32.const 0))))"));
  value_or_die(Linker().instantiate(store, m));
}

void check_calls(Engine& engine, const Module& owner, const Module& user) {
  Store store(engine);
  Instance a = value_or_die(Linker().instantiate(store, owner));
  Linker l;
  l.define("m", "t", Extern(*a.table("t")));
  l.func("host", "double", [](int32_t x) { return x * 2; });
  Instance b = value_or_die(l.instantiate(store, user));
  EXPECT_EQ(call_or_die(a, "call", {Value::i32(41), Value::i32(0)})[0].i32(), 42);
  EXPECT_EQ(call_or_die(b, "call", {Value::i32(41), Value::i32(0)})[0].i32(), 42);
  // The host function the user module stored, called from both modules.
  EXPECT_EQ(call_or_die(b, "call", {Value::i32(21), Value::i32(2)})[0].i32(), 42);
  EXPECT_EQ(call_or_die(a, "call", {Value::i32(21), Value::i32(2)})[0].i32(), 42);
  call_or_die(b, "call_v", {Value::i32(1)});
  // Wrong signatures trap, whichever module's type index names the type.
  std::vector<Value> args{Value::i32(1), Value::i32(1)};
  auto r = a.call("call", args);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::IndirectCallTypeMismatch);
  r = b.call("call", args);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::IndirectCallTypeMismatch);
  std::vector<Value> zero{Value::i32(0)};
  r = b.call("call_v", zero);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::IndirectCallTypeMismatch);
}

TEST(EngineTypes, OneModuleRunsInStoresOfTwoEngines) {
  Module owner = value_or_die(Module::from_text(kOwner));
  Module user = value_or_die(Module::from_text(kUser));
  Engine e1;
  EngineConfig pooled;
  pooled.allocation = InstanceAllocation::Pooling;
  Engine e2(pooled);
  skew_ids(e2);
  check_calls(e1, owner, user);
  check_calls(e2, owner, user);
  check_calls(Engine::default_engine(), owner, user);
  check_calls(e1, owner, user);  // the module's cached ids for e1, again
}

TEST(EngineTypes, ExternsOfAnotherEnginesStoreAreRefused) {
  Engine e1, e2;
  Module owner = value_or_die(Module::from_text(kOwner));
  Store s1(e1), s2(e2);
  Instance a = value_or_die(Linker().instantiate(s1, owner));
  Linker l;
  l.define("m", "t", Extern(*a.table("t")));
  l.func("host", "double", [](int32_t x) { return x * 2; });
  auto r = l.instantiate(s2, value_or_die(Module::from_text(kUser)));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("different store"), std::string::npos) << r.error().to_string();
}

TEST(EngineTypes, TheRegistryDiesWithItsEngine) {
  Module owner = value_or_die(Module::from_text(kOwner));
  std::weak_ptr<detail::TypeRegistry> reg;
  {
    auto engine = std::make_unique<Engine>();
    reg = engine->impl().types;
    {
      Store store(*engine);
      value_or_die(Linker().instantiate(store, owner));
      EXPECT_EQ(reg.lock()->size(), 3u);  // (i32)->i32, ()->() and call's (i32 i32)->i32
    }
    EXPECT_FALSE(reg.expired());
  }
  EXPECT_TRUE(reg.expired());  // the module outlives the engine and does not keep it
}

}  // namespace
}  // namespace vivarium::testing
