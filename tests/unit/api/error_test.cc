// Error and Result: the value semantics every caller relies on. Error keeps
// its payload behind one pointer (null until something is set), so these
// check that a default Error reads as an empty Internal error, that setters
// on it allocate, and that copies are deep.
#include <gtest/gtest.h>

#include <type_traits>

#include "vivarium/error.h"

using vivarium::Error;
using vivarium::ErrorCode;
using vivarium::Location;
using vivarium::Phase;
using vivarium::Result;

TEST(Error, DefaultIsAnEmptyInternalError) {
  Error e;
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_EQ(e.phase(), Phase::Host);
  EXPECT_EQ(e.message(), "");
  EXPECT_EQ(e.where().offset, Location::kNone);
  EXPECT_EQ(e.value(), 0);
  EXPECT_EQ(e.backtrace(), "");
  EXPECT_EQ(e.to_string(), "");
}

TEST(Error, SettersOnADefaultErrorKeepTheirValues) {
  Error e;
  e.where().offset = 0x2a;
  e.where().section = "code";
  e.with_value(7).with_backtrace("  at func[1]");
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_EQ(e.where().offset, 0x2au);
  EXPECT_EQ(e.value(), 7);
  EXPECT_EQ(e.backtrace(), "  at func[1]");
  EXPECT_EQ(e.to_string(), "at offset 0x2a, code section");
}

TEST(Error, CopiesAreDeepAndMovesTransfer) {
  Location loc;
  loc.file = "app.wasm";
  loc.offset = 0x10;
  Error a(ErrorCode::TypeMismatch, "type mismatch", loc);
  Error b = a;
  b.where().offset = 0x20;
  EXPECT_EQ(a.where().offset, 0x10u);
  EXPECT_EQ(b.where().offset, 0x20u);
  EXPECT_EQ(b.message(), "type mismatch");

  Error c;
  c = a;
  EXPECT_EQ(c.to_string(), "app.wasm: at offset 0x10: type mismatch");
  Error d = std::move(c);
  EXPECT_EQ(d.code(), ErrorCode::TypeMismatch);
  EXPECT_EQ(d.to_string(), "app.wasm: at offset 0x10: type mismatch");
}

TEST(Result, SuccessIsSmallAndFailureCarriesTheError) {
  // The validator and the lowering return a Result<void> per instruction.
  static_assert(sizeof(Result<void>) <= 2 * sizeof(void*));
  Result<void> ok;
  EXPECT_TRUE(ok.ok());
  Result<void> bad(Error(ErrorCode::Unreachable, "unreachable"));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::Unreachable);
  Result<int> v(3);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 3);
  Result<int> e(Error(ErrorCode::Io, "no such file"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(std::move(e).error().message(), "no such file");
}
