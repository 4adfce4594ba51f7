#include "tools/script/expect.h"

#include <gtest/gtest.h>

#include <cstring>

namespace vivarium::engine::script {
namespace {

using vivarium::Ref;
using vivarium::V128;
using vivarium::ValType;
using vivarium::Value;

Expected exact(Value v) {
  Expected e;
  e.kind = Expected::Exact;
  e.type = v.type();
  e.value = v;
  return e;
}

Expected nan(Expected::Kind k, ValType t) {
  Expected e;
  e.kind = k;
  e.type = t;
  return e;
}

const ExternResolver kNoExterns = [](uint32_t) { return Ref{}; };

TEST(Expect, IntegersAndTypesMustMatch) {
  EXPECT_TRUE(matches(exact(Value::i32(7)), Value::i32(7), kNoExterns));
  EXPECT_FALSE(matches(exact(Value::i32(7)), Value::i32(8), kNoExterns));
  EXPECT_FALSE(matches(exact(Value::i32(7)), Value::i64(7), kNoExterns));
  EXPECT_TRUE(matches(exact(Value::i64(-1)), Value::i64(-1), kNoExterns));
}

TEST(Expect, FloatsCompareByBits) {
  EXPECT_FALSE(matches(exact(Value::f32(0.0f)), Value::f32(-0.0f), kNoExterns));
  EXPECT_FALSE(matches(exact(Value::f64(0.0)), Value::f64(-0.0), kNoExterns));
  EXPECT_TRUE(matches(exact(Value::f32_bits(0x7fa00001)), Value::f32_bits(0x7fa00001), kNoExterns));
  EXPECT_FALSE(matches(exact(Value::f32_bits(0x7fa00001)), Value::f32_bits(0x7fa00002), kNoExterns));
}

TEST(Expect, NanPatterns) {
  EXPECT_TRUE(is_canonical_nan(0x7fc00000, 32));
  EXPECT_TRUE(is_canonical_nan(0xffc00000, 32));
  EXPECT_FALSE(is_canonical_nan(0x7fc00001, 32));
  EXPECT_TRUE(is_arithmetic_nan(0x7fc00001, 32));
  EXPECT_FALSE(is_arithmetic_nan(0x7f800001, 32));  // signalling
  EXPECT_FALSE(is_arithmetic_nan(0x7f800000, 32));  // infinity
  EXPECT_TRUE(is_canonical_nan(0xfff8000000000000ull, 64));
  EXPECT_TRUE(is_arithmetic_nan(0x7ff8000000000123ull, 64));
  EXPECT_FALSE(is_arithmetic_nan(0x7ff0000000000001ull, 64));

  Expected canon = nan(Expected::NanCanonical, ValType::F32);
  EXPECT_TRUE(matches(canon, Value::f32_bits(0x7fc00000), kNoExterns));
  EXPECT_FALSE(matches(canon, Value::f32_bits(0x7fc00001), kNoExterns));
  EXPECT_FALSE(matches(canon, Value::f64_bits(0x7ff8000000000000ull), kNoExterns));  // wrong type
  EXPECT_TRUE(matches(nan(Expected::NanArithmetic, ValType::F64), Value::f64_bits(0x7ff8000000000001ull), kNoExterns));
}

TEST(Expect, V128LanesIncludingNans) {
  Expected e;
  e.kind = Expected::V128Lanes;
  e.type = ValType::V128;
  e.lane_bits = 32;
  e.lane_float = true;
  e.lanes = {{ExpectedLane::Exact, 0x3f800000}, {ExpectedLane::NanCanonical, 0},
             {ExpectedLane::NanArithmetic, 0}, {ExpectedLane::Exact, 0}};
  uint32_t lanes[4] = {0x3f800000, 0xffc00000, 0x7fc00abc, 0};
  V128 v;
  std::memcpy(v.bytes, lanes, 16);
  EXPECT_TRUE(matches(e, Value::v128(v), kNoExterns));
  lanes[1] = 0x7fc00001;  // arithmetic, not canonical
  std::memcpy(v.bytes, lanes, 16);
  EXPECT_FALSE(matches(e, Value::v128(v), kNoExterns));

  Expected i16;
  i16.kind = Expected::V128Lanes;
  i16.lane_bits = 16;
  for (uint64_t i = 0; i < 8; ++i) i16.lanes.push_back({ExpectedLane::Exact, 0xfff0 + i});
  V128 w;
  for (int i = 0; i < 8; ++i) {
    w.bytes[2 * i] = static_cast<uint8_t>(0xf0 + i);
    w.bytes[2 * i + 1] = 0xff;
  }
  EXPECT_TRUE(matches(i16, Value::v128(w), kNoExterns));
  w.bytes[15] = 0xfe;
  EXPECT_FALSE(matches(i16, Value::v128(w), kNoExterns));
}

TEST(Expect, References) {
  uint32_t box = 3;
  ExternResolver resolve = [&](uint32_t id) { return id == 3 ? Ref{&box} : Ref{}; };
  Expected ext;
  ext.kind = Expected::RefExtern;
  ext.type = ValType::ExternRef;
  ext.extern_id = 3;
  EXPECT_TRUE(matches(ext, Value::externref(Ref{&box}), resolve));
  ext.extern_id = 4;
  EXPECT_FALSE(matches(ext, Value::externref(Ref{&box}), resolve));

  Expected null_func = nan(Expected::RefNull, ValType::FuncRef);
  EXPECT_TRUE(matches(null_func, Value::null_of(ValType::FuncRef), resolve));
  EXPECT_FALSE(matches(null_func, Value::null_of(ValType::ExternRef), resolve));
  EXPECT_FALSE(matches(null_func, Value::funcref(Ref{&box}), resolve));

  Expected any_func = nan(Expected::RefFunc, ValType::FuncRef);
  EXPECT_TRUE(matches(any_func, Value::funcref(Ref{&box}), resolve));
  EXPECT_FALSE(matches(any_func, Value::null_of(ValType::FuncRef), resolve));
}

TEST(Expect, Descriptions) {
  EXPECT_EQ(describe(nan(Expected::NanCanonical, ValType::F32)), "f32:nan:canonical");
  EXPECT_EQ(describe(nan(Expected::RefNull, ValType::ExternRef)), "ref.null extern");
  EXPECT_EQ(describe(exact(Value::i32(5))), "i32:5");
}

}  // namespace
}  // namespace vivarium::engine::script
