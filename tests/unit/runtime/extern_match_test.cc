#include "engine/runtime/extern_match.h"

#include <gtest/gtest.h>

namespace vivarium::detail {
namespace {

Limits L(uint32_t min) { return Limits{min, false, 0}; }
Limits L(uint32_t min, uint32_t max) { return Limits{min, true, max}; }

TEST(LimitsMatch, FollowsSpecSubtyping) {
  EXPECT_TRUE(limits_match(L(1), L(1)));
  EXPECT_TRUE(limits_match(L(2), L(1)));
  EXPECT_FALSE(limits_match(L(0), L(1)));
  EXPECT_TRUE(limits_match(L(1, 2), L(1)));     // a max where none is required
  EXPECT_FALSE(limits_match(L(1), L(1, 2)));    // a max is required
  EXPECT_TRUE(limits_match(L(1, 2), L(1, 2)));
  EXPECT_TRUE(limits_match(L(1, 1), L(0, 2)));
  EXPECT_FALSE(limits_match(L(1, 3), L(1, 2)));
}

TEST(Describe, TypesPrintReadably) {
  EXPECT_EQ(describe(FuncType{{ValType::I32}, {}}), "func (i32) -> ()");
  EXPECT_EQ(describe(TableType{ValType::FuncRef, L(1, 10)}), "table funcref {min 1, max 10}");
  EXPECT_EQ(describe(MemoryType{L(0)}), "memory {min 0}");
  EXPECT_EQ(describe(GlobalType{ValType::F64, true}), "global (mut f64)");
  EXPECT_EQ(describe(GlobalType{ValType::ExternRef, false}), "global externref");
  ImportDesc d;
  d.kind = ExternKind::Memory;
  d.memory = MemoryType{L(1, 2)};
  EXPECT_EQ(describe_import_type(d), "memory {min 1, max 2}");
}

}  // namespace
}  // namespace vivarium::detail
