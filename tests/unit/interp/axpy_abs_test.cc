// `x += k * y` on C globals (engine/interp/ops_float_mem.cc, axpy at
// constant addresses): load, multiply by a constant, load, add/sub, store in
// one instruction. Each form must store the bits the unfused instructions
// give (two roundings, never an fma; a NaN when they give one), trap at the
// first load that is out of bounds with memory untouched, and stay unfused
// in wide frames. The references pass the product through a local, which no
// fusion looks through.
#pragma clang fp contract(off)
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "engine/text/wat.h"
#include "engine/interp/fused_mem.h"
#include "engine/interp/ops.h"
#include "tests/unit/interp/interp_test_util.h"
#include "tests/unit/interp/lowering_test_util.h"

namespace vivarium::engine::test {
namespace {

// Signed zeros, overflow, subnormals, infinities, a quiet and a signaling
// NaN, and values whose product with 0.01 rounds.
const std::vector<double> kVals = {-0.0, 0.0, 2.5, -7.0, 1e308, -1e-310, std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(),
                                   std::bit_cast<double>(0xfff0000000000002ull), 0.3, 1.0 - 0x1p-40};

// f_<name> / r_<name> (param $x $y f64) (result f64): puts $y at 16 and $x
// at 8, runs the body (which updates 8 from 16), returns what is at 8.
std::string funcs(const std::string& pad) {
  std::string s;
  auto fn = [&](const std::string& name, const std::string& fused, const std::string& ref) {
    const std::string head = "(param $x f64) (param $y f64) (result f64) " + pad +
                             " (local $t f64) (local $a i32) (local $f f32)\n"
                             "(f64.store offset=16 (local.get $a) (local.get $y))\n"
                             "(f64.store offset=8 (local.get $a) (local.get $x))\n";
    const std::string tail = "\n(f64.load offset=8 (local.get $a)))\n";
    s += "(func (export \"f_" + name + "\") " + head + fused + tail;
    s += "(func (export \"r_" + name + "\") " + head + ref + tail;
  };
  const std::string Y = "(f64.load offset=16 (i32.const 0))", X = "(f64.load (i32.const 8))";
  const std::string T = "(local.get $t)";
  auto st = [&](const std::string& v) { return "(f64.store offset=4 (i32.const 4) " + v + ")"; };
  for (const char* k : {"0.01", "-3", "nan:0x4000000000001", "inf"}) {
    const std::string K = std::string("(f64.const ") + k + ")";
    const std::string tag = std::to_string(s.size());  // unique per constant
    fn("a" + tag, st("(f64.add (f64.mul " + Y + " " + K + ") " + X + ")"),
       "(local.set $t (f64.mul " + Y + " " + K + ")) " + st("(f64.add " + T + " " + X + ")"));
    fn("s" + tag, st("(f64.sub (f64.mul " + K + " " + Y + ") " + X + ")"),
       "(local.set $t (f64.mul " + K + " " + Y + ")) " + st("(f64.sub " + T + " " + X + ")"));
    // x loaded first: not this fusion, the result must agree all the same
    fn("x" + tag, st("(f64.sub " + X + " (f64.mul " + K + " " + Y + "))"),
       "(local.set $t (f64.mul " + K + " " + Y + ")) " + st("(f64.sub " + X + " " + T + ")"));
  }
  // f32 in the low halves of 8 and 16
  const std::string Y32 = "(f32.load offset=16 (i32.const 0))", X32 = "(f32.load (i32.const 8))";
  fn("f32", "(f32.store (i32.const 8) (f32.add (f32.mul " + Y32 + " (f32.const 0.01)) " + X32 + "))",
     "(local.set $f (f32.mul " + Y32 + " (f32.const 0.01))) (f32.store (i32.const 8) (f32.add (local.get $f) " +
         X32 + "))");
  return s;
}

std::vector<std::string> names(const std::string& text) {
  std::vector<std::string> r;
  for (size_t i = text.find("(export \"f_"); i != std::string::npos; i = text.find("(export \"f_", i + 1)) {
    const size_t b = i + 11, e = text.find('"', b);
    r.push_back(text.substr(b, e - b));
  }
  return r;
}

// The bits, but any quiet NaN as one value: which operand's payload a
// two-NaN operation keeps is not fixed (the compiler may swap commutative
// operands); a signaling NaN result stays itself (it would be a bug).
uint64_t quieted(uint64_t b) {
  const double d = std::bit_cast<double>(b);
  return d != d && (b >> 51 & 1) ? 0x7ff8000000000000ull : b;
}

void check_all(bool wide) {
  const std::string body = funcs(wide ? wide_pad() : "");
  Env e("(module (memory 1)\n" + body + ")");
  const auto ns = names(body);
  ASSERT_EQ(ns.size(), 13u);
  for (const std::string& name : ns) {
    for (double x : kVals) {
      for (double y : kVals) {
        const std::vector<Value> args = {F64(x), F64(y)};
        EXPECT_EQ(quieted(e.f64_bits("f_" + name, args)), quieted(e.f64_bits("r_" + name, args)))
            << name << " x=" << x << " y=" << y << " wide=" << wide;
      }
    }
  }
}

TEST(InterpAxpyAbs, FusedAgreesWithUnfusedNarrow) { check_all(false); }
TEST(InterpAxpyAbs, FusedAgreesWithUnfusedWide) { check_all(true); }

TEST(InterpAxpyAbs, RoundsTwice) {
  Env e(R"((module (memory 1)
    (func (export "f") (param f64 f64) (result f64)
      (f64.store (i32.const 0) (local.get 0))
      (f64.store (i32.const 8) (local.get 1))
      (f64.store (i32.const 8) (f64.add (f64.mul (f64.load (i32.const 0)) (f64.const 0x1.00000004p+0))
                                        (f64.load (i32.const 8))))
      (f64.load (i32.const 8)))))");
  const double a = 1.0 + 0x1p-30, c = -(1.0 + 0x1p-29);
  ASSERT_NE(std::fma(a, a, c), 0.0);  // an fma would keep the 2^-60
  EXPECT_EQ(e.f64_bits("f", {F64(a), F64(c)}), 0u);
}

// Function 0 reads y at $P and updates x at $Q; the addresses are constants
// near the end of the one page.
std::string trap_module(uint32_t p, uint32_t q) {
  return "(module (memory 1)\n"
         "(func (export \"f\") (f64.store offset=" + std::to_string(q) +
         " (i32.const 0) (f64.add (f64.mul (f64.load offset=" + std::to_string(p) +
         " (i32.const 0)) (f64.const 2)) (f64.load offset=" + std::to_string(q) + " (i32.const 0)))))\n"
         "(func (export \"peek\") (param i32) (result i64) (i64.load (local.get 0)))\n"
         "(func (export \"poke\") (param i32 i64) (i64.store (local.get 0) (local.get 1))))";
}

TEST(InterpAxpyAbs, TrapsAtTheFirstLoadOutOfBounds) {
  struct Case {
    uint32_t p, q;
    int nth;  // which load traps, -1: none
  };
  for (const Case c : {Case{65529, 65530, 0}, Case{65529, 65520, 0}, Case{65520, 65529, 1}, Case{65528, 65520, -1}}) {
    const std::string text = trap_module(c.p, c.q);
    auto bytes = vivarium::engine::wat_to_binary(text);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(handler_at_word(text, 0, 0), interp::float_axpy_abs_handler(Op::f64_add, false));
    Env e(text);
    ASSERT_TRUE(e.call("poke", {I32(65528), I64(std::bit_cast<int64_t>(3.0))}).ok());
    ASSERT_TRUE(e.call("poke", {I32(65520), I64(std::bit_cast<int64_t>(5.0))}).ok());
    if (c.nth < 0) {
      ASSERT_TRUE(e.call("f").ok());
      EXPECT_EQ(e.i64("peek", {I32(65520)}), std::bit_cast<int64_t>(11.0));  // 3*2 + 5
      continue;
    }
    Error t = e.trap("f");
    EXPECT_EQ(t.message(), "out of bounds memory access") << c.p << " " << c.q;
    EXPECT_EQ(t.where().offset, offset_of(*bytes, 0, Op::f64_load, c.nth)) << c.p << " " << c.q;
    EXPECT_EQ(e.i64("peek", {I32(65528)}), std::bit_cast<int64_t>(3.0));  // nothing written
    EXPECT_EQ(e.i64("peek", {I32(65520)}), std::bit_cast<int64_t>(5.0));
  }
}

TEST(InterpAxpyAbs, LoweringPicksTheFusedHandler) {
  constexpr std::string_view kText = R"((module (memory 1)
    (func (f64.store (i32.const 8) (f64.add (f64.mul (f64.load (i32.const 16)) (f64.const 2)) (f64.load (i32.const 8)))))
    (func (f64.store (i32.const 8) (f64.sub (f64.mul (f64.const 2) (f64.load (i32.const 16))) (f64.load (i32.const 8)))))
    (func (f32.store (i32.const 8) (f32.add (f32.mul (f32.load (i32.const 16)) (f32.const 2)) (f32.load (i32.const 8)))))
    (func (f64.store (i32.const 0) (f64.add (f64.mul (f64.load (i32.const 16)) (f64.const 2)) (f64.load (i32.const 8)))))
  ))";
  EXPECT_EQ(handler_at_word(kText, 0, 0), interp::float_axpy_abs_handler(Op::f64_add, false));
  EXPECT_EQ(handler_at_word(kText, 1, 0), interp::float_axpy_abs_handler(Op::f64_sub, true));
  EXPECT_EQ(handler_at_word(kText, 2, 0), interp::float_axpy_abs_handler(Op::f32_add, false));
  EXPECT_NE(handler_at_word(kText, 3, 0), interp::float_axpy_abs_handler(Op::f64_add, false));  // stored elsewhere
}

}  // namespace
}  // namespace vivarium::engine::test
