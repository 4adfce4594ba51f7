// Float superinstructions (engine/interp/ops_float_fused.cc, ops_fused.cc):
// f32/f64 add/sub/mul/div with a constant or a just-loaded operand, a
// multiply feeding an add/sub, and float compare-and-branch. Each fused form
// must give the bits the unfused instructions give (NaN, -0, inf,
// subnormals), never an fma, trap like the load it absorbed, and work in the
// wide layouts too. The unfused reference forms go through a local
// (`local.set $t` then `local.get $t`), which no fusion looks through.
#pragma clang fp contract(off)
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "engine/binary/instr.h"
#include "engine/decoder/decoder.h"
#include "engine/interp/compiled.h"
#include "engine/interp/interp.h"
#include "engine/interp/ops.h"
#include "engine/text/wat.h"
#include "tests/unit/interp/interp_test_util.h"

namespace vivarium::engine::test {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
const std::vector<double> kEdges = {0.0, -0.0, 1.0, -1.5, 3.0, 1e308, -1e308, 5e-324, -2.5e-320,
                                    kInf, -kInf, kNaN, -kNaN, std::bit_cast<double>(0x7ff4000000000001ull),
                                    std::bit_cast<double>(0xfff8000000000123ull), 0.1, 1.0 + 0x1p-30};

// Functions: f_<op>_<form> and r_<op>_<form> (reference, unfused). Locals
// start at `base` so the same bodies can sit behind 66000 slots (wide).
std::string funcs(const std::string& prefix, const std::string& pad) {
  std::string s;
  auto fn = [&](const std::string& name, const std::string& params, const std::string& result,
                const std::string& body) {
    s += "(func (export \"" + prefix + name + "\") " + params + " (result " + result + ") " + pad +
         " (local $t f64) (local $u f32) (local $n i32) (local $v f32) (local $w f32)\n" + body + ")\n";
  };
  const char* ops[] = {"add", "sub", "mul", "div"};
  const char* consts[] = {"-0x0p+0", "1.5", "inf", "nan:0x4000000000001", "0x1p-1060"};
  for (const char* op : ops) {
    const std::string o = op;
    for (int k = 0; k < 5; ++k) {
      const std::string ks = std::to_string(k), c = consts[k];
      // constant on the right and on the left
      fn("f_" + o + "_kr" + ks, "(param $x f64) (param $y f64)", "f64",
         "(f64." + o + " (local.get $x) (f64.const " + c + "))");
      fn("r_" + o + "_kr" + ks, "(param $x f64) (param $y f64)", "f64",
         "(local.set $t (f64.const " + c + ")) (f64." + o + " (local.get $x) (local.get $t))");
      fn("f_" + o + "_kl" + ks, "(param $x f64) (param $y f64)", "f64",
         "(f64." + o + " (f64.const " + c + ") (local.get $x))");
      fn("r_" + o + "_kl" + ks, "(param $x f64) (param $y f64)", "f64",
         "(local.set $t (f64.const " + c + ")) (f64." + o + " (local.get $t) (local.get $x))");
    }
    // f32 with a constant (the value is the f64 argument demoted)
    fn("f_" + o + "_k32", "(param $x f64) (param $y f64)", "f32",
       "(f32." + o + " (f32.demote_f64 (local.get $x)) (f32.const -0x1.8p-130))");
    fn("r_" + o + "_k32", "(param $x f64) (param $y f64)", "f32",
       "(local.set $u (f32.const -0x1.8p-130)) (f32." + o + " (f32.demote_f64 (local.get $x)) (local.get $u))");
    // a loaded operand, right and left; y is stored at 8 first
    const std::string st = "(f64.store offset=8 (i32.const 0) (local.get $y)) (local.set $n (i32.const 0))\n";
    fn("f_" + o + "_lr", "(param $x f64) (param $y f64)", "f64",
       st + "(f64." + o + " (local.get $x) (f64.load offset=8 (local.get $n)))");
    fn("r_" + o + "_lr", "(param $x f64) (param $y f64)", "f64",
       st + "(local.set $t (f64.load offset=8 (local.get $n))) (f64." + o + " (local.get $x) (local.get $t))");
    fn("f_" + o + "_ll", "(param $x f64) (param $y f64)", "f64",
       st + "(f64." + o + " (f64.load offset=8 (local.get $n)) (local.get $x))");
    fn("r_" + o + "_ll", "(param $x f64) (param $y f64)", "f64",
       st + "(local.set $t (f64.load offset=8 (local.get $n))) (f64." + o + " (local.get $t) (local.get $x))");
    const std::string st32 = "(f32.store offset=4 (i32.const 0) (f32.demote_f64 (local.get $y))) (local.set $n (i32.const 0))\n";
    fn("f_" + o + "_l32", "(param $x f64) (param $y f64)", "f32",
       st32 + "(local.set $v (f32.demote_f64 (local.get $x))) (f32." + o + " (f32.load offset=4 (local.get $n)) (local.get $v))");
    fn("r_" + o + "_l32", "(param $x f64) (param $y f64)", "f32",
       st32 + "(local.set $v (f32.demote_f64 (local.get $x))) (local.set $u (f32.load offset=4 (local.get $n))) (f32." + o + " (local.get $u) (local.get $v))");
    fn("f_" + o + "_r32", "(param $x f64) (param $y f64)", "f32",
       st32 + "(f32." + o + " (f32.demote_f64 (local.get $x)) (f32.load offset=4 (local.get $n)))");
    fn("r_" + o + "_r32", "(param $x f64) (param $y f64)", "f32",
       st32 + "(local.set $v (f32.demote_f64 (local.get $x))) (local.set $u (f32.load offset=4 (local.get $n))) (f32." + o + " (local.get $v) (local.get $u))");
  }
  // read-modify-write: the binop+load's result stored back (same address and
  // offset), and a store elsewhere (not fused: another offset)
  for (const char* op : ops) {
    const std::string o = op;
    const std::string st = "(f64.store offset=8 (i32.const 0) (local.get $y)) (local.set $n (i32.const 0))\n";
    const std::string back = " (f64.load offset=8 (local.get $n))";
    fn("f_" + o + "_rmwr", "(param $x f64) (param $y f64)", "f64",
       st + "(f64.store offset=8 (local.get $n) (f64." + o + " (local.get $x) (f64.load offset=8 (local.get $n))))" + back);
    fn("r_" + o + "_rmwr", "(param $x f64) (param $y f64)", "f64",
       st + "(local.set $t (f64.load offset=8 (local.get $n))) (local.set $t (f64." + o +
           " (local.get $x) (local.get $t))) (f64.store offset=8 (local.get $n) (local.get $t))" + back);
    fn("f_" + o + "_rmwl", "(param $x f64) (param $y f64)", "f64",
       st + "(f64.store offset=8 (local.get $n) (f64." + o + " (f64.load offset=8 (local.get $n)) (local.get $x)))" + back);
    fn("r_" + o + "_rmwl", "(param $x f64) (param $y f64)", "f64",
       st + "(local.set $t (f64.load offset=8 (local.get $n))) (local.set $t (f64." + o +
           " (local.get $t) (local.get $x))) (f64.store offset=8 (local.get $n) (local.get $t))" + back);
    const std::string st16 = "(f64.store offset=16 (i32.const 0) (f64.const 7))";
    fn("f_" + o + "_rmwo", "(param $x f64) (param $y f64)", "f64",
       st + st16 + "(f64.store offset=16 (local.get $n) (f64." + o + " (f64.load offset=8 (local.get $n)) (local.get $x)))"
            " (f64.load offset=16 (local.get $n))");
    fn("r_" + o + "_rmwo", "(param $x f64) (param $y f64)", "f64",
       st + st16 + "(local.set $t (f64.load offset=8 (local.get $n))) (local.set $t (f64." + o +
           " (local.get $t) (local.get $x))) (f64.store offset=16 (local.get $n) (local.get $t))"
           " (f64.load offset=16 (local.get $n))");
    const std::string st32 = "(f32.store offset=4 (i32.const 0) (f32.demote_f64 (local.get $y))) (local.set $n (i32.const 0))"
                             " (local.set $v (f32.demote_f64 (local.get $x)))\n";
    fn("f_" + o + "_rmw32", "(param $x f64) (param $y f64)", "f32",
       st32 + "(f32.store offset=4 (local.get $n) (f32." + o + " (f32.load offset=4 (local.get $n)) (local.get $v)))"
              " (f32.load offset=4 (local.get $n))");
    fn("r_" + o + "_rmw32", "(param $x f64) (param $y f64)", "f32",
       st32 + "(local.set $u (f32.load offset=4 (local.get $n))) (local.set $u (f32." + o +
              " (local.get $u) (local.get $v))) (f32.store offset=4 (local.get $n) (local.get $u))"
              " (f32.load offset=4 (local.get $n))");
  }
  // a*b feeding add/sub, the product on either side; c = x + y computed first
  // into a temporary for the "c op t" orders.
  const char* adds[] = {"add", "sub"};
  for (const char* op : adds) {
    const std::string o = op;
    for (const char* ty : {"f64", "f32"}) {
      const std::string t = ty, sfx = t == "f64" ? "" : "32";
      const std::string pre = t == "f64" ? "" : "(local.set $v (f32.demote_f64 (local.get $x))) (local.set $u (f32.demote_f64 (local.get $y)))\n";
      auto v = [&](const std::string& x) { return t == "f64" ? x : x == "(local.get $x)" ? "(local.get $v)" : "(local.get $u)"; };
      const std::string tl = t == "f64" ? "$t" : "$w";
      fn("f_ma_" + o + "_r" + sfx, "(param $x f64) (param $y f64)", t,
         pre + "(" + t + "." + o + " (" + t + ".mul " + v("(local.get $x)") + " " + v("(local.get $y)") + ") " + v("(local.get $x)") + ")");
      fn("r_ma_" + o + "_r" + sfx, "(param $x f64) (param $y f64)", t,
         pre + "(local.set " + tl + " (" + t + ".mul " + v("(local.get $x)") + " " + v("(local.get $y)") + ")) (" + t + "." + o +
             " (local.get " + tl + ") " + v("(local.get $x)") + ")");
      fn("f_ma_" + o + "_l" + sfx, "(param $x f64) (param $y f64)", t,
         pre + "(" + t + "." + o + " " + v("(local.get $y)") + " (" + t + ".mul " + v("(local.get $x)") + " " + v("(local.get $x)") + "))");
      fn("r_ma_" + o + "_l" + sfx, "(param $x f64) (param $y f64)", t,
         pre + "(local.set " + tl + " (" + t + ".mul " + v("(local.get $x)") + " " + v("(local.get $x)") + ")) (" + t + "." + o + " " +
             v("(local.get $y)") + " (local.get " + tl + "))");
    }
  }
  // compare-and-branch: `if`, forward br_if, and a loop back-edge
  const char* cmps[] = {"eq", "ne", "lt", "gt", "le", "ge"};
  for (const char* cmp : cmps) {
    const std::string c = cmp;
    for (const char* ty : {"f64", "f32"}) {
      const std::string t = ty, sfx = t == "f64" ? "" : "32";
      auto v = [&](const std::string& x) { return t == "f64" ? x : "(f32.demote_f64 " + x + ")"; };
      fn("f_if_" + c + sfx, "(param $x f64) (param $y f64)", "f64",
         "(if (result f64) (" + t + "." + c + " " + v("(local.get $x)") + " " + v("(local.get $y)") +
             ") (then (f64.const 1)) (else (f64.const 2)))");
      fn("r_if_" + c + sfx, "(param $x f64) (param $y f64)", "f64",
         "(local.set $n (" + t + "." + c + " " + v("(local.get $x)") + " " + v("(local.get $y)") +
             ")) (if (result f64) (local.get $n) (then (f64.const 1)) (else (f64.const 2)))");
      fn("f_br_" + c + sfx, "(param $x f64) (param $y f64)", "f64",
         "(block (br_if 0 (" + t + "." + c + " " + v("(local.get $x)") + " " + v("(local.get $y)") +
             ")) (return (f64.const 2))) (f64.const 1)");
      fn("r_br_" + c + sfx, "(param $x f64) (param $y f64)", "f64",
         "(local.set $n (" + t + "." + c + " " + v("(local.get $x)") + " " + v("(local.get $y)") +
             ")) (block (br_if 0 (local.get $n)) (return (f64.const 2))) (f64.const 1)");
      // loop: runs while (x OP y) with x += 1, at most 3 times
      fn("f_loop_" + c + sfx, "(param $x f64) (param $y f64)", "f64",
         "(local.set $t (f64.const 0)) (loop $l (local.set $t (f64.add (local.get $t) (f64.const 1)))"
         " (local.set $x (f64.add (local.get $x) (f64.const 1)))"
         " (br_if 1 (f64.ge (local.get $t) (f64.const 3)))"
         " (br_if $l (" + t + "." + c + " " + v("(local.get $x)") + " " + v("(local.get $y)") + "))) (local.get $t)");
      fn("r_loop_" + c + sfx, "(param $x f64) (param $y f64)", "f64",
         "(local.set $t (f64.const 0)) (loop $l (local.set $t (f64.add (local.get $t) (f64.const 1)))"
         " (local.set $x (f64.add (local.get $x) (f64.const 1)))"
         " (local.set $n (f64.ge (local.get $t) (f64.const 3))) (br_if 1 (local.get $n))"
         " (local.set $n (" + t + "." + c + " " + v("(local.get $x)") + " " + v("(local.get $y)") + ")) (br_if $l (local.get $n))) (local.get $t)");
    }
  }
  // comparisons with a constant (either side): as a value, under `if`, br_if
  // and a loop back-edge br_if
  const char* kc[] = {"-0x0p+0", "-1.5", "nan", "0x1p-1060"};
  for (const char* cmp : cmps) {
    const std::string c = cmp;
    for (const char* ty : {"f64", "f32"}) {
      const std::string t = ty;
      for (int k = 0; k < 4; ++k) {
        const std::string kv = t == "f32" && k == 3 ? "0x1p-140" : kc[k];
        const std::string sfx = (t == "f64" ? "" : "32") + std::string("_") + std::to_string(k);
        const std::string x = t == "f64" ? "(local.get $x)" : "(f32.demote_f64 (local.get $x))";
        const std::string tk = t == "f64" ? "$t" : "$u";
        const std::string setk = "(local.set " + tk + " (" + t + ".const " + kv + "))\n";
        const std::string kr = "(" + t + ".const " + kv + ")";
        for (int left = 0; left < 2; ++left) {
          const std::string fe = left ? "(" + t + "." + c + " " + kr + " " + x + ")" : "(" + t + "." + c + " " + x + " " + kr + ")";
          const std::string re = left ? "(" + t + "." + c + " (local.get " + tk + ") " + x + ")"
                                      : "(" + t + "." + c + " " + x + " (local.get " + tk + "))";
          const std::string nm = c + sfx + (left ? "l" : "r");
          fn("f_kv_" + nm, "(param $x f64) (param $y f64)", "f64", "(f64.convert_i32_u " + fe + ")");
          fn("r_kv_" + nm, "(param $x f64) (param $y f64)", "f64", setk + "(f64.convert_i32_u " + re + ")");
          fn("f_kif_" + nm, "(param $x f64) (param $y f64)", "f64",
             "(if (result f64) " + fe + " (then (f64.const 1)) (else (f64.const 2)))");
          fn("r_kif_" + nm, "(param $x f64) (param $y f64)", "f64",
             setk + "(if (result f64) " + re + " (then (f64.const 1)) (else (f64.const 2)))");
          fn("f_kbr_" + nm, "(param $x f64) (param $y f64)", "f64",
             "(block (br_if 0 " + fe + ") (return (f64.const 2))) (f64.const 1)");
          fn("r_kbr_" + nm, "(param $x f64) (param $y f64)", "f64",
             setk + "(block (br_if 0 " + re + ") (return (f64.const 2))) (f64.const 1)");
        }
        // back-edge: count iterations while (x OP k), x += y, at most 3
        auto loop = [&](const std::string& e, const std::string& pre) {
          return pre + "(local.set $n (i32.const 0)) (block (loop $l (local.set $n (i32.add (local.get $n) (i32.const 1)))"
                 " (br_if 1 (i32.ge_u (local.get $n) (i32.const 3))) (local.set $x (f64.add (local.get $x) (local.get $y)))"
                 " (br_if $l " + e + "))) (f64.convert_i32_u (local.get $n))";
        };
        fn("f_kloop_" + c + sfx, "(param $x f64) (param $y f64)", "f64",
           loop("(" + t + "." + c + " " + x + " " + kr + ")", ""));
        fn("r_kloop_" + c + sfx, "(param $x f64) (param $y f64)", "f64",
           loop("(" + t + "." + c + " " + x + " (local.get " + tk + "))", setk));
      }
    }
  }
  return s;
}

// Wraps the loop functions' `br_if 1` in a block so the label exists.
std::string fix_loops(std::string s) {
  std::string out;
  size_t i = 0;
  for (;;) {
    const size_t j = s.find("(local.set $t (f64.const 0)) (loop", i);
    if (j == std::string::npos) break;
    const size_t e = s.find("(local.get $t)", s.find("(br_if $l", j));
    out += s.substr(i, j - i) + "(local.set $t (f64.const 0)) (block " + s.substr(j + 29, e - (j + 29)) + ") ";
    i = e;
  }
  return out + s.substr(i);
}

std::string module_text(bool with_wide) {
  std::string m = "(module (memory 1)\n" + fix_loops(funcs("n_", ""));
  if (with_wide) {
    std::string pad = "(local";
    for (int i = 0; i < 33000; ++i) pad += " v128";
    m += fix_loops(funcs("w_", pad + ")"));
  }
  return m + ")";
}

std::vector<std::string> names() {
  std::vector<std::string> r;
  const std::string text = module_text(false);
  for (size_t i = text.find("(export \"n_f_"); i != std::string::npos; i = text.find("(export \"n_f_", i + 1)) {
    const size_t b = i + 11, e = text.find('"', b);
    r.push_back(text.substr(b + 2, e - b - 2));  // after "f_"
  }
  return r;
}

uint64_t bits(const Value& v) {
  return v.type() == vivarium::ValType::F32 ? v.f32_bits() : v.f64_bits();
}
// Results compare bit for bit, except that where the unfused form yields a
// NaN the fused one may yield another arithmetic (quiet) NaN: which operand's
// payload an add/mul of two NaNs keeps is not fixed by wasm (nor by C++,
// which may commute the operands), but the quiet bit must be set.
uint64_t canon(const Value& v) {
  const uint64_t b = bits(v);
  if (v.type() == vivarium::ValType::F32) {
    const bool nan = (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu);
    return nan ? ((b & 0x400000u) ? 0x7fc00000u : 1u) : b;
  }
  const bool nan = (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull);
  return nan ? ((b & 0x8000000000000ull) ? 0x7ff8000000000000ull : 1u) : b;
}

TEST(InterpFloatFusion, FusedAgreesWithUnfusedOnEdgeValues) {
  Env e(module_text(true));
  const auto ns = names();
  ASSERT_GE(ns.size(), 100u);
  for (const std::string& n : ns) {
    for (size_t i = 0; i < kEdges.size(); ++i) {
      for (size_t j = 0; j < kEdges.size(); ++j) {
        const double x = kEdges[i], y = kEdges[j];
        const Value want = e.one("n_r_" + n, {F64(x), F64(y)});
        EXPECT_EQ(canon(e.one("n_f_" + n, {F64(x), F64(y)})), canon(want)) << n << " x=" << x << " y=" << y;
        // The wide frames are big to enter: a sample of the pairs.
        if ((i * kEdges.size() + j) % 23 == 0) {
          EXPECT_EQ(canon(e.one("w_f_" + n, {F64(x), F64(y)})), canon(want)) << "wide " << n << " x=" << x << " y=" << y;
        }
      }
    }
  }
}

double model_ma(double a, double b, double c) {
  const double t = a * b;  // contraction is off in this file
  return t + c;
}

TEST(InterpFloatFusion, MulAddRoundsTwiceNeverFma) {
  Env e(R"((module
    (func (export "ma") (param f64 f64 f64) (result f64)
      (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
    (func (export "ma_l") (param f64 f64 f64) (result f64)
      (f64.add (local.get 2) (f64.mul (local.get 0) (local.get 1))))
    (func (export "ms") (param f64 f64 f64) (result f64)
      (f64.sub (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
    (func (export "ma32") (param f32 f32 f32) (result f32)
      (f32.add (f32.mul (local.get 0) (local.get 1)) (local.get 2)))))");
  const double a = 1.0 + 0x1p-30, c = -(1.0 + 0x1p-29);
  ASSERT_NE(std::fma(a, a, c), 0.0);  // an fma would keep the 2^-60
  EXPECT_EQ(model_ma(a, a, c), 0.0);
  EXPECT_EQ(e.f64_bits("ma", {F64(a), F64(a), F64(c)}), 0u);
  EXPECT_EQ(e.f64_bits("ma_l", {F64(a), F64(a), F64(c)}), 0u);
  EXPECT_EQ(e.f64_bits("ms", {F64(a), F64(a), F64(-c)}), 0u);
  const float af = 1.0f + 0x1p-12f, cf = -(1.0f + 0x1p-11f);
  ASSERT_NE(std::fma(af, af, cf), 0.0f);
  EXPECT_EQ(e.f32_bits("ma32", {F32(af), F32(af), F32(cf)}), 0u);
}

TEST(InterpFloatFusion, FusedLoadTrapsAtTheLoad) {
  const std::string text = R"((module (memory 1)
    (func (export "l") (param i32 f64) (result f64)
      (f64.mul (local.get 1) (f64.load offset=16 (local.get 0))))
    (func (export "l32") (param i32 f32) (result f32)
      (f32.sub (f32.load offset=2 (local.get 0)) (local.get 1)))
    (func (export "rmw") (param i32 f64) (result f64)
      (f64.store (local.get 0) (f64.add (local.get 1) (f64.load (local.get 0))))
      (f64.load (local.get 0)))))";
  auto bytes = vivarium::engine::wat_to_binary(text);
  ASSERT_TRUE(bytes.ok());
  auto ir = vivarium::engine::decode(*bytes);
  ASSERT_TRUE(ir.ok());
  auto offset_of = [&](uint32_t func, Op op) -> uint64_t {
    const auto& body = (*ir)->funcs[func].body;
    InstrReader r((*ir)->span(body), body.begin);
    Instr in;
    while (!r.at_end()) {
      EXPECT_TRUE(r.next(in).ok());
      if (in.op == op) return in.offset;
    }
    return 0;
  };
  Env e(text);
  EXPECT_EQ(e.f64_bits("l", {I32(65536 - 24), F64(2.0)}), std::bit_cast<uint64_t>(0.0));
  Error t = e.trap("l", {I32(65536 - 23), F64(2.0)});
  EXPECT_EQ(t.code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(t.where().offset, offset_of(0, Op::f64_load));
  // read-modify-write: traps at the load, memory untouched
  Error tr = e.trap("rmw", {I32(65536 - 7), F64(2.0)});
  EXPECT_EQ(tr.code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(tr.where().offset, offset_of(2, Op::f64_load));
  EXPECT_EQ(e.f64_bits("rmw", {I32(65536 - 8), F64(2.5)}), std::bit_cast<uint64_t>(2.5));
  EXPECT_EQ(e.f64_bits("rmw", {I32(65536 - 8), F64(2.5)}), std::bit_cast<uint64_t>(5.0));
  Error t32 = e.trap("l32", {I32(-1), F32(1.0f)});  // 0xffffffff + 2 does not wrap
  EXPECT_EQ(t32.code(), ErrorCode::MemoryOutOfBounds);
  EXPECT_EQ(t32.where().offset, offset_of(1, Op::f32_load));
}

// The lowering does pick the fused forms (each function's first instruction).
TEST(InterpFloatFusion, LoweringPicksTheFusedHandlers) {
  const std::string text = R"((module (memory 1)
    (func (param $p i32) (param $x f64) (result f64)
      (f64.sub (local.get $x) (f64.load offset=8 (local.get $p))))
    (func (param $p i32) (param $x f64) (result f64)
      (f64.div (f64.load (local.get $p)) (local.get $x)))
    (func (param $p i32) (param $x f64) (result f64)
      (f64.add (f64.mul (local.get $x) (local.get $x)) (local.get $x)))
    (func (param $p i32) (param $x f64) (result f64)
      (f64.sub (f64.const 1) (local.get $x)))
    (func (param $p i32) (param $x f64) (result f64)
      (if (result f64) (f64.lt (local.get $x) (local.get $x)) (then (f64.const 1)) (else (f64.const 2))))
    (func (param $p i32) (param $x f64) (result f64)
      (if (result f64) (f64.lt (f64.const -2) (local.get $x)) (then (f64.const 1)) (else (f64.const 2))))
    (func (param $p i32) (param $x f64) (result f64)
      (f64.store offset=8 (local.get $p) (f64.sub (f64.load offset=8 (local.get $p)) (local.get $x))) (local.get $x))))";
  auto bytes = vivarium::engine::wat_to_binary(text);
  ASSERT_TRUE(bytes.ok());
  auto ir = vivarium::engine::decode(*bytes);
  ASSERT_TRUE(ir.ok());
  const interp::Handler want[] = {
      interp::float_binop_load_handler(Op::f64_sub, false, true),
      interp::float_binop_load_handler(Op::f64_div, true, true),
      interp::float_mul_add_handler(Op::f64_mul, Op::f64_add, 0, true),
      interp::float_binop_imm_handler(Op::f64_sub, true, true),
      interp::fused_compare_branch_not(Op::f64_lt),
      interp::float_compare_imm_handler(Op::f64_gt, 3, false),  // -2 < x mirrored
      interp::float_binop_rmw_handler(Op::f64_sub, true, true),
  };
  for (uint32_t i = 0; i < 7; ++i) {
    auto cf = vivarium::engine::lower_function(**ir, i);
    ASSERT_TRUE(cf.ok()) << i;
    ASSERT_NE(want[i], nullptr) << i;
    EXPECT_EQ(interp::handler_at((*cf)->code.get()), want[i]) << "function " << i;
  }
}

}  // namespace
}  // namespace vivarium::engine::test
