// An f32/f64 add/sub feeding an add/sub (engine/interp/ops_float_fused.cc,
// h_fadd_chain): `(a - b) + c` in one dispatch. Every combination, with the
// first result on either side, must give the unfused bits (two roundings,
// NaN, -0, inf), and frames past slot 65535 keep the unfused form. The
// reference goes through a local, which no fusion looks through.
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "engine/interp/compiled.h"
#include "engine/interp/interp.h"
#include "engine/interp/ops.h"
#include "engine/text/wat.h"
#include "tests/unit/interp/interp_test_util.h"
#include "tests/unit/interp/lowering_test_util.h"

namespace vivarium::engine::test {
namespace {

const double kInf = std::numeric_limits<double>::infinity();
const std::vector<double> kVals = {0.0, -0.0, 1.0, -1.5, 1e308, -1e308, 5e-324, kInf, -kInf,
                                   std::numeric_limits<double>::quiet_NaN(), 0.1, 1.0 + 0x1p-52, 0x1p53};

std::vector<std::string> names;

std::string funcs(const std::string& pad) {
  std::string s;
  names.clear();
  for (const char* t : {"f64", "f32"}) {
    const std::string T = t, cv = T == "f64" ? "" : "(f32.demote_f64 ";
    auto arg = [&](const char* n) { return T == "f64" ? std::string("(local.get $") + n + ")" : cv + "(local.get $" + n + "))"; };
    for (const char* o1 : {"add", "sub"}) {
      for (const char* o2 : {"add", "sub"}) {
        for (int k = 0; k < 2; ++k) {
          const std::string inner = "(" + T + "." + o1 + " " + arg("a") + " " + arg("b") + ")";
          const std::string tl = "(local.get $" + T + ")";
          const std::string e = k == 0 ? inner + " " + arg("c") : arg("c") + " " + inner;
          const std::string r = k == 0 ? tl + " " + arg("c") : arg("c") + " " + tl;
          const std::string name = T + o1 + o2 + std::to_string(k);
          const std::string head = "(func (export \"";
          const std::string sig = "\") (param $a f64) (param $b f64) (param $c f64) (result f64) " + pad +
                                  " (local $f64 f64) (local $f32 f32)\n";
          auto ret = [&](const std::string& v) { return T == "f64" ? v : "(f64.promote_f32 " + v + ")"; };
          s += head + "f_" + name + sig + ret("(" + T + "." + o2 + " " + e + ")") + ")\n";
          s += head + "r_" + name + sig + "(local.set $" + T + " " + inner + ") " + ret("(" + T + "." + o2 + " " + r + ")") +
               ")\n";
          names.push_back(name);
        }
      }
    }
  }
  return s;
}

uint64_t canon(uint64_t b) {  // a NaN may be another quiet NaN (see float_fusion_test)
  const bool nan = (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull);
  return nan ? 0x7ff8000000000000ull : b;
}

void check(bool wide) {
  Env e("(module " + funcs(wide ? wide_pad() : "") + ")");
  ASSERT_EQ(names.size(), 16u);
  size_t n = 0;
  for (const std::string& name : names) {
    for (double a : kVals) {
      for (double b : kVals) {
        for (double c : kVals) {
          if (wide && ++n % 13) continue;  // a sample: wide frames are big to enter
          const std::vector<Value> args = {F64(a), F64(b), F64(c)};
          EXPECT_EQ(canon(e.one("f_" + name, args).f64_bits()), canon(e.one("r_" + name, args).f64_bits()))
              << name << " a=" << a << " b=" << b << " c=" << c;
        }
      }
    }
  }
}

TEST(InterpFloatChain, FusedAgreesWithUnfusedNarrow) { check(false); }
TEST(InterpFloatChain, FusedAgreesWithUnfusedWide) { check(true); }

TEST(InterpFloatChain, RoundsTwiceAndLowersToOneInstruction) {
  constexpr std::string_view text = R"((module
    (func (export "c") (param f64 f64 f64) (result f64)
      (f64.add (f64.sub (local.get 0) (local.get 1)) (local.get 2)))))";
  Env e(text);
  // (2^53 - (-1)) rounds to 2^53, then + (-1): 2^53 - 1, not the exact 2^53.
  EXPECT_EQ(e.f64_bits("c", {F64(0x1p53), F64(-1.0), F64(-1.0)}), std::bit_cast<uint64_t>(0x1p53 - 1));
  EXPECT_EQ(handler_at_word(text, 0), interp::float_add_chain_handler(Op::f64_sub, Op::f64_add, 0));
}

}  // namespace
}  // namespace vivarium::engine::test
