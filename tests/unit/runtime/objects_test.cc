// The out-of-line parts of engine/runtime/objects.h: type registries and table growth.
#include "engine/runtime/objects.h"
#include "engine/runtime/store_extras.h"

#include <gtest/gtest.h>

#include <thread>

namespace vivarium::detail {
namespace {

TEST(TypeRegistry, StructurallyEqualTypesShareAnId) {
  TypeRegistry r;
  auto intern_func_type = [&](const FuncType& t) { return r.intern(t); };
  FuncType a{{ValType::I32, ValType::I64}, {ValType::F32}};
  FuncType b = a;
  FuncType c{{ValType::I32}, {ValType::I64, ValType::F32}};  // same values, other split
  FuncType d{{}, {}};
  EXPECT_EQ(intern_func_type(a), intern_func_type(b));
  EXPECT_NE(intern_func_type(a), intern_func_type(c));
  EXPECT_NE(intern_func_type(a), intern_func_type(d));
  EXPECT_EQ(intern_func_type(d), intern_func_type(FuncType{}));
}

TEST(TypeRegistry, RegistriesAreIndependent) {
  TypeRegistry r1, r2;
  EXPECT_EQ(r1.intern(FuncType{{ValType::I32}, {}}), 0u);
  EXPECT_EQ(r2.intern(FuncType{{ValType::F64}, {}}), 0u);
  EXPECT_EQ(r1.intern(FuncType{{ValType::F64}, {}}), 1u);
  EXPECT_EQ(r1.size(), 2u);
  EXPECT_EQ(r2.size(), 1u);
}

TEST(TypeRegistry, ThreadSafe) {
  TypeRegistry r;
  auto intern_func_type = [&](const FuncType& t) { return r.intern(t); };
  std::vector<std::thread> ts;
  std::vector<uint32_t> ids(8);
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) intern_func_type(FuncType{std::vector<ValType>(i % 13, ValType::F64), {}});
      ids[t] = intern_func_type(FuncType{{ValType::V128, ValType::ExternRef}, {ValType::V128}});
    });
  }
  for (auto& th : ts) th.join();
  for (uint32_t id : ids) EXPECT_EQ(id, ids[0]);
}

TEST(TableInst, GrowRespectsTheEffectiveMaximum) {
  TableInst t;
  t.type = TableType{ValType::FuncRef, Limits{1, true, 4}};
  t.elems.assign(1, nullptr);
  t.max_elems = 4;
  int x = 0;
  EXPECT_EQ(t.grow(2, &x), 1);
  ASSERT_EQ(t.elems.size(), 3u);
  EXPECT_EQ(t.elems[0], nullptr);
  EXPECT_EQ(t.elems[2], &x);
  EXPECT_EQ(t.grow(2, nullptr), -1);
  EXPECT_EQ(t.elems.size(), 3u);
  EXPECT_EQ(t.grow(0, nullptr), 3);
  EXPECT_EQ(t.grow(UINT32_MAX, nullptr), -1);
}

TEST(StoreImpl, ExtrasAreCreatedOnceOnFirstUse) {
  StoreImpl s{StoreLimits{}};
  EXPECT_EQ(s.extras, nullptr);
  StoreImpl::Extras& a = extras_of(s);
  StoreImpl::Extras& b = extras_of(s);
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.instance_count, 0u);
}

}  // namespace
}  // namespace vivarium::detail
