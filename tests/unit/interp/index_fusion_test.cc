// Array indexing superinstructions (engine/interp/ops_memory.cc, h_*_shl;
// ops_int.cc, h_i32_shl_add; ops_control.cc, h_br_table_addi/_load8u):
// a load or store whose address is `base + (idx << k)` (an i32.shl by a
// constant feeding an i32.add, either operand order, base a slot or a
// constant) runs as one instruction. The address must wrap in 32 bits like
// the shl and the add (shift count masked to 5 bits), the memarg offset is
// then added without wrapping, a trap names the load/store, and frames past
// slot 65535 use the wide layout. Reference forms go through a local, which
// no fusion looks through.
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

// f_*: fused; r_*: the same through a local $t (unfused).
std::string funcs(const std::string& pad) {
  std::string s;
  auto fn = [&](const std::string& name, const std::string& params, const std::string& result,
                const std::string& fused, const std::string& ref) {
    const std::string head = "(func (export \"";
    const std::string sig = "\") " + params + (result.empty() ? "" : " (result " + result + ")") + " " + pad +
                            " (local $t i32)\n";
    s += head + "f_" + name + sig + fused + ")\n";
    s += head + "r_" + name + sig + ref + ")\n";
  };
  const std::string P = "(param $b i32) (param $i i32)";
  auto shl = [](const std::string& k) { return "(i32.shl (local.get $i) (i32.const " + k + "))"; };
  auto via = [](const std::string& e) { return "(local.set $t " + e + ") "; };
  // load, base on the left / right, several shifts (34 masks to 2, -1 to 31)
  for (const char* k : {"0", "1", "2", "3", "31", "34", "-1"}) {
    const std::string ks = k;
    fn(std::string("ld_l") + k, P, "i32", "(i32.load offset=4 (i32.add (local.get $b) " + shl(ks) + "))",
       via(shl(ks)) + "(i32.load offset=4 (i32.add (local.get $b) (local.get $t)))");
    fn(std::string("ld_r") + k, P, "i32", "(i32.load8_s (i32.add " + shl(ks) + " (local.get $b)))",
       via(shl(ks)) + "(i32.load8_s (i32.add (local.get $t) (local.get $b)))");
  }
  // the address itself (shl_add), slot or constant base, and tee'd into a local before the load
  for (const char* k : {"2", "35", "31"}) {
    const std::string ks = k;
    fn(std::string("sa") + k, P, "i32", "(i32.add (local.get $b) " + shl(ks) + ")",
       via(shl(ks)) + "(i32.add (local.get $b) (local.get $t))");
    fn(std::string("sak") + k, P, "i32", "(i32.add " + shl(ks) + " (i32.const -4))",
       via(shl(ks)) + "(i32.add (local.get $t) (i32.const -4))");
  }
  fn("sa_tee", P, "i32",
     "(i32.add (i32.load16_s offset=2 (local.tee $t (i32.add (local.get $b) " + shl("1") + "))) (local.get $t))",
     via(shl("1")) + "(local.set $t (i32.add (local.get $b) (local.get $t))) "
                     "(i32.add (i32.load16_s offset=2 (local.get $t)) (local.get $t))");
  // constant base (wide form), i64 loads
  fn("ld_kb", P, "i64", "(i64.load16_s offset=1 (i32.add " + shl("1") + " (i32.const 16)))",
     via(shl("1")) + "(i64.load16_s offset=1 (i32.add (local.get $t) (i32.const 16)))");
  fn("ld_kneg", P, "i64", "(i64.load (i32.add (i32.const -8) " + shl("3") + "))",
     via(shl("3")) + "(i64.load (i32.add (i32.const -8) (local.get $t)))");
  // index computed in place (the shl's operand is its own temporary)
  fn("ld_tmp", P, "i32",
     "(i32.load16_u (i32.add (local.get $b) (i32.shl (i32.and (local.get $i) (i32.const 1023)) (i32.const 1))))",
     via("(i32.shl (i32.and (local.get $i) (i32.const 1023)) (i32.const 1))") +
         "(i32.load16_u (i32.add (local.get $b) (local.get $t)))");
  // stores: value a local, then read back
  fn("st", P + " (param $v i64)", "i64",
     "(i64.store32 offset=2 (i32.add (local.get $b) " + shl("2") + ") (local.get $v)) (i64.load (i32.const 0))",
     via(shl("2")) + "(i64.store32 offset=2 (i32.add (local.get $b) (local.get $t)) (local.get $v)) "
                     "(i64.load (i32.const 0))");
  fn("st_kb", P + " (param $v i64)", "i64",
     "(i32.store8 (i32.add (i32.const 3) " + shl("33") + ") (i32.wrap_i64 (local.get $v))) (i64.load (i32.const 0))",
     "(local.set $t (i32.wrap_i64 (local.get $v))) "
     "(i32.store8 (i32.add (i32.const 3) " + shl("33") + ") (local.get $t)) (i64.load (i32.const 0))");
  // constant values (materialized just before the fused store), including an
  // address operand living in the constant's slot (then not fused)
  const std::string PV = P + " (param $v i64)";
  const std::string rd = " (i64.load (i32.const 0))";
  auto stk = [&](const std::string& name, const std::string& store, const std::string& addr, const std::string& k) {
    fn(name, PV, "i64", "(" + store + " " + addr + " " + k + ")" + rd,
       "(local.set $t " + addr + ") (" + store + " (local.get $t) " + k + ")" + rd);
  };
  stk("stk", "i32.store offset=1", "(i32.add (local.get $b) " + shl("2") + ")", "(i32.const -559038737)");
  stk("stk64", "i64.store", "(i32.add " + shl("3") + " (i32.const 8))", "(i64.const 0x123456789abcdef)");
  stk("stk_tmp", "i32.store16", "(i32.add (local.get $b) (i32.shl (i32.load8_u (local.get $i)) (i32.const 1)))",
      "(i32.const 0x7777)");
  stk("stka", "i32.store8 offset=3", "(i32.add (local.get $b) (local.get $i))", "(i32.const 0xab)");
  stk("stka_tmp", "i32.store", "(i32.add (local.get $b) (i32.and (local.get $i) (i32.const 1023)))",
      "(i32.const 5)");
  stk("stkai", "i64.store32", "(i32.add (local.get $i) (i32.const -4))", "(i64.const -2)");
  // the tee'd shift must still reach its local
  fn("ld_tee", P, "i32",
     "(i32.add (i32.load8_u (i32.add (local.get $b) (local.tee $t " + shl("2") + "))) (local.get $t))",
     via(shl("2")) + "(i32.add (i32.load8_u (i32.add (local.get $b) (local.get $t))) (local.get $t))");
  return s;
}

std::string module_text(bool wide) {
  std::string pad;
  if (wide) {  // 33000 v128 locals: 66000 slots, so $t and the temporaries lie past 65535
    pad = "(local";
    for (int i = 0; i < 33000; ++i) pad += " v128";
    pad += ")";
  }
  return "(module (memory 1)\n"
         "(data (i32.const 0) \"\\01\\82\\03\\84\\05\\86\\07\\88\\09\\8a\\0b\\8c\\0d\\8e\\0f\\90\\11\\92\\13\\94\")\n"
         "(data (i32.const 65528) \"\\f1\\f2\\f3\\f4\\f5\\f6\\f7\\f8\")\n" +
         funcs(pad) + ")";
}

const std::vector<int32_t> kEdges = {0, 1, 2, 3, 5, -1, -2, -4, -8, 16383, 16384, 65535, 65532, 0x40000001,
                                     0x3fffffff, INT32_MIN, INT32_MAX, 0x7ffe, 32767};

int64_t bits(const Value& v) { return v.type() == vivarium::ValType::I32 ? int64_t(v.i32()) : v.i64(); }

// Every (b, i) pair: the fused result (or trap message) equals the reference.
void check_all(Env& e, bool wide) {
  const char* loads[] = {"ld_l0", "ld_l1", "ld_l2", "ld_l3", "ld_l31", "ld_l34", "ld_l-1",
                         "ld_r0", "ld_r1", "ld_r2", "ld_r3", "ld_r31", "ld_r34", "ld_r-1",
                         "ld_kb", "ld_kneg", "ld_tmp", "ld_tee", "st", "st_kb",
                         "sa2", "sa35", "sa31", "sak2", "sak35", "sak31", "sa_tee",
                         "stk", "stk64", "stk_tmp", "stka", "stka_tmp", "stkai"};
  int fused_traps = 0;
  for (const char* n : loads) {
    const std::string name = n;
    for (int32_t b : kEdges) {
      for (int32_t i : kEdges) {
        std::vector<Value> args = {I32(b), I32(i)};
        if (name.rfind("st", 0) == 0) args.push_back(I64(0x1122334455667788ll ^ (int64_t(b) << 7) ^ i));
        auto f = e.call("f_" + name, args);
        auto r = e.call("r_" + name, args);
        ASSERT_EQ(f.ok(), r.ok()) << name << " b=" << b << " i=" << i << " wide=" << wide;
        if (!f.ok()) {
          EXPECT_EQ(f.error().message(), r.error().message()) << name;
          ++fused_traps;
          continue;
        }
        ASSERT_EQ(f->size(), 1u);
        EXPECT_EQ(bits((*f)[0]), bits((*r)[0])) << name << " b=" << b << " i=" << i << " wide=" << wide;
      }
    }
  }
  EXPECT_GT(fused_traps, 100);
}

TEST(InterpIndexFusion, FusedEqualsUnfusedNarrow) {
  Env e(module_text(false));
  check_all(e, false);
}

TEST(InterpIndexFusion, FusedEqualsUnfusedWide) {
  Env e(module_text(true));
  check_all(e, true);
}

TEST(InterpIndexFusion, WrapAndMask) {
  Env e(module_text(false));
  // -4 + (2 << 2) wraps to 4, + offset 4 = 8.
  EXPECT_EQ(e.i32("f_ld_l2", {I32(-4), I32(2)}), 0x8c0b8a09);
  // 0x40000001 << 2 wraps to 4.
  EXPECT_EQ(e.i32("f_ld_l2", {I32(0), I32(0x40000001)}), 0x8c0b8a09);
  // shift 34 is shift 2; shift -1 is 31 (1 << 31, + 0x80000000 wraps to 0).
  EXPECT_EQ(e.i32("f_ld_l34", {I32(0), I32(1)}), 0x8c0b8a09);
  EXPECT_EQ(e.i32("f_ld_r-1", {I32(INT32_MIN + 1), I32(1)}), int32_t(int8_t(0x82)));
  // the last bytes of memory, then one past them
  EXPECT_EQ(e.i64("f_ld_kneg", {I32(0), I32(8192)}), int64_t(0xf8f7f6f5f4f3f2f1ull));
  EXPECT_EQ(e.trap("f_ld_kneg", {I32(0), I32(8193)}).message(), "out of bounds memory access");
  EXPECT_EQ(e.i32("f_ld_tee", {I32(0), I32(1)}), 5 + 4);
}

constexpr std::string_view kSmall = R"((module (memory 1)
  (func (export "ld") (param $b i32) (param $i i32) (result i32)
    (i32.load offset=8 (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2)))))
  (func (export "st") (param $b i32) (param $i i32)
    (i64.store16 offset=3 (i32.add (i32.shl (local.get $i) (i32.const 1)) (local.get $b)) (i64.const 0)))
  (func (export "ldk") (param $b i32) (param $i i32) (result i32)
    (i32.load16_u (i32.add (i32.const 100) (i32.shl (local.get $i) (i32.const 3)))))
  (func (export "stv") (param $b i32) (param $i i32) (param $v i32)
    (i32.store (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2))) (local.get $v)))
  (func (param $b i32) (param $i i32) (result i32)
    (i32.add (i32.shl (local.get $i) (i32.const 2)) (local.get $b)))
  (func (param $b i32) (param $i i32) (result i32)
    (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2))))
))";

TEST(InterpIndexFusion, TrapsNameTheLoadOrStore) {
  auto bytes = vivarium::engine::wat_to_binary(kSmall);
  ASSERT_TRUE(bytes.ok());
  Env e(kSmall);
  Error ld = e.trap("ld", {I32(65528), I32(0)});
  EXPECT_EQ(ld.message(), "out of bounds memory access");
  EXPECT_EQ(ld.where().offset, offset_of(*bytes, 0, Op::i32_load));
  Error st = e.trap("st", {I32(-2), I32(INT32_MIN)});  // (-2 + 0) + 3 + 2 > 65536
  EXPECT_EQ(st.where().offset, offset_of(*bytes, 1, Op::i64_store16));
  Error ldk = e.trap("ldk", {I32(0), I32(8180)});  // 100 + 65440 > 65534
  EXPECT_EQ(ldk.message(), "out of bounds memory access");
  EXPECT_EQ(ldk.where().offset, offset_of(*bytes, 2, Op::i32_load16_u));
}

// A constant stored through a fused address: the constant, then the fused
// store (two instructions where there were three).
TEST(InterpIndexFusion, StoreOfAConstant) {
  auto bytes = vivarium::engine::wat_to_binary(kSmall);
  ASSERT_TRUE(bytes.ok());
  auto ir = vivarium::engine::decode(*bytes);
  ASSERT_TRUE(ir.ok());
  auto cf = vivarium::engine::lower_function(**ir, 1);
  ASSERT_TRUE(cf.ok());
  const interp::Word* code = (*cf)->code.get();
  EXPECT_EQ(interp::handler_at(code), &interp::h_const16_n);
  EXPECT_EQ(interp::handler_at(code + 2), interp::load_shl_add_handler(Op::i64_store16, false, true));
}

TEST(InterpIndexFusion, LowersToOneInstruction) {
  auto bytes = vivarium::engine::wat_to_binary(kSmall);
  ASSERT_TRUE(bytes.ok());
  auto ir = vivarium::engine::decode(*bytes);
  ASSERT_TRUE(ir.ok());
  const interp::Handler want[] = {
      interp::load_shl_add_handler(Op::i32_load, false, true),
      nullptr,  // the constant value is materialized first (see StoreOfAConstant)
      interp::load_shl_add_handler(Op::i32_load16_u, true, false),
      interp::load_shl_add_handler(Op::i32_store, false, true),
      interp::shl_add_handler(false, true),
      interp::shl_add_handler(true, true),
  };
  for (uint32_t i = 0; i < 6; ++i) {
    if (!want[i]) continue;
    auto cf = vivarium::engine::lower_function(**ir, i);
    ASSERT_TRUE(cf.ok()) << i;
    EXPECT_EQ(interp::handler_at((*cf)->code.get()), want[i]) << "function " << i;
  }
}

// br_table on a byte an i32.load8_u just loaded (h_br_table_load8u) and on
// `x + k` (h_br_table_addi): the index clamps to the default, x + k wraps,
// and an out-of-bounds load traps at the load's offset.
constexpr std::string_view kSwitch = R"((module (memory 1)
  (data (i32.const 0) "\00\01\02\03\ff\05")
  (data (i32.const 65534) "\ff\ff")
  (func (export "byte") (param $p i32) (result i32)
    (block (block (block (block
      (br_table 0 1 2 3 (i32.load8_u offset=1 (local.get $p))))
      (return (i32.const 10))) (return (i32.const 11))) (return (i32.const 12)))
    (i32.const 13))
  (func (export "addk") (param $x i32) (result i32)
    (block (block (block
      (br_table 0 1 2 (i32.add (local.get $x) (i32.const -3))))
      (return (i32.const 20))) (return (i32.const 21)))
    (i32.const 22))
  (func (export "wide") (param $x i32) (result i32) (local $t i32) PAD
    (local.set $t (i32.const 7))
    (block (block (block
      (br_table 0 1 2 (i32.load8_u (i32.add (local.get $x) (i32.const 0))))) ;; load fused with the add: plain br_table
      (return (local.get $t))) (return (i32.const 31)))
    (block (block
      (br_table 0 1 (i32.add (local.get $x) (i32.const -2))))
      (return (i32.const 32)))
    (block (block
      (br_table 0 1 (i32.load8_u offset=2 (local.get $x))))
      (return (i32.const 33)))
    (i32.const 34))
))";

std::string switch_text() {
  std::string pad = "(local";
  for (int i = 0; i < 33000; ++i) pad += " v128";
  pad += ")";
  std::string t(kSwitch);
  t.replace(t.find("PAD"), 3, pad);
  return t;
}

TEST(InterpIndexFusion, BrTableOnLoadedByteAndAddedConstant) {
  const std::string text = switch_text();
  Env e(text);
  EXPECT_EQ(e.i32("byte", {I32(0)}), 11);
  EXPECT_EQ(e.i32("byte", {I32(1)}), 12);
  EXPECT_EQ(e.i32("byte", {I32(2)}), 13);   // 3: the default
  EXPECT_EQ(e.i32("byte", {I32(3)}), 13);   // 0xff: zero-extended, the default
  auto bytes = vivarium::engine::wat_to_binary(text);
  ASSERT_TRUE(bytes.ok());
  for (int32_t p : {-1, 65535}) {  // the offset does not wrap: -1 + 1 is 2^32
    Error oob = e.trap("byte", {I32(p)});
    EXPECT_EQ(oob.message(), "out of bounds memory access");
    EXPECT_EQ(oob.where().offset, offset_of(*bytes, 0, Op::i32_load8_u));
  }
  EXPECT_EQ(e.i32("addk", {I32(3)}), 20);
  EXPECT_EQ(e.i32("addk", {I32(4)}), 21);
  EXPECT_EQ(e.i32("addk", {I32(5)}), 22);
  EXPECT_EQ(e.i32("addk", {I32(2)}), 22);   // -1 as u32: the default
  EXPECT_EQ(e.i32("addk", {I32(INT32_MIN + 2)}), 22);
  EXPECT_EQ(e.i32("wide", {I32(0)}), 7);    // byte 0 -> 0
  EXPECT_EQ(e.i32("wide", {I32(1)}), 31);
  EXPECT_EQ(e.i32("wide", {I32(2)}), 32);   // 2 - 2 = 0
  EXPECT_EQ(e.i32("wide", {I32(3)}), 34);   // byte 5: the default
  EXPECT_EQ(e.i32("wide", {I32(4)}), 33);   // byte 6: 0
  EXPECT_EQ(e.trap("wide", {I32(65534)}).where().offset, offset_of(*bytes, 2, Op::i32_load8_u, 1));
  auto ir = vivarium::engine::decode(*bytes);
  ASSERT_TRUE(ir.ok());
  auto f0 = vivarium::engine::lower_function(**ir, 0);
  auto f1 = vivarium::engine::lower_function(**ir, 1);
  ASSERT_TRUE(f0.ok() && f1.ok());
  EXPECT_EQ(interp::handler_at((*f0)->code.get()), &interp::h_br_table_load8u);
  EXPECT_EQ(interp::handler_at((*f1)->code.get()), &interp::h_br_table_addi);
}

}  // namespace
}  // namespace vivarium::engine::test
