#include <gtest/gtest.h>

#include "engine/runtime/objects.h"
#include "fixtures.h"
#include "test_util.h"

namespace vivarium::testing {
namespace {

Error link_error(const Linker& linker, Store& store, std::span<const uint8_t> bytes) {
  auto r = linker.instantiate(store, compile_or_die(bytes));
  if (r.ok()) {
    ADD_FAILURE() << "instantiation unexpectedly succeeded";
    return Error();
  }
  return r.error();
}

TEST(Link, UnknownImportNamesModuleKindAndField) {
  Store store;
  Error e = link_error(Linker(), store, kImportFoo);
  EXPECT_EQ(e.code(), ErrorCode::UnknownImport);
  EXPECT_EQ(e.phase(), Phase::Unlinkable);
  EXPECT_EQ(e.message(), "unknown import: module \"env\" has no func \"foo\"");
  EXPECT_EQ(e.where().section, "import");
}

TEST(Link, IncompatibleFunctionTypeNamesBothTypes) {
  Store store;
  Linker linker;
  linker.func("env", "foo", [] {});
  Error e = link_error(linker, store, kImportFoo);
  EXPECT_EQ(e.code(), ErrorCode::IncompatibleImport);
  EXPECT_EQ(e.message(), "incompatible import type for env.foo: expected func (i32) -> (), found func () -> ()");
}

TEST(Link, MatchingHostFunctionLinks) {
  Store store;
  Linker linker;
  linker.func("env", "foo", [](int32_t) {});
  EXPECT_TRUE(linker.instantiate(store, compile_or_die(kImportFoo)).ok());
}

TEST(Link, KindMismatchIsIncompatible) {
  Store store;
  Linker linker;
  linker.func("env", "mem", [] {});
  Error e = link_error(linker, store, kImportMem2);
  EXPECT_EQ(e.code(), ErrorCode::IncompatibleImport);
  EXPECT_EQ(e.message(), "incompatible import type for env.mem: expected memory {min 2}, found func () -> ()");
}

TEST(Link, MemoryLimitsSubtyping) {
  Store store;
  Memory small = value_or_die(new_memory(store, MemoryType{Limits{1, false, 0}}));
  Memory bounded = value_or_die(new_memory(store, MemoryType{Limits{1, true, 2}}));
  Memory wide = value_or_die(new_memory(store, MemoryType{Limits{1, true, 3}}));

  Linker l;
  l.define("env", "mem", small);
  // Imported min (1) below the declared min (2).
  Error e = link_error(l, store, kImportMem2);
  EXPECT_EQ(e.message(), "incompatible import type for env.mem: expected memory {min 2}, found memory {min 1}");
  // Declared (memory 1 2) needs a max: unbounded memory does not match.
  e = link_error(l, store, kImportMem1Max2);
  EXPECT_EQ(e.code(), ErrorCode::IncompatibleImport);
  // A larger max does not match either.
  l.define("env", "mem", wide);
  e = link_error(l, store, kImportMem1Max2);
  EXPECT_EQ(e.message(),
            "incompatible import type for env.mem: expected memory {min 1, max 2}, found memory {min 1, max 3}");
  l.define("env", "mem", bounded);
  EXPECT_TRUE(l.instantiate(store, compile_or_die(kImportMem1Max2)).ok());
  // Growing raises the memory's current min, so it then satisfies (memory 2).
  ASSERT_TRUE(small.grow(1).ok());
  l.define("env", "mem", small);
  EXPECT_TRUE(l.instantiate(store, compile_or_die(kImportMem2)).ok());
}

TEST(Link, GlobalMutabilityAndTypeMustMatch) {
  Store store;
  Linker l;
  l.define("env", "g", value_or_die(new_global(store, GlobalType{ValType::I32, false}, Value::i32(1))));
  Error e = link_error(l, store, kImportMutGlobal);
  EXPECT_EQ(e.message(), "incompatible import type for env.g: expected global (mut i32), found global i32");
  l.define("env", "g", value_or_die(new_global(store, GlobalType{ValType::I64, true}, Value::i64(1))));
  e = link_error(l, store, kImportMutGlobal);
  EXPECT_EQ(e.code(), ErrorCode::IncompatibleImport);
  l.define("env", "g", value_or_die(new_global(store, GlobalType{ValType::I32, true}, Value::i32(1))));
  EXPECT_TRUE(l.instantiate(store, compile_or_die(kImportMutGlobal)).ok());
}

TEST(Link, TableElementTypeMustMatch) {
  Store store;
  Linker l;
  l.define("env", "t",
           value_or_die(new_table(store, TableType{ValType::ExternRef, Limits{1, false, 0}},
                                  Value::null_of(ValType::ExternRef))));
  Error e = link_error(l, store, kImportTable);
  EXPECT_EQ(e.message(),
            "incompatible import type for env.t: expected table funcref {min 1}, found table externref {min 1}");
  l.define("env", "t",
           value_or_die(new_table(store, TableType{ValType::FuncRef, Limits{5, true, 6}}, Value::null_of(ValType::FuncRef))));
  EXPECT_TRUE(l.instantiate(store, compile_or_die(kImportTable)).ok());
}

TEST(Link, ExternFromAnotherStoreIsRejected) {
  Store a, b;
  Linker l;
  l.define("env", "mem", value_or_die(new_memory(a, MemoryType{Limits{2, false, 0}})));
  Error e = link_error(l, b, kImportMem2);
  EXPECT_EQ(e.code(), ErrorCode::Usage);
  EXPECT_NE(e.message().find("env.mem"), std::string::npos);
}

// The linker caches each module's import resolution; a later define must be seen.
TEST(Link, DefinitionsAfterAFailedLinkAreSeen) {
  Store store;
  Linker l;
  Module m = compile_or_die(kImportFoo);
  EXPECT_EQ(l.instantiate(store, m).error().code(), ErrorCode::UnknownImport);
  l.func("env", "foo", [] {});
  EXPECT_EQ(l.instantiate(store, m).error().code(), ErrorCode::IncompatibleImport);
  l.func("env", "foo", [](int32_t) {});
  EXPECT_TRUE(l.instantiate(store, m).ok());
  EXPECT_TRUE(l.instantiate(store, m).ok());  // from the cache
  Linker copy = l;
  copy.func("env", "foo", [] {});
  EXPECT_FALSE(copy.instantiate(store, m).ok());
  EXPECT_TRUE(l.instantiate(store, m).ok());
}

TEST(Link, FuncrefsOfAnotherStoreAreRejected) {
  Store a, b;
  Instance ia = value_or_die(Linker().instantiate(a, compile_or_die(kAdd)));
  Function fa = *ia.func("add");
  EXPECT_TRUE(Function::from_ref(a, fa.as_ref()).has_value());
  EXPECT_FALSE(Function::from_ref(b, fa.as_ref()).has_value());
  Table tb = value_or_die(new_table(b, TableType{ValType::FuncRef, Limits{1, false, 0}},
                                    Value::null_of(ValType::FuncRef)));
  auto set = tb.set(0, Value::funcref(fa.as_ref()));
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code(), ErrorCode::Usage);
  EXPECT_NE(set.error().message().find("another store"), std::string::npos);
  EXPECT_FALSE(new_global(b, GlobalType{ValType::FuncRef, false}, Value::funcref(fa.as_ref())).ok());
  // Host functions are members of the store that materialized them.
  Linker l;
  l.func("env", "foo", [](int32_t) {});
  Function host = std::get<Function>(*l.get(a, "env", "foo"));
  EXPECT_TRUE(Function::from_ref(a, host.as_ref()).has_value());
  EXPECT_FALSE(Function::from_ref(b, host.as_ref()).has_value());
  Table ta = value_or_die(new_table(a, TableType{ValType::FuncRef, Limits{1, false, 0}},
                                    Value::null_of(ValType::FuncRef)));
  EXPECT_TRUE(ta.set(0, Value::funcref(host.as_ref())).ok());
}

TEST(Link, EmptyHandleIsRejected) {
  Store store;
  Linker l;
  l.define("env", "mem", Memory());
  Error e = link_error(l, store, kImportMem2);
  EXPECT_EQ(e.code(), ErrorCode::Usage);
  EXPECT_NE(e.message().find("empty handle"), std::string::npos);
}

TEST(Link, DefineInstanceRegistersExports) {
  Store store;
  Linker l;
  Instance first = value_or_die(l.instantiate(store, compile_or_die(kExportF)));
  l.define_instance("m", first);
  Instance second = value_or_die(l.instantiate(store, compile_or_die(kImportF)));
  auto r = call_or_die(second, "g");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].i32(), 8);
  auto got = l.get(store, "m", "f");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(std::get<Function>(*got).raw(), first.func("f")->raw());
  EXPECT_FALSE(l.get(store, "m", "nope").has_value());
}

TEST(Link, HostFunctionIsMaterializedOncePerStore) {
  Store store;
  Linker l;
  l.func("env", "foo", [](int32_t) {});
  auto a = l.get(store, "env", "foo");
  auto b = l.get(store, "env", "foo");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(std::get<Function>(*a).raw(), std::get<Function>(*b).raw());
  EXPECT_TRUE(std::get<Function>(*a).raw()->is_host());
  Store other;
  auto c = l.get(other, "env", "foo");
  EXPECT_NE(std::get<Function>(*c).raw(), std::get<Function>(*a).raw());
}

TEST(Link, CopiedLinkerIsIndependent) {
  Linker a;
  a.func("env", "foo", [](int32_t) {});
  Linker b = a;
  b.func("env", "bar", [] {});
  Store store;
  EXPECT_TRUE(b.get(store, "env", "foo").has_value());
  EXPECT_FALSE(a.get(store, "env", "bar").has_value());
}

}  // namespace
}  // namespace vivarium::testing
