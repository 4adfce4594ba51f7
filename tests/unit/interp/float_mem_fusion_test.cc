// Float results stored straight to memory (engine/interp/ops_float_mem.cc):
// a*b +/- c with c loaded from the address stored to (the load moved into
// the store, past at most one float binop), a*b stored elsewhere (not fused:
// the reference forms must agree all the same), a*b
// feeding a read-modify-write, both with a or b itself a product (x*y), and a binop whose operand a load from
// `p + k` produced. Each must store/return the bits the unfused instructions
// give (two roundings, never an fma), trap where the unfused form traps
// (the load, or the store when nothing was loaded) with memory untouched,
// and fall back to the unfused form in wide frames. The references go
// through locals, which no fusion looks through.
#pragma clang fp contract(off)
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "engine/interp/compiled.h"
#include "engine/interp/fused_mem.h"
#include "engine/interp/interp.h"
#include "engine/interp/ops.h"
#include "engine/text/wat.h"
#include "tests/unit/interp/interp_test_util.h"
#include "tests/unit/interp/lowering_test_util.h"

namespace vivarium::engine::test {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
const std::vector<double> kVals = {0.0, -0.0, 1.0, -1.5, 3.0, 1e308, -1e308, 5e-324, kInf, -kInf, kNaN,
                                   std::bit_cast<double>(0x7ff4000000000001ull), 0.1, 1.0 + 0x1p-30};
const std::vector<int32_t> kAddrs = {0, 8, 65512, 65520, 65521, 65528, -8, INT32_MIN};

// f_<name> / r_<name> (param $p i32) (param $x $y $z f64) (result f64): puts
// $z at p+8 (plain store), runs the body, returns what is at p+8 (as f64).
std::string funcs(const std::string& pad) {
  std::string s;
  auto fn = [&](const std::string& name, const std::string& fused, const std::string& ref) {
    const std::string head = "(param $p i32) (param $x f64) (param $y f64) (param $z f64) (result f64) " + pad +
                             " (local $t f64) (local $u f64) (local $q i32) (local $f f32)\n"
                             "(f64.store offset=8 (local.get $p) (local.get $z))\n";
    const std::string tail = "\n(f64.load offset=8 (local.get $p)))\n";
    s += "(func (export \"f_" + name + "\") " + head + fused + tail;
    s += "(func (export \"r_" + name + "\") " + head + ref + tail;
  };
  const std::string P = "(local.get $p)", X = "(local.get $x)", Y = "(local.get $y)", Z = "(local.get $z)";
  const std::string M = "(f64.mul " + X + " " + Y + ")", T = "(local.get $t)", U = "(local.get $u)";
  const std::string setT = "(local.set $t " + M + ") ";
  const std::string L8 = "(f64.load offset=8 " + P + ")";
  auto st = [&](const std::string& v) { return "(f64.store offset=8 " + P + " " + v + ")"; };
  // mul+add/sub stored elsewhere-computed: all four kinds
  fn("mas0", st("(f64.add " + M + " " + Y + ")"), setT + st("(f64.add " + T + " " + Y + ")"));
  fn("mas1", st("(f64.sub " + M + " " + Z + ")"), setT + st("(f64.sub " + T + " " + Z + ")"));
  fn("mas2", st("(f64.sub " + X + " " + M + ")"), setT + st("(f64.sub " + X + " " + T + ")"));
  fn("mas3", st("(f64.add " + Z + " " + M + ")"), setT + st("(f64.add " + Z + " " + T + ")"));
  // the addend loaded from the stored address: adjacent, or one binop between
  const std::string MM = "(f64.mul " + M + " " + Z + ")";
  const std::string refMM = "(local.set $t " + L8 + ") (local.set $u " + MM + ") ";
  fn("mar2", st("(f64.sub " + L8 + " " + M + ")"), "(local.set $t " + L8 + ") " + st("(f64.sub " + T + " " + M + ")"));
  fn("mar3", st("(f64.add " + L8 + " " + M + ")"), "(local.set $t " + L8 + ") " + st("(f64.add " + T + " " + M + ")"));
  fn("mar2b", st("(f64.sub " + L8 + " " + MM + ")"), refMM + st("(f64.sub " + T + " " + U + ")"));
  fn("mar3b", st("(f64.add " + L8 + " " + MM + ")"), refMM + st("(f64.add " + T + " " + U + ")"));
  // the same with a factor a product of its own, either side (mul+mul+rmw)
  const std::string XY = "(f64.mul " + X + " " + Y + ")", setXY = "(local.set $t " + XY + ") ";
  fn("m3r_l", st("(f64.sub " + L8 + " (f64.mul " + XY + " " + Z + "))"), setXY + st("(f64.sub " + L8 + " (f64.mul " + T + " " + Z + "))"));
  fn("m3r_r", st("(f64.add " + L8 + " (f64.mul " + Z + " " + XY + "))"), setXY + st("(f64.add " + L8 + " (f64.mul " + Z + " " + T + "))"));
  fn("m3w_l", st("(f64.add (f64.mul " + XY + " " + Z + ") " + L8 + ")"), setXY + st("(f64.add (f64.mul " + T + " " + Z + ") " + L8 + ")"));
  fn("m3w_r", st("(f64.sub " + L8 + " (f64.mul " + Y + " " + XY + "))"), setXY + st("(f64.sub " + L8 + " (f64.mul " + Y + " " + T + "))"));
  fn("m3w_d", st("(f64.div (f64.mul " + Z + " " + XY + ") " + L8 + ")"), setXY + st("(f64.div (f64.mul " + Z + " " + T + ") " + L8 + ")"));
  // a*b feeding a read-modify-write (either operand order)
  fn("mrw_a", st("(f64.add " + M + " " + L8 + ")"), setT + st("(f64.add " + T + " " + L8 + ")"));
  fn("mrw_s", st("(f64.sub " + M + " " + L8 + ")"), setT + st("(f64.sub " + T + " " + L8 + ")"));
  fn("mrw_d", st("(f64.div " + L8 + " " + M + ")"), setT + st("(f64.div " + L8 + " " + T + ")"));
  // axpy: a mul with a loaded operand feeding a read-modify-write add/sub
  const std::string LP = "(f64.load offset=16 " + P + ")", LK = "(f64.load offset=4 (i32.add " + P + " (i32.const -4)))";
  fn("axpy_a", st("(f64.add (f64.mul " + X + " " + LP + ") " + L8 + ")"),
     "(local.set $t (f64.mul " + X + " " + LP + ")) " + st("(f64.add " + T + " " + L8 + ")"));
  fn("axpy_s", st("(f64.sub (f64.mul " + LK + " " + Y + ") " + L8 + ")"),
     "(local.set $t (f64.mul " + LK + " " + Y + ")) " + st("(f64.sub " + T + " " + L8 + ")"));
  fn("axpy_same", st("(f64.add (f64.mul " + X + " " + L8 + ") " + L8 + ")"),
     "(local.set $t (f64.mul " + X + " " + L8 + ")) " + st("(f64.add " + T + " " + L8 + ")"));
  // a binop with an operand loaded from p + k (the stored $z lies at p + 8)
  const std::string Q = "(f64.load offset=4 (i32.add " + P + " (i32.const 4)))";
  const std::string setQ = "(local.set $q (i32.add " + P + " (i32.const 4))) ";
  const std::string QR = "(f64.load offset=4 (local.get $q))";
  for (const char* op : {"add", "sub", "mul", "div"}) {
    const std::string o = op;
    fn("lk_r" + o, st("(f64." + o + " " + X + " " + Q + ")"), setQ + st("(f64." + o + " " + X + " " + QR + ")"));
    fn("lk_l" + o, st("(f64." + o + " " + Q + " " + Y + ")"), setQ + st("(f64." + o + " " + QR + " " + Y + ")"));
  }
  // f32: mul+add stored, and a loaded p + k operand (in the low half of p+8)
  const std::string D = "(f32.demote_f64 ", F = "(local.get $f)";
  const std::string M32 = "(f32.mul " + D + X + ") " + D + Y + "))";
  auto st32 = [&](const std::string& v) { return "(f32.store offset=8 " + P + " " + v + ")"; };
  fn("mas32", st32("(f32.sub " + M32 + " " + D + Z + "))"),
     "(local.set $f " + M32 + ") " + st32("(f32.sub " + F + " " + D + Z + "))"));
  fn("mar32", st32("(f32.add (f32.load offset=8 " + P + ") " + M32 + ")"),
     "(local.set $f (f32.load offset=8 " + P + ")) " + st32("(f32.add " + F + " " + M32 + ")"));
  fn("lk32", st32("(f32.mul (f32.load offset=4 (i32.add " + P + " (i32.const 4))) " + D + Y + "))"),
     setQ + st32("(f32.mul (f32.load offset=4 (local.get $q)) " + D + Y + "))"));
  return s;
}

std::vector<std::string> names() {
  std::vector<std::string> r;
  const std::string text = funcs("");
  for (size_t i = text.find("(export \"f_"); i != std::string::npos; i = text.find("(export \"f_", i + 1)) {
    const size_t b = i + 11, e = text.find('"', b);
    r.push_back(text.substr(b, e - b));
  }
  return r;
}

// Bit for bit, except that a NaN may be another quiet NaN (which operand's
// payload a two-NaN operation keeps is not fixed; see float_fusion_test).
uint64_t canon(uint64_t b) {
  const bool nan = (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull);
  return nan ? ((b & 0x8000000000000ull) ? 0x7ff8000000000000ull : 1u) : b;
}

void check_all(bool wide) {
  const std::string text = "(module (memory 1)\n" + funcs(wide ? wide_pad() : "") + ")";
  Env e(text);
  const auto ns = names();
  ASSERT_GE(ns.size(), 20u);
  int traps = 0;
  size_t n = 0;
  for (const std::string& name : ns) {
    for (int32_t p : kAddrs) {
      for (double x : kVals) {
        for (double y : kVals) {
          if (wide && ++n % 17) continue;  // wide frames are big to enter: a sample
          const double z = kVals[(std::bit_cast<uint64_t>(x) ^ std::bit_cast<uint64_t>(y)) % kVals.size()];
          const std::vector<Value> args = {I32(p), F64(x), F64(y), F64(z)};
          auto f = e.call("f_" + name, args);
          auto r = e.call("r_" + name, args);
          ASSERT_EQ(f.ok(), r.ok()) << name << " p=" << p;
          if (!f.ok()) {
            EXPECT_EQ(f.error().message(), r.error().message()) << name;
            ++traps;
            continue;
          }
          EXPECT_EQ(canon((*f)[0].f64_bits()), canon((*r)[0].f64_bits()))
              << name << " p=" << p << " x=" << x << " y=" << y << " z=" << z << " wide=" << wide;
        }
      }
    }
  }
  EXPECT_GT(traps, wide ? 10 : 1000);
}

TEST(InterpFloatMemFusion, FusedAgreesWithUnfusedNarrow) { check_all(false); }
TEST(InterpFloatMemFusion, FusedAgreesWithUnfusedWide) { check_all(true); }

TEST(InterpFloatMemFusion, StoredMulAddRoundsTwice) {
  Env e(R"((module (memory 1)
    (func (export "mas") (param f64 f64 f64) (result f64)
      (f64.store (i32.const 0) (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
      (f64.load (i32.const 0)))
    (func (export "mar") (param f64 f64 f64) (result f64) (local $p i32)
      (f64.store (local.get $p) (local.get 2))
      (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (f64.mul (local.get 0) (local.get 1))))
      (f64.load (local.get $p)))))");
  const double a = 1.0 + 0x1p-30, c = -(1.0 + 0x1p-29);
  ASSERT_NE(std::fma(a, a, c), 0.0);  // an fma would keep the 2^-60
  EXPECT_EQ(e.f64_bits("mas", {F64(a), F64(a), F64(c)}), 0u);
  EXPECT_EQ(e.f64_bits("mar", {F64(a), F64(a), F64(c)}), 0u);
}

constexpr std::string_view kSmall = R"((module (memory 1)
  (func (export "mas") (param $p i32) (param $x f64)
    (f64.store offset=8 (local.get $p) (f64.sub (f64.mul (local.get $x) (local.get $x)) (local.get $x))))
  (func (export "mar") (param $p i32) (param $x f64)
    (f64.store offset=8 (local.get $p)
      (f64.sub (f64.load offset=8 (local.get $p)) (f64.mul (f64.mul (local.get $x) (local.get $x)) (local.get $x)))))
  (func (export "mrw") (param $p i32) (param $x f64)
    (f64.store offset=8 (local.get $p) (f64.add (f64.mul (local.get $x) (local.get $x)) (f64.load offset=8 (local.get $p)))))
  (func (export "lk") (param $p i32) (param $x f64) (result f64)
    (f64.div (local.get $x) (f64.load offset=8 (i32.add (local.get $p) (i32.const 16)))))
  (func (export "axpy") (param $p i32) (param $q i32) (param $x f64)
    (f64.store offset=8 (local.get $q) (f64.add (f64.mul (local.get $x) (f64.load offset=8 (i32.add (local.get $p) (i32.const 8))))
                                                (f64.load offset=8 (local.get $q)))))
  (func (export "peek") (param $p i32) (result i64) (i64.load (local.get $p)))
  (func (export "mrw3") (param $p i32) (param $x f64)
    (f64.store offset=8 (local.get $p)
      (f64.add (f64.mul (local.get $x) (f64.mul (local.get $x) (local.get $x))) (f64.load offset=8 (local.get $p)))))
))";

TEST(InterpFloatMemFusion, TrapsWhereTheUnfusedFormTraps) {
  auto bytes = vivarium::engine::wat_to_binary(kSmall);
  ASSERT_TRUE(bytes.ok());
  Env e(kSmall);
  Error s = e.trap("mas", {I32(65521), F64(2.0)});  // 65521 + 8 + 8 > 65536: the store
  EXPECT_EQ(s.message(), "out of bounds memory access");
  EXPECT_EQ(s.where().offset, offset_of(*bytes, 0, Op::f64_store));
  Error r = e.trap("mar", {I32(65521), F64(2.0)});  // the load, moved into the store
  EXPECT_EQ(r.where().offset, offset_of(*bytes, 1, Op::f64_load));
  Error w = e.trap("mrw", {I32(-8), F64(2.0)});
  EXPECT_EQ(w.where().offset, offset_of(*bytes, 2, Op::f64_load));
  // -16 + 16 wraps to 0: no trap
  EXPECT_EQ(e.one("lk", {I32(-16), F64(2.0)}).f64_bits(), std::bit_cast<uint64_t>(kInf));
  Error k2 = e.trap("lk", {I32(65512), F64(2.0)});  // 65528 + 8 + 8 > 65536
  EXPECT_EQ(k2.where().offset, offset_of(*bytes, 3, Op::f64_load));
  Error a1 = e.trap("axpy", {I32(65513), I32(65521), F64(2.0)});  // both out of bounds: the first load
  EXPECT_EQ(a1.where().offset, offset_of(*bytes, 4, Op::f64_load, 0));
  Error a2 = e.trap("axpy", {I32(65512), I32(65521), F64(2.0)});  // the second load
  EXPECT_EQ(a2.where().offset, offset_of(*bytes, 4, Op::f64_load, 1));
  // nothing written by the trapping ones
  EXPECT_EQ(e.i64("peek", {I32(65528)}), 0);
  // and the fitting ones store: 0 - 3*3*3 at 65528
  ASSERT_TRUE(e.call("mar", {I32(65520), F64(3.0)}).ok());
  EXPECT_EQ(e.i64("peek", {I32(65528)}), std::bit_cast<int64_t>(-27.0));
  // -8 + 8 wraps to 0: q[1] += 2 * (-27)
  ASSERT_TRUE(e.call("axpy", {I32(-8), I32(65520), F64(2.0)}).ok());
  EXPECT_EQ(e.i64("peek", {I32(65528)}), std::bit_cast<int64_t>(-27.0));
  ASSERT_TRUE(e.call("axpy", {I32(65512), I32(65520), F64(2.0)}).ok());
  EXPECT_EQ(e.i64("peek", {I32(65528)}), std::bit_cast<int64_t>(-81.0));
  Error m3 = e.trap("mrw3", {I32(65521), F64(2.0)});  // mul+mul+rmw: the load's offset, nothing written
  EXPECT_EQ(m3.where().offset, offset_of(*bytes, 6, Op::f64_load));
  EXPECT_EQ(e.i64("peek", {I32(65528)}), std::bit_cast<int64_t>(-81.0));
  ASSERT_TRUE(e.call("mrw3", {I32(65520), F64(3.0)}).ok());  // 3 * (3*3) + -81
  EXPECT_EQ(e.i64("peek", {I32(65528)}), std::bit_cast<int64_t>(-54.0));
}

TEST(InterpFloatMemFusion, LoweringPicksTheFusedHandlers) {
  auto at = [&](uint32_t func, uint32_t word) { return handler_at_word(kSmall, func, word); };
  EXPECT_EQ(at(0, 0), interp::float_mul_add_handler(Op::f64_mul, Op::f64_sub, 1, true));  // not fused with the store
  EXPECT_EQ(at(1, 0), interp::float_mul3_add_rmw_handler(Op::f64_mul, 2, true));  // (x*x)*x too
  EXPECT_EQ(at(2, 0), interp::float_mul_rmw_handler(Op::f64_add, false));
  EXPECT_EQ(at(3, 0), interp::float_binop_load_addi_handler(Op::f64_div, false));
  EXPECT_EQ(at(4, 0), interp::float_axpy_handler(Op::f64_add, false, false));
  EXPECT_EQ(at(6, 0), interp::float_mul3_rmw_handler(Op::f64_add, false, false));
}

}  // namespace
}  // namespace vivarium::engine::test
