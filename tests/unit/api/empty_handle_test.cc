// A default-constructed handle refers to nothing; using it must be an error
// or an empty value, never a null dereference.
#include <gtest/gtest.h>

#include "vivarium/vivarium.h"

namespace vivarium {
namespace {

TEST(EmptyHandles, AnswerWithErrorsOrEmptyValues) {
  Memory m;
  EXPECT_FALSE(m.valid());
  EXPECT_EQ(m.pages(), 0u);
  EXPECT_EQ(m.view().size(), 0u);
  EXPECT_FALSE(m.view().bytes(0, 1).has_value());
  auto g = m.grow(1);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code(), ErrorCode::Usage);
  EXPECT_NE(g.error().message().find("empty Memory"), std::string::npos);

  Table t;
  EXPECT_FALSE(t.valid());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.get(0).error().code(), ErrorCode::Usage);
  EXPECT_EQ(t.set(0, Value::funcref(Ref{})).error().code(), ErrorCode::Usage);
  EXPECT_EQ(t.grow(1, Value::funcref(Ref{})).error().code(), ErrorCode::Usage);

  Global gl;
  EXPECT_FALSE(gl.valid());
  EXPECT_EQ(gl.get().type(), ValType::I32);
  EXPECT_EQ(gl.set(Value::i32(1)).error().code(), ErrorCode::Usage);

  Function f;
  EXPECT_FALSE(f.valid());
  EXPECT_TRUE(f.type().params.empty());
  EXPECT_EQ(f.call({}).error().code(), ErrorCode::Usage);

  Instance i;
  EXPECT_FALSE(i.get_export("x").has_value());
}

TEST(EmptyHandles, ValidHandlesSayValid) {
  Store store;
  auto m = new_memory(store, MemoryType{Limits{1, true, 2}});
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_TRUE(m->valid());
  EXPECT_EQ(m->pages(), 1u);
}

}  // namespace
}  // namespace vivarium
