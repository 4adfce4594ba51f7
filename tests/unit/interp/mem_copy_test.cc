// Memory-to-memory copy superinstruction (engine/interp/ops_mem_copy.cc): a
// load whose value a store of the same width writes at once, with or without
// the i32.add of a constant computing the store address just before the
// load, is one instruction. It must write what the load + store write (any
// extension, NaN bits kept, overlapping ranges, 32-bit wrap of both address
// adds), trap at the load when the load is out of bounds (even if the store
// is too) and at the store when only the store is, writing nothing, and
// frames past slot 65535 keep the unfused form.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/interp/compiled.h"
#include "engine/interp/fused_mem.h"
#include "engine/interp/interp.h"
#include "engine/text/wat.h"
#include "tests/unit/interp/interp_test_util.h"
#include "tests/unit/interp/lowering_test_util.h"

namespace vivarium::engine::test {
namespace {

struct Case {
  std::string name, load, store;
};
// f_*: fused; r_*: the same through a local $t (unfused). Both return a
// hash of the memory the copies can reach, after the copy.
std::string funcs(const std::string& pad) {
  const Case cases[] = {
      {"b8u", "i32.load8_u", "i32.store8"},    {"b8s", "i32.load8_s", "i32.store8"},
      {"h16", "i32.load16_s", "i32.store16"},  {"w32", "i32.load", "i32.store"},
      {"l32", "i64.load32_u", "i64.store32"},  {"q64", "i64.load", "i64.store"},
      {"f32", "f32.load", "f32.store"},        {"f64", "f64.load", "f64.store"},
      {"q8", "i64.load8_s", "i64.store8"},     {"q16", "i64.load16_u", "i64.store16"},
  };
  const std::string sig = " (param $d i32) (param $s i32) (result i64) " + pad + " (local $t i64) (local $u f64)";
  // a hash of the bytes the copies can reach
  std::string rd = "(i64.load (i32.const 0))";
  for (int a : {8, 16, 24, 32, 40, 48, 65528})
    rd = "(i64.add (i64.mul " + rd + " (i64.const 31)) (i64.load (i32.const " + std::to_string(a) + ")))";
  rd = " " + rd;
  std::string out;
  for (const Case& c : cases) {
    const bool i32v = c.load.rfind("i32", 0) == 0, f32v = c.load[1] == '3' && c.load[0] == 'f';
    const bool f64v = c.load.rfind("f64", 0) == 0;
    // the reference keeps the value in a local of its type
    const std::string tl = f64v ? "$u" : "$t";
    auto keep = [&](const std::string& ld) {
      if (i32v) return "(local.set $t (i64.extend_i32_u " + ld + "))";
      if (f32v) return "(local.set $t (i64.extend_i32_u (i32.reinterpret_f32 " + ld + ")))";
      return "(local.set " + tl + " " + ld + ")";
    };
    const std::string back = i32v ? "(i32.wrap_i64 (local.get $t))"
                             : f32v ? "(f32.reinterpret_i32 (i32.wrap_i64 (local.get $t)))"
                                    : "(local.get " + tl + ")";
    auto both = [&](const std::string& n, const std::string& saddr, const std::string& laddr) {
      out += "(func (export \"f_" + c.name + n + "\")" + sig + " (" + c.store + " offset=1 " + saddr + " (" +
             c.load + " offset=2 " + laddr + "))" + rd + ")\n";
      out += "(func (export \"r_" + c.name + n + "\")" + sig + " " + keep("(" + c.load + " offset=2 " + laddr + ")") +
             " (" + c.store + " offset=1 " + saddr + " " + back + ")" + rd + ")\n";
    };
    both("", "(local.get $d)", "(local.get $s)");
    both("_ka", "(i32.add (local.get $d) (i32.const -3))", "(i32.add (local.get $s) (i32.const 5))");
    both("_kl", "(local.get $d)", "(i32.add (local.get $s) (i32.const -1))");
  }
  return out;
}

std::string module_text(bool wide) {
  const std::string pad = wide ? wide_pad() : "";
  return "(module (memory 1)\n"
         "(data (i32.const 0) \"\\01\\82\\03\\84\\05\\86\\07\\88\\09\\8a\\0b\\8c\\0d\\8e\\0f\\90\\11\\a2\\13\\94\")\n"
         // a signalling f32 NaN at 32 and an f64 one at 40: bits must survive the copy
         "(data (i32.const 32) \"\\01\\00\\a0\\7f\\00\\00\\00\\00\\01\\00\\00\\00\\00\\00\\f4\\7f\")\n"
         "(data (i32.const 65528) \"\\f1\\f2\\f3\\f4\\f5\\f6\\f7\\f8\")\n" +
         funcs(pad) + ")";
}

// Every (d, s) pair: the fused result (or trap message) equals the
// reference's. Fused and reference run in two instances that see the same
// calls, so their memories stay equal exactly while every copy agrees.
void check_all(bool wide) {
  const std::string text = module_text(wide);
  const std::vector<int32_t> edges = {0, 1, 3, 4, 6, 8, 30, 31, 32, 33, 40, 41, -1, -2, -3, -5, 65520, 65527,
                                      65528, 65530, 65533, 65534, 65535, 65536, INT32_MIN, INT32_MAX};
  const char* names[] = {"b8u", "b8s", "h16", "w32", "l32", "q64", "f32", "f64", "q8", "q16"};
  int traps = 0;
  Env f(text), r(text);
  for (const char* base : names) {
    for (const char* form : {"", "_ka", "_kl"}) {
      const std::string n = std::string(base) + form;
      for (int32_t d : edges) {
        for (int32_t s : edges) {
          auto fv = f.call("f_" + n, {I32(d), I32(s)});
          auto rv = r.call("r_" + n, {I32(d), I32(s)});
          ASSERT_EQ(fv.ok(), rv.ok()) << n << " d=" << d << " s=" << s << " wide=" << wide;
          if (!fv.ok()) {
            EXPECT_EQ(fv.error().message(), rv.error().message()) << n;
            ++traps;
            continue;
          }
          EXPECT_EQ((*fv)[0].i64(), (*rv)[0].i64()) << n << " d=" << d << " s=" << s << " wide=" << wide;
        }
      }
    }
  }
  EXPECT_GT(traps, 1000);
}

TEST(InterpMemCopy, FusedEqualsUnfusedNarrow) { check_all(false); }
TEST(InterpMemCopy, FusedEqualsUnfusedWide) { check_all(true); }

constexpr std::string_view kSmall = R"((module (memory 1)
  (data (i32.const 100) "\aa\bb\cc\dd")
  (func (export "plain") (param $d i32) (param $s i32)
    (i32.store8 offset=1 (local.get $d) (i32.load8_u offset=2 (local.get $s))))
  (func (export "adds") (param $d i32) (param $s i32)
    (i32.store16 offset=3 (i32.add (local.get $d) (i32.const 4)) (i32.load16_u (i32.add (local.get $s) (i32.const 8)))))
  (func (export "peek") (param $a i32) (result i32) (i32.load (local.get $a)))
))";

TEST(InterpMemCopy, TrapsAtTheLoadThenAtTheStoreWritingNothing) {
  auto bytes = vivarium::engine::wat_to_binary(kSmall);
  ASSERT_TRUE(bytes.ok());
  Env e(kSmall);
  // both out of bounds: the load traps first
  Error both = e.trap("plain", {I32(65535), I32(65534)});
  EXPECT_EQ(both.message(), "out of bounds memory access");
  EXPECT_EQ(both.where().offset, offset_of(*bytes, 0, Op::i32_load8_u));
  // only the store
  Error st = e.trap("plain", {I32(65535), I32(98)});
  EXPECT_EQ(st.message(), "out of bounds memory access");
  EXPECT_EQ(st.where().offset, offset_of(*bytes, 0, Op::i32_store8));
  Error st2 = e.trap("adds", {I32(65530), I32(92)});  // 65534 + 3 + 2 > 65536
  EXPECT_EQ(st2.where().offset, offset_of(*bytes, 1, Op::i32_store16));
  Error ld3 = e.trap("adds", {I32(0), I32(65527)});  // 65535 + 2 > 65536
  EXPECT_EQ(ld3.where().offset, offset_of(*bytes, 1, Op::i32_load16_u));
  // nothing was written by the trapping copies
  EXPECT_EQ(e.i32("peek", {I32(65532)}), 0);
  // and a copy that fits copies
  ASSERT_TRUE(e.call("plain", {I32(9), I32(99)}).ok());  // mem[10] = mem[101]
  EXPECT_EQ(e.i32("peek", {I32(10)}), 0xbb);
  ASSERT_TRUE(e.call("adds", {I32(-4), I32(92)}).ok());  // (-4 + 4) + 3 = 3 <- mem[100..101]
  EXPECT_EQ(e.i32("peek", {I32(2)}), 0x00bbaa00);
}

TEST(InterpMemCopy, LowersToOneInstruction) {
  auto bytes = vivarium::engine::wat_to_binary(kSmall);
  ASSERT_TRUE(bytes.ok());
  auto ir = vivarium::engine::decode(*bytes);
  ASSERT_TRUE(ir.ok());
  for (uint32_t i = 0; i < 2; ++i) {
    auto cf = vivarium::engine::lower_function(**ir, i);
    ASSERT_TRUE(cf.ok());
    EXPECT_EQ(interp::handler_at((*cf)->code.get()), interp::mem_copy_handler(i == 0 ? 1 : 2)) << i;
    // one instruction of six Words, then the return
    EXPECT_EQ((*cf)->code_words, 7u) << i;
  }
}

}  // namespace
}  // namespace vivarium::engine::test
