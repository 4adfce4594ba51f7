// Integer and float instructions: results, traps and the float corner cases
// (NaN, signed zero, rounding) that a naive C++ mapping gets wrong.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "tests/unit/interp/interp_test_util.h"

namespace vivarium::engine::test {
namespace {

constexpr std::string_view kIntWat = R"((module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "div_u") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
  (func (export "div_s64") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
  (func (export "rem_s64") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
  (func (export "shl") (param i32 i32) (result i32) (i32.shl (local.get 0) (local.get 1)))
  (func (export "shr_s") (param i32 i32) (result i32) (i32.shr_s (local.get 0) (local.get 1)))
  (func (export "rotl64") (param i64 i64) (result i64) (i64.rotl (local.get 0) (local.get 1)))
  (func (export "clz") (param i32) (result i32) (i32.clz (local.get 0)))
  (func (export "ctz64") (param i64) (result i64) (i64.ctz (local.get 0)))
  (func (export "popcnt") (param i32) (result i32) (i32.popcnt (local.get 0)))
  (func (export "lt_s") (param i32 i32) (result i32) (i32.lt_s (local.get 0) (local.get 1)))
  (func (export "lt_u") (param i32 i32) (result i32) (i32.lt_u (local.get 0) (local.get 1)))
  (func (export "ext8") (param i32) (result i32) (i32.extend8_s (local.get 0)))
  (func (export "ext_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
  (func (export "ext_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
  (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
  (func (export "wrap_add") (param i64) (result i64)
    (i64.extend_i32_u (i32.add (i32.wrap_i64 (local.get 0)) (i32.const 1))))
))";

TEST(InterpInt, Arithmetic) {
  Env e(kIntWat);
  EXPECT_EQ(e.i32("add", {I32(2), I32(40)}), 42);
  EXPECT_EQ(e.i32("add", {I32(INT32_MAX), I32(1)}), INT32_MIN);
  EXPECT_EQ(e.i32("div_s", {I32(-7), I32(2)}), -3);
  EXPECT_EQ(e.i32("div_u", {I32(-7), I32(2)}), 0x7FFFFFFC);
  EXPECT_EQ(e.i32("rem_s", {I32(-7), I32(2)}), -1);
  EXPECT_EQ(e.i32("rem_s", {I32(INT32_MIN), I32(-1)}), 0);  // defined, not a trap
  EXPECT_EQ(e.i64("rem_s64", {I64(INT64_MIN), I64(-1)}), 0);
  EXPECT_EQ(e.i32("shl", {I32(1), I32(33)}), 2);  // shift count is modulo 32
  EXPECT_EQ(e.i32("shr_s", {I32(-8), I32(1)}), -4);
  EXPECT_EQ(e.i64("rotl64", {I64(static_cast<int64_t>(0x8000000000000001ull)), I64(1)}), 3);
  EXPECT_EQ(e.i32("clz", {I32(0)}), 32);
  EXPECT_EQ(e.i64("ctz64", {I64(0)}), 64);
  EXPECT_EQ(e.i32("popcnt", {I32(-1)}), 32);
  EXPECT_EQ(e.i32("lt_s", {I32(-1), I32(0)}), 1);
  EXPECT_EQ(e.i32("lt_u", {I32(-1), I32(0)}), 0);
  EXPECT_EQ(e.i32("ext8", {I32(0x80)}), -128);
  EXPECT_EQ(e.i64("ext_s", {I32(-1)}), -1);
  EXPECT_EQ(e.i64("ext_u", {I32(-1)}), 0xFFFFFFFFll);
  EXPECT_EQ(e.i32("wrap", {I64(0x1234567800000005ll)}), 5);
  // wrap leaves the high bits in the slot: later i32 ops must ignore them.
  EXPECT_EQ(e.i64("wrap_add", {I64(0x12345678FFFFFFFFll)}), 0);
}

TEST(InterpInt, Traps) {
  Env e(kIntWat);
  Error d0 = e.trap("div_s", {I32(1), I32(0)});
  EXPECT_EQ(d0.code(), ErrorCode::IntegerDivideByZero);
  EXPECT_EQ(d0.message(), "integer divide by zero");
  EXPECT_EQ(d0.phase(), vivarium::Phase::Trap);
  EXPECT_EQ(e.trap("div_u", {I32(1), I32(0)}).code(), ErrorCode::IntegerDivideByZero);
  EXPECT_EQ(e.trap("rem_s", {I32(1), I32(0)}).code(), ErrorCode::IntegerDivideByZero);
  Error ov = e.trap("div_s", {I32(INT32_MIN), I32(-1)});
  EXPECT_EQ(ov.code(), ErrorCode::IntegerOverflow);
  EXPECT_EQ(ov.message(), "integer overflow");
  EXPECT_EQ(e.trap("div_s64", {I64(INT64_MIN), I64(-1)}).code(), ErrorCode::IntegerOverflow);
  // Where: the function and the byte offset of the trapping instruction.
  // No name section here: the function is named by its index and export.
  EXPECT_EQ(d0.where().function, "func[1] (export \"div_s\")");
  const auto bytes = e.module->bytes();
  const uint8_t pattern[] = {0x20, 0x00, 0x20, 0x01, 0x6D};  // local.get 0, local.get 1, i32.div_s
  auto it = std::search(bytes.begin(), bytes.end(), std::begin(pattern), std::end(pattern));
  ASSERT_NE(it, bytes.end());
  EXPECT_EQ(d0.where().offset, static_cast<uint64_t>(it - bytes.begin()) + 4);
  EXPECT_NE(d0.backtrace().find("func[1]"), std::string::npos);
  // The store is usable after a trap.
  EXPECT_EQ(e.i32("add", {I32(1), I32(1)}), 2);
}

constexpr std::string_view kFloatWat = R"((module
  (func (export "addf") (param f32 f32) (result f32) (f32.add (local.get 0) (local.get 1)))
  (func (export "minf") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
  (func (export "maxf") (param f32 f32) (result f32) (f32.max (local.get 0) (local.get 1)))
  (func (export "min") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
  (func (export "max") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
  (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
  (func (export "nearestf") (param f32) (result f32) (f32.nearest (local.get 0)))
  (func (export "floorf") (param f32) (result f32) (f32.floor (local.get 0)))
  (func (export "trunc64") (param f64) (result f64) (f64.trunc (local.get 0)))
  (func (export "negf") (param f32) (result f32) (f32.neg (local.get 0)))
  (func (export "abs") (param f64) (result f64) (f64.abs (local.get 0)))
  (func (export "copysign") (param f64 f64) (result f64) (f64.copysign (local.get 0) (local.get 1)))
  (func (export "sqrtf") (param f32) (result f32) (f32.sqrt (local.get 0)))
  (func (export "trunc_s") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "trunc_u") (param f32) (result i32) (i32.trunc_f32_u (local.get 0)))
  (func (export "trunc_s64") (param f64) (result i64) (i64.trunc_f64_s (local.get 0)))
  (func (export "sat_s") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0)))
  (func (export "sat_u64") (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))
  (func (export "cvt_u64") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))
  (func (export "demote") (param f64) (result f32) (f32.demote_f64 (local.get 0)))
  (func (export "reinterpret") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
  (func (export "lt") (param f64 f64) (result i32) (f64.lt (local.get 0) (local.get 1)))
  (func (export "ne") (param f64 f64) (result i32) (f64.ne (local.get 0) (local.get 1)))
))";

uint32_t bits(float f) { uint32_t b; std::memcpy(&b, &f, 4); return b; }
uint64_t bits(double d) { uint64_t b; std::memcpy(&b, &d, 8); return b; }
bool is_nan32(uint32_t b) { return (b & 0x7F800000u) == 0x7F800000u && (b & 0x7FFFFFu); }
bool is_nan64(uint64_t b) { return (b & 0x7FF0000000000000ull) == 0x7FF0000000000000ull && (b & 0xFFFFFFFFFFFFFull); }

TEST(InterpFloat, RoundsToF32) {
  Env e(kFloatWat);
  // 2^24 + 1 is not representable in f32: the sum must round (to even).
  EXPECT_EQ(e.f32_bits("addf", {F32(16777216.0f), F32(1.0f)}), bits(16777216.0f));
  EXPECT_EQ(e.f32_bits("addf", {F32(0.1f), F32(0.2f)}), bits(0.1f + 0.2f));
  EXPECT_EQ(e.f32_bits("sqrtf", {F32(2.0f)}), bits(std::sqrt(2.0f)));
}

TEST(InterpFloat, MinMaxZeroAndNaN) {
  Env e(kFloatWat);
  EXPECT_EQ(e.f64_bits("min", {F64(0.0), F64(-0.0)}), bits(-0.0));
  EXPECT_EQ(e.f64_bits("min", {F64(-0.0), F64(0.0)}), bits(-0.0));
  EXPECT_EQ(e.f64_bits("max", {F64(-0.0), F64(0.0)}), bits(0.0));
  EXPECT_EQ(e.f32_bits("maxf", {F32(-0.0f), F32(0.0f)}), bits(0.0f));
  EXPECT_EQ(e.f32_bits("minf", {F32(0.0f), F32(-0.0f)}), bits(-0.0f));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(is_nan64(e.f64_bits("min", {F64(1.0), F64(nan)})));
  EXPECT_TRUE(is_nan64(e.f64_bits("max", {F64(nan), F64(1.0)})));
  EXPECT_TRUE(is_nan32(e.f32_bits("minf", {Value::f32_bits(0x7FA00000u), F32(1.0f)})));
  EXPECT_EQ(e.i32("lt", {F64(nan), F64(1.0)}), 0);
  EXPECT_EQ(e.i32("ne", {F64(nan), F64(nan)}), 1);
}

TEST(InterpFloat, NearestIsRoundEven) {
  Env e(kFloatWat);
  EXPECT_EQ(e.f64_bits("nearest", {F64(2.5)}), bits(2.0));
  EXPECT_EQ(e.f64_bits("nearest", {F64(3.5)}), bits(4.0));
  EXPECT_EQ(e.f64_bits("nearest", {F64(-0.5)}), bits(-0.0));
  EXPECT_EQ(e.f32_bits("nearestf", {F32(-1.5f)}), bits(-2.0f));
}

TEST(InterpFloat, RoundingQuietsSignallingNaN) {
  Env e(kFloatWat);
  // The result must be an arithmetic NaN: the quiet bit set.
  EXPECT_EQ(e.f32_bits("floorf", {Value::f32_bits(0x7FA00000u)}) & 0x7FC00000u, 0x7FC00000u);
  EXPECT_EQ(e.f32_bits("nearestf", {Value::f32_bits(0xFFA00000u)}) & 0x7FC00000u, 0x7FC00000u);
  EXPECT_EQ(e.f64_bits("trunc64", {Value::f64_bits(0x7FF4000000000000ull)}) & 0x7FF8000000000000ull,
            0x7FF8000000000000ull);
}

TEST(InterpFloat, SignOpsAreBitOps) {
  Env e(kFloatWat);
  // A signalling NaN keeps its payload through neg/abs/copysign.
  EXPECT_EQ(e.f32_bits("negf", {Value::f32_bits(0x7FA00001u)}), 0xFFA00001u);
  EXPECT_EQ(e.f64_bits("abs", {Value::f64_bits(0xFFF4000000000001ull)}), 0x7FF4000000000001ull);
  EXPECT_EQ(e.f64_bits("copysign", {Value::f64_bits(0x7FF4000000000001ull), F64(-1.0)}), 0xFFF4000000000001ull);
  EXPECT_EQ(e.i32("reinterpret", {Value::f32_bits(0x7FA00001u)}), 0x7FA00001);
}

TEST(InterpFloat, Truncation) {
  Env e(kFloatWat);
  EXPECT_EQ(e.i32("trunc_s", {F64(-2147483648.9)}), INT32_MIN);
  EXPECT_EQ(e.i32("trunc_s", {F64(2147483647.9)}), INT32_MAX);
  EXPECT_EQ(e.trap("trunc_s", {F64(2147483648.0)}).code(), ErrorCode::IntegerOverflow);
  EXPECT_EQ(e.trap("trunc_s", {F64(-2147483649.0)}).code(), ErrorCode::IntegerOverflow);
  Error nan = e.trap("trunc_s", {F64(std::numeric_limits<double>::quiet_NaN())});
  EXPECT_EQ(nan.code(), ErrorCode::InvalidConversion);
  EXPECT_EQ(nan.message(), "invalid conversion to integer");
  EXPECT_EQ(e.i32("trunc_u", {F32(-0.9f)}), 0);
  EXPECT_EQ(e.trap("trunc_u", {F32(-1.0f)}).code(), ErrorCode::IntegerOverflow);
  EXPECT_EQ(e.trap("trunc_s64", {F64(9223372036854775808.0)}).code(), ErrorCode::IntegerOverflow);
  EXPECT_EQ(e.i64("trunc_s64", {F64(-9223372036854775808.0)}), INT64_MIN);
  EXPECT_EQ(e.i32("sat_s", {F64(1e300)}), INT32_MAX);
  EXPECT_EQ(e.i32("sat_s", {F64(-1e300)}), INT32_MIN);
  EXPECT_EQ(e.i32("sat_s", {F64(std::numeric_limits<double>::quiet_NaN())}), 0);
  EXPECT_EQ(e.i64("sat_u64", {F32(-5.0f)}), 0);
  EXPECT_EQ(static_cast<uint64_t>(e.i64("sat_u64", {F32(1e30f)})), UINT64_MAX);
}

TEST(InterpFloat, Conversions) {
  Env e(kFloatWat);
  // u64 -> f32 must round once (to nearest even), not via a double.
  EXPECT_EQ(e.f32_bits("cvt_u64", {I64(static_cast<int64_t>(0xFFFFFFFFFFFFFFFFull))}), bits(18446744073709551616.0f));
  EXPECT_EQ(e.f32_bits("cvt_u64", {I64(0x1000000000000001ll)}), bits(1152921504606846976.0f));
  EXPECT_EQ(e.f32_bits("demote", {F64(1e300)}), bits(std::numeric_limits<float>::infinity()));
}

}  // namespace
}  // namespace vivarium::engine::test
