// Integer superinstructions (engine/interp/ops_int_fused.cc) and the
// lowering shortcuts next to them (lower.cc): loads/stores at a constant
// address, i32 binop chains, copy pairs, i32.load compare-and-branch, the
// result written straight to fp[0] before a return, and no code for a
// local's zero initialization at entry. Each fused form must give what the
// unfused instructions give and trap like them (message and offset). The
// unfused reference forms go through a local (`local.tee $t`), which no
// fusion looks through; each test also checks the fused handler is used.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/binary/instr.h"
#include "engine/decoder/decoder.h"
#include "engine/interp/compiled.h"
#include "engine/interp/interp.h"
#include "engine/interp/ops.h"
#include "engine/text/wat.h"
#include "tests/unit/interp/interp_test_util.h"
#include "tests/unit/interp/lowering_test_util.h"

namespace vivarium::engine::test {
namespace {

using interp::Handler;

// The lowered defined function `func` of `text`.
CompiledFuncPtr lowered(const std::string& text, uint32_t func) {
  auto bytes = vivarium::engine::wat_to_binary(text);
  EXPECT_TRUE(bytes.ok());
  auto ir = vivarium::engine::decode(*bytes);
  EXPECT_TRUE(ir.ok());
  auto f = vivarium::engine::lower_function(**ir, func);
  EXPECT_TRUE(f.ok());
  return std::move(f).value();
}
// How many code Words name handler `h` (operand Words could collide only by
// a coincidence the tests' small slot numbers rule out).
int count_handler(const CompiledFunc& f, Handler h) {
  interp::Word w;
  EXPECT_TRUE(interp::encode_handler(h, w));
  int n = 0;
  for (uint32_t i = 0; i < f.code_words; ++i) n += f.code[i].i32 == w.i32;
  return n;
}
// Module offset of the `nth` instruction `op` in defined function `func` of `text`.
uint64_t offset_in(const std::string& text, uint32_t func, Op op) {
  auto bytes = vivarium::engine::wat_to_binary(text);
  EXPECT_TRUE(bytes.ok());
  return offset_of(*bytes, func, op);
}
std::string pad_locals(bool wide) {
  if (!wide) return "";
  std::string pad = "(local";  // 33000 v128 locals: 66000 slots, past the narrow layouts
  for (int i = 0; i < 33000; ++i) pad += " v128";
  return pad + ")";
}

// ---- loads and stores at a constant address ----
const std::string kAbs = R"((module (memory 1)
  (data (i32.const 16) "\81\82\83\84\85\86\87\88")
  (data (i32.const 65528) "\f1\f2\f3\f4\f5\f6\f7\f8")
  (func (export "loads") (result i64)
    (i64.add (i64.extend_i32_u (i32.load offset=16 (i32.const 0)))
      (i64.add (i64.load offset=1 (i32.const 15))
        (i64.add (i64.extend_i32_s (i32.load8_s (i32.const 17)))
          (i64.add (i64.extend_i32_u (i32.load16_u offset=2 (i32.const 16)))
            (i64.add (i64.load32_s (i32.const 20)) (i64.load8_u (i32.const 23))))))))
  (func (export "f64") (result f64) (f64.load (i32.const 65528)))
  (func (export "last") (result i32) (i32.load offset=65532 (i32.const 0)))
  (func (export "oob") (result i32) (i32.load offset=65533 (i32.const 0)))
  (func (export "huge") (result i32) (i32.load offset=4294967295 (i32.const 4)))
  (func (export "store") (param $v i64) (result i64)
    (i64.store16 offset=30 (i32.const 2) (local.get $v))
    (i32.store offset=40 (i32.const 0) (i32.const 0x12345678))
    (i64.add (i64.load (i32.const 32)) (i64.load (i32.const 40))))
  (func (export "store_oob") (param $v i32) (i32.store8 offset=65536 (i32.const 0) (local.get $v)))
))";

TEST(InterpIntFusion, ConstantAddress) {
  Env e(kAbs);
  const int64_t want = 0x84838281ll + int64_t(0x8887868584838281ull) + int8_t(0x82) + 0x8483 +
                       int64_t(int32_t(0x88878685)) + 0x88;
  EXPECT_EQ(e.i64("loads"), want);
  EXPECT_EQ(e.f64_bits("f64"), 0xf8f7f6f5f4f3f2f1ull);
  EXPECT_EQ(uint32_t(e.i32("last")), 0xf8f7f6f5u);
  EXPECT_EQ(e.i64("store", {I64(0x1122334455667788ll)}), 0x7788ll + 0x12345678ll);
  for (const char* name : {"oob", "huge"}) {
    Error t = e.trap(name);
    EXPECT_EQ(t.message(), "out of bounds memory access") << name;
    EXPECT_EQ(t.where().offset, offset_in(kAbs, name == std::string("oob") ? 3 : 4, Op::i32_load)) << name;
  }
  Error s = e.trap("store_oob", {I32(1)});
  EXPECT_EQ(s.message(), "out of bounds memory access");
  EXPECT_EQ(s.where().offset, offset_in(kAbs, 6, Op::i32_store8));
  EXPECT_EQ(count_handler(*lowered(kAbs, 0), interp::abs_mem_handler(Op::i64_load)), 1);
  EXPECT_EQ(count_handler(*lowered(kAbs, 5), interp::abs_mem_handler(Op::i64_store16)), 1);
  EXPECT_EQ(count_handler(*lowered(kAbs, 4), interp::abs_mem_handler(Op::i32_load)), 0);  // ea >= 2^32
}

// ---- i32 binop chains: t = x op1 y; d = t op2 b (and b op2 t) ----
const std::vector<std::string> kOp1 = {"add", "sub", "mul", "and", "or", "xor", "shl", "shr_u", "shr_s", "rotl", "rotr"};
const std::vector<std::string> kOp2 = {"add", "sub", "and", "or", "xor"};
const std::vector<std::string> kImm = {"7", "-1", "31", "33", "65280"};
// The wide module (slow to run: 66000 slots to zero per call) takes the
// first op1 only: wide slots never fuse, the narrow run covers the handlers.
size_t op1_count(bool wide) { return wide ? 1 : kOp1.size(); }

std::string chain_module(bool wide) {
  std::string s = "(module\n";
  int n = 0;
  for (size_t i1 = 0; i1 < op1_count(wide); ++i1) {
    const std::string& o1 = kOp1[i1];
    for (const auto& o2 : kOp2) {
      for (const std::string& y : [&] { auto v = kImm; v.push_back("$y"); return v; }()) {
        const std::string t = "(i32." + o1 + " (local.get $x) " + (y == "$y" ? "(local.get $y)" : "(i32.const " + y + ")") + ")";
        const std::string tr = "(local.tee $t " + t + ")";
        for (int left = 0; left < 2; ++left) {
          auto body = [&](const std::string& tv) {
            return left ? "(i32." + o2 + " " + tv + " (local.get $b))" : "(i32." + o2 + " (local.get $b) " + tv + ")";
          };
          const std::string sig = "(param $x i32) (param $y i32) (param $b i32) (result i32) (local $t i32)" + pad_locals(wide);
          s += "(func (export \"f" + std::to_string(n) + "\") " + sig + " " + body(t) + ")\n";
          s += "(func (export \"r" + std::to_string(n) + "\") " + sig + " " + body(tr) + ")\n";
          ++n;
        }
      }
    }
  }
  return s + ")";
}

void check_chains(bool wide) {
  const std::string text = chain_module(wide);
  Env e(text);
  const std::vector<int32_t> xs = {0, 1, -1, 5, 0x12345678, INT32_MIN, INT32_MAX, 31, 32, 65535};
  const int funcs = int(op1_count(wide) * kOp2.size() * (kImm.size() + 1) * 2);
  for (int f = 0; f < funcs; ++f) {
    for (int32_t x : xs) {
      for (int32_t y : {int32_t(3), int32_t(-7), int32_t(40), INT32_MIN}) {
        const int32_t b = int32_t(uint32_t(x) * 7u + 11u);
        std::vector<Value> args = {I32(x), I32(y), I32(b)};
        EXPECT_EQ(e.i32("f" + std::to_string(f), args), e.i32("r" + std::to_string(f), args))
            << "f" << f << " x=" << x << " y=" << y << " wide=" << wide;
      }
    }
  }
  // f0: (add(x, 7)) feeding add; f1 the same on the left; the references do not fuse.
  const Handler h = interp::chain_handler(Op::i32_add, Op::i32_add, true, false);
  EXPECT_EQ(count_handler(*lowered(text, 0), h), wide ? 0 : 1);
  EXPECT_EQ(count_handler(*lowered(text, 1), h), 0);
}

TEST(InterpIntFusion, ChainsEqualUnfused) { check_chains(false); }
TEST(InterpIntFusion, ChainsWideSlotsStayUnfused) { check_chains(true); }

TEST(InterpIntFusion, ChainSubSidesAndRotations) {
  const std::string text = R"((module
    (func (export "sub_l") (param $x i32) (param $b i32) (result i32) (i32.sub (i32.rotl (local.get $x) (i32.const 8)) (local.get $b)))
    (func (export "sub_r") (param $x i32) (param $b i32) (result i32) (i32.sub (local.get $b) (i32.rotl (local.get $x) (i32.const 8))))
    (func (export "sigma") (param $x i32) (result i32)
      (i32.xor (i32.xor (i32.rotr (local.get $x) (i32.const 6)) (i32.rotr (local.get $x) (i32.const 11)))
               (i32.rotr (local.get $x) (i32.const 25))))
    (func (export "maj") (param $a i32) (param $b i32) (param $c i32) (result i32)
      (i32.xor (i32.and (local.get $a) (local.get $b)) (i32.and (local.get $a) (local.get $c))))
  ))";
  Env e(text);
  EXPECT_EQ(uint32_t(e.i32("sub_l", {I32(0x12345678), I32(1)})), 0x34567812u - 1);
  EXPECT_EQ(uint32_t(e.i32("sub_r", {I32(0x12345678), I32(1)})), 1 - 0x34567812u);
  auto rotr = [](uint32_t v, int k) { return (v >> k) | (v << (32 - k)); };
  const uint32_t x = 0x6a09e667;
  EXPECT_EQ(uint32_t(e.i32("sigma", {I32(int32_t(x))})), rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25));
  EXPECT_EQ(e.i32("maj", {I32(0x0ff0), I32(0x00ff), I32(0xf00f)}), (0x0ff0 & 0x00ff) ^ (0x0ff0 & 0xf00f));
  EXPECT_EQ(count_handler(*lowered(text, 1), interp::chain_handler(Op::i32_rotl, Op::i32_sub, true, false)), 1);
  EXPECT_EQ(count_handler(*lowered(text, 2), interp::chain_handler(Op::i32_rotr, Op::i32_xor, true, false)), 2);
  EXPECT_EQ(count_handler(*lowered(text, 3), interp::chain_handler(Op::i32_and, Op::i32_xor, false, false)), 1);
}

// ---- an i32.load fused with its address add, feeding add/sub/and/or/xor ----
std::string load_chain_module() {
  std::string s = "(module (memory 1)\n(data (i32.const 0) \"\\01\\02\\03\\84\\05\\06\\07\\f8\")\n";
  int n = 0;
  for (const auto& o2 : kOp2) {
    for (const std::string& addr : {"(i32.add (local.get $a) (i32.const 2))", "(i32.add (local.get $a) (local.get $b))"}) {
      for (int left = 0; left < 2; ++left) {
        for (int ref = 0; ref < 2; ++ref) {
          std::string ld = "(i32.load offset=1 " + addr + ")";
          if (ref) ld = "(local.tee $t " + ld + ")";
          const std::string body = left ? "(i32." + o2 + " " + ld + " (local.get $x))" : "(i32." + o2 + " (local.get $x) " + ld + ")";
          s += "(func (export \"" + std::string(ref ? "r" : "f") + std::to_string(n) +
               "\") (param $a i32) (param $b i32) (param $x i32) (result i32) (local $t i32) " + body + ")\n";
        }
        ++n;
      }
    }
  }
  return s + ")";
}

TEST(InterpIntFusion, LoadFeedingBinop) {
  const std::string text = load_chain_module();
  Env e(text);
  const int funcs = int(kOp2.size() * 4);
  int traps = 0;
  for (int f = 0; f < funcs; ++f) {
    for (int32_t a : {0, 1, 2, -2, -3, 65531, 65532, 65533, INT32_MIN}) {
      for (int32_t b : {0, 1, -1, 65532}) {
        std::vector<Value> args = {I32(a), I32(b), I32(0x5a5a1234)};
        auto got = e.call("f" + std::to_string(f), args);
        auto want = e.call("r" + std::to_string(f), args);
        ASSERT_EQ(got.ok(), want.ok()) << f << " a=" << a << " b=" << b;
        if (!got.ok()) {
          EXPECT_EQ(got.error().message(), "out of bounds memory access");
          // function 2f: the fused form; the load is its only i32.load
          EXPECT_EQ(got.error().where().offset, offset_in(text, uint32_t(2 * f), Op::i32_load));
          ++traps;
          continue;
        }
        EXPECT_EQ((*got)[0].i32(), (*want)[0].i32()) << f << " a=" << a << " b=" << b;
      }
    }
  }
  EXPECT_GT(traps, 20);
  // f0: x + load(a + 2): fused; its reference is not.
  EXPECT_EQ(count_handler(*lowered(text, 0), interp::load_chain_handler(Op::i32_add, true, false)), 1);
  EXPECT_EQ(count_handler(*lowered(text, 1), interp::load_chain_handler(Op::i32_add, true, false)), 0);
  // f(sub, slot address, load on the left) is function 2 * (4 + 3) = 14.
  EXPECT_EQ(count_handler(*lowered(text, 14), interp::load_chain_handler(Op::i32_sub, false, true)), 1);
}

// ---- copy pairs: in order, never across a loop's label ----
TEST(InterpIntFusion, CopyPairsRunInOrder) {
  const std::string text = R"((module
    (func (export "rot") (param $a i32) (param $b i32) (param $c i32) (result i32) (local $t i32)
      (local.set $t (local.get $a)) (local.set $a (local.get $b)) (local.set $b (local.get $c))
      (local.set $c (local.get $t))
      (i32.add (i32.mul (local.get $a) (i32.const 100)) (i32.add (i32.mul (local.get $b) (i32.const 10)) (local.get $c))))
    (func (export "loop") (param $n i32) (result i32) (local $a i32) (local $b i32) (local $t i32)
      (local.set $a (local.get $n)) (local.set $b (local.get $n))
      (loop $l
        (local.set $t (local.get $a)) (local.set $a (local.get $b))
        (local.set $b (i32.add (local.get $t) (local.get $b)))
        (br_if $l (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (i32.const 10))))
      (local.get $a))
  ))";
  Env e(text);
  EXPECT_EQ(e.i32("rot", {I32(1), I32(2), I32(3)}), 231);
  // a, b = b, a + b from (n, n) until n reaches 10: Fibonacci numbers times n.
  EXPECT_EQ(e.i32("loop", {I32(7)}), 7 * 3);
  EXPECT_EQ(e.i32("loop", {I32(1)}), 55);
  EXPECT_EQ(count_handler(*lowered(text, 0), interp::copy_pair_handler()), 2);
  // Before the loop (a, b from n) and inside it (t, a): one pair each, none across the label.
  EXPECT_EQ(count_handler(*lowered(text, 1), interp::copy_pair_handler()), 2);
}

// ---- i32.load compared with a constant, then br_if / if ----
const std::vector<std::string> kCmps = {"eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"};

std::string load_cmp_module() {
  std::string s = "(module (memory 1)\n";
  for (const auto& c : kCmps) {
    const std::string ld = "(i32.load offset=4 (local.get $p))";
    const std::string ldt = "(local.tee $t (i32.load offset=4 (local.get $p)))";
    for (const std::string& v : {ld, ldt}) {
      s += "(func (param $p i32) (result i32) (local $t i32) (block (br_if 0 (i32." + c + " " + v +
           " (i32.const -3))) (return (i32.const 1))) (i32.const 2))\n";
      s += "(func (param $p i32) (result i32) (local $t i32) (if (result i32) (i32." + c + " " + v +
           " (i32.const 7)) (then (i32.const 3)) (else (i32.const 4))))\n";
    }
  }
  s += "(func (export \"set\") (param $p i32) (param $v i32) (i32.store offset=4 (local.get $p) (local.get $v)))\n";
  for (size_t i = 0; i < kCmps.size() * 4; ++i)
    s += "(export \"c" + std::to_string(i) + "\" (func " + std::to_string(i) + "))\n";
  return s + ")";
}

TEST(InterpIntFusion, LoadCompareBranch) {
  const std::string text = load_cmp_module();
  Env e(text);
  for (size_t c = 0; c < kCmps.size(); ++c) {
    for (int32_t v : {-4, -3, -2, 0, 6, 7, 8, INT32_MIN, INT32_MAX}) {
      ASSERT_TRUE(e.call("set", {I32(100), I32(v)}).ok());
      for (int form = 0; form < 2; ++form) {  // br_if, if
        const std::string f = "c" + std::to_string(c * 4 + form), r = "c" + std::to_string(c * 4 + 2 + form);
        EXPECT_EQ(e.i32(f, {I32(100)}), e.i32(r, {I32(100)})) << kCmps[c] << " v=" << v << " form=" << form;
      }
    }
    for (int form = 0; form < 2; ++form) {
      const uint32_t fi = uint32_t(c * 4 + form);
      Error t = e.trap("c" + std::to_string(fi), {I32(65530)});  // 65530 + 4 + 4 > 65536
      EXPECT_EQ(t.message(), "out of bounds memory access");
      EXPECT_EQ(t.where().offset, offset_in(text, fi, Op::i32_load));
    }
  }
  // br_if on i32.ne, `if` on i32.ne (branches to else on i32.eq), and not through the tee.
  EXPECT_EQ(count_handler(*lowered(text, 4), interp::load_compare_branch_handler(Op::i32_ne)), 1);
  EXPECT_EQ(count_handler(*lowered(text, 5), interp::load_compare_branch_handler(Op::i32_eq)), 1);
  EXPECT_EQ(count_handler(*lowered(text, 6), interp::load_compare_branch_handler(Op::i32_ne)), 0);
}

// ---- bit test and branch: br_if / if on (x & k) and on eqz (x & k) ----
TEST(InterpIntFusion, BitTestBranch) {
  const std::string text = R"((module
    (func (export "brif") (param $x i32) (result i32)
      (block (br_if 0 (i32.and (local.get $x) (i32.const 0x80000010))) (return (i32.const 1))) (i32.const 2))
    (func (export "brif_z") (param $x i32) (result i32)
      (block (br_if 0 (i32.eqz (i32.and (local.get $x) (i32.const 6)))) (return (i32.const 1))) (i32.const 2))
    (func (export "if") (param $x i32) (result i32)
      (if (result i32) (i32.and (local.get $x) (i32.const 6)) (then (i32.const 3)) (else (i32.const 4))))
    (func (export "if_z") (param $x i32) (result i32)
      (if (result i32) (i32.eqz (i32.and (local.get $x) (i32.const 6))) (then (i32.const 3)) (else (i32.const 4))))
    (func (export "loop") (param $x i32) (result i32) (local $n i32)
      (loop $l
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $l (i32.and (local.tee $x (i32.shr_u (local.get $x) (i32.const 1))) (i32.const 1))))
      (local.get $n))
    (func (export "loop_z") (param $x i32) (result i32) (local $n i32)
      (loop $l
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $l (i32.eqz (i32.and (local.tee $x (i32.shr_u (local.get $x) (i32.const 1))) (i32.const 1)))))
      (local.get $n))
    (func (export "tee") (param $x i32) (result i32) (local $t i32)
      (block (br_if 0 (i32.eqz (local.tee $t (i32.and (local.get $x) (i32.const 6))))) (return (local.get $t)))
      (i32.const 9))
  ))";
  Env e(text);
  for (int32_t x : {0, 1, 0x10, 0x20, INT32_MIN, -1, 2, 4, 6, 8}) {
    EXPECT_EQ(e.i32("brif", {I32(x)}), (uint32_t(x) & 0x80000010u) ? 2 : 1) << x;
    EXPECT_EQ(e.i32("brif_z", {I32(x)}), (x & 6) == 0 ? 2 : 1) << x;
    EXPECT_EQ(e.i32("if", {I32(x)}), (x & 6) ? 3 : 4) << x;
    EXPECT_EQ(e.i32("if_z", {I32(x)}), (x & 6) == 0 ? 3 : 4) << x;
    EXPECT_EQ(e.i32("tee", {I32(x)}), (x & 6) == 0 ? 9 : (x & 6)) << x;
  }
  // loop: runs while the next bit (from bit 1 up) is set; loop_z while it is clear.
  EXPECT_EQ(e.i32("loop", {I32(0b0111)}), 3);
  EXPECT_EQ(e.i32("loop_z", {I32(0b10000)}), 4);
  for (uint32_t f = 0; f < 6; ++f) {
    const bool zero = f == 1 || f == 2 || f == 5;  // if (x & k) branches to else when zero
    int uses = 0;
    for (bool z : {false, true})
      for (bool l : {false, true}) uses += count_handler(*lowered(text, f), interp::bit_test_branch_handler(z, l));
    EXPECT_EQ(uses, 1) << f;
    EXPECT_EQ(count_handler(*lowered(text, f), interp::bit_test_branch_handler(zero, f >= 4)), 1) << f;
  }
  // The tee keeps the eqz: the and's result is read again.
  EXPECT_EQ(count_handler(*lowered(text, 6), interp::bit_test_branch_handler(true, false)), 0);
}

// ---- a return's single result written to fp[0] by its producer; zeroed locals ----
TEST(InterpIntFusion, ResultWrittenInPlaceAndZeroInit) {
  const std::string text = R"((module
    (func $sub (export "sub") (param $a i32) (param $b i32) (result i32) (i32.sub (local.get $b) (local.get $a)))
    (func (export "sel") (param $a i64) (param $b i64) (param $c i32) (result i64)
      (select (local.get $b) (local.get $a) (local.get $c)))
    (func (export "early") (param $a i32) (result i32)
      (if (local.get $a) (then (return (i32.mul (local.get $a) (local.get $a)))))
      (i32.const 5))
    (func (export "count") (param $n i32) (result i32) (local $s i32) (local $z i32)
      (local.set $s (i32.const 0))
      (loop $l
        (local.set $s (i32.add (local.get $s) (i32.add (local.get $z) (local.get $n))))
        (local.set $z (i32.const 1))
        (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1)))))
      (local.get $s))
    (func (export "param") (param $p i32) (result i32) (local.set $p (i32.const 0)) (local.get $p))
    (func (export "calls") (result i32) (i32.add (call $sub (i32.const 1) (i32.const 10)) (call $sub (i32.const 3) (i32.const 4))))
  ))";
  Env e(text);
  EXPECT_EQ(e.i32("sub", {I32(3), I32(10)}), 7);
  EXPECT_EQ(e.i64("sel", {I64(1), I64(2), I32(1)}), 2);
  EXPECT_EQ(e.i64("sel", {I64(1), I64(2), I32(0)}), 1);
  EXPECT_EQ(e.i32("early", {I32(6)}), 36);
  EXPECT_EQ(e.i32("early", {I32(0)}), 5);
  // s = 3 + (1 + 2) + (1 + 1): z starts at 0 on every call.
  EXPECT_EQ(e.i32("count", {I32(3)}), 8);
  EXPECT_EQ(e.i32("count", {I32(3)}), 8);
  EXPECT_EQ(e.i32("param", {I32(9)}), 0);
  EXPECT_EQ(e.i32("calls"), 10);
  // `sub` is the subtraction and the return: no copy.
  auto f = lowered(text, 0);
  EXPECT_EQ(f->code_words, 4u);
}

}  // namespace
}  // namespace vivarium::engine::test
