// `x * fabs(y)`, `a - (-b)`: an f32/f64 abs or neg feeding add/sub/mul/div
// (engine/interp/ops_float_sign.cc, the float_sign_binop row of fusions.def)
// must give the bits of the unfused pair -- signed zeros, infinities, both
// operand orders; a NaN when the pair gives one (which NaN operand, and
// which sign, an arithmetic NaN result keeps is not fixed by wasm, and the
// compiler may turn `x + -y` into `x - y`) -- and stay unfused in wide
// frames. References pass the abs/neg through a local, which no fusion
// looks through.
#include <bit>
#include <limits>
#include <string>
#include <vector>

#include "engine/interp/ops.h"
#include "tests/unit/interp/interp_test_util.h"
#include "tests/unit/interp/lowering_test_util.h"

namespace vivarium::engine::test {
namespace {

const std::vector<double> kArgs = {0.0, -0.0, 2.0, -4.0, 0.5, 1e-320, -1e300, std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(),
                                   std::bit_cast<double>(0xfff4000000000003ull), 3.0 + 0x1p-51};
const char* const kBinops[] = {"add", "sub", "mul", "div"};
const char* const kSigns[] = {"abs", "neg"};

// For each binop, sign op and side: "f_<op>_<sign>_<l|r>" fused and
// "r_..." through a local; "f32_..." the same in f32, promoted back.
std::string module(const std::string& pad) {
  std::string out = "(module\n";
  const std::string head = "(param $x f64) (param $y f64) (result f64) " + pad + " (local $t f64) (local $f f32)\n";
  auto fn = [&](const std::string& name, const std::string& body) {
    out += "(func (export \"" + name + "\") " + head + body + ")\n";
  };
  const std::string X = "(local.get $x)", Y = "(local.get $y)";
  const std::string X32 = "(f32.demote_f64 " + X + ")", Y32 = "(f32.demote_f64 " + Y + ")";
  for (const char* op : kBinops) {
    for (const char* sg : kSigns) {
      const std::string n = std::string(op) + "_" + sg;
      const std::string u = "(f64." + std::string(sg) + " " + Y + ")", u32 = "(f32." + std::string(sg) + " " + Y32 + ")";
      const std::string set = "(local.set $t " + u + ") ", set32 = "(local.set $f " + u32 + ") ";
      const std::string b = "(f64." + std::string(op) + " ", b32 = "(f32." + std::string(op) + " ";
      fn("f_" + n + "_l", b + u + " " + X + ")");
      fn("r_" + n + "_l", set + b + "(local.get $t) " + X + ")");
      fn("f_" + n + "_r", b + X + " " + u + ")");
      fn("r_" + n + "_r", set + b + X + " (local.get $t))");
      fn("f32_" + n, "(f64.promote_f32 " + b32 + X32 + " " + u32 + "))");
      fn("r32_" + n, set32 + "(f64.promote_f32 " + b32 + X32 + " (local.get $f)))");
    }
  }
  return out + ")";
}

bool nan(uint64_t b) { return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull); }

// Equal bits, or both NaN.
::testing::AssertionResult agree(uint64_t fused, uint64_t unfused) {
  if (fused == unfused || (nan(fused) && nan(unfused))) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << std::hex << "fused 0x" << fused << " unfused 0x" << unfused;
}

void check(bool wide) {
  Env e(module(wide ? wide_pad() : ""));
  for (const char* op : kBinops) {
    for (const char* sg : kSigns) {
      const std::string n = std::string(op) + "_" + sg;
      for (double x : kArgs) {
        for (double y : kArgs) {
          const std::vector<Value> args = {F64(x), F64(y)};
          for (const char* side : {"_l", "_r"})
            EXPECT_TRUE(agree(e.f64_bits("f_" + n + side, args), e.f64_bits("r_" + n + side, args)))
                << n << side << " x=" << x << " y=" << y << " wide=" << wide;
          EXPECT_TRUE(agree(e.f64_bits("f32_" + n, args), e.f64_bits("r32_" + n, args)))
              << "f32 " << n << " x=" << x << " y=" << y << " wide=" << wide;
        }
      }
    }
  }
}

TEST(InterpFloatSignBinop, FusedAgreesWithUnfusedNarrow) { check(false); }
TEST(InterpFloatSignBinop, FusedAgreesWithUnfusedWide) { check(true); }

TEST(InterpFloatSignBinop, LoweringPicksTheFusedHandler) {
  const std::string text = module("");
  // Functions come in sixes per (binop, sign): f_l, r_l, f_r, r_r, f32, r32.
  uint32_t f = 0;
  for (Op op : {Op::f64_add, Op::f64_sub, Op::f64_mul, Op::f64_div}) {
    for (Op sg : {Op::f64_abs, Op::f64_neg}) {
      EXPECT_EQ(handler_at_word(text, f, 0), interp::float_sign_binop_handler(op, sg, true)) << f;
      EXPECT_NE(handler_at_word(text, f + 1, 0), interp::float_sign_binop_handler(op, sg, true)) << f;
      EXPECT_EQ(handler_at_word(text, f + 2, 0), interp::float_sign_binop_handler(op, sg, false)) << f;
      f += 6;
    }
  }
  EXPECT_NE(interp::float_sign_binop_handler(Op::f64_mul, Op::f64_abs, true),
            interp::float_sign_binop_handler(Op::f64_mul, Op::f64_abs, false));
  EXPECT_EQ(interp::float_sign_binop_handler(Op::f64_mul, Op::f32_abs, true), nullptr);  // types differ
  EXPECT_EQ(interp::float_sign_binop_handler(Op::f64_min, Op::f64_abs, true), nullptr);
  const std::string wide = module(wide_pad());
  EXPECT_NE(handler_at_word(wide, 0, 0), interp::float_sign_binop_handler(Op::f64_add, Op::f64_abs, true));
}

}  // namespace
}  // namespace vivarium::engine::test
