// Loaded-index addressing superinstructions (engine/interp/ops_index8.cc):
// `base + (i32.load8_u(p + off8) << k)` (a register VM's `r[i->b]`; or an
// i32.load's value, `code + i->imm`) is one
// instruction, and a 4/8-byte load of that address another. They must compute
// what the load8_u + shl_add (+ load) compute (shift masked to 5 bits, 32-bit
// wrap of the address, either add operand order, NaN bits kept), trap at the
// load8_u when the byte is out of bounds (even if the second load is too) and
// at the second load when only it is, and frames past slot 65535 keep the
// unfused form. Reference forms go through a local, which no fusion looks
// through.
#include <cstdint>
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

// f_*: fused; r_*: the byte kept in local $t first. All return an i64.
std::string funcs(const std::string& pad) {
  std::string s;
  const std::string sig = " (param $p i32) (param $b i32) (result i64) " + pad + " (local $t i32)\n";
  auto fn = [&](const std::string& name, const std::string& k, bool base_left, const std::string& use) {
    // the index: a byte, or (names starting with x) an i32
    const std::string byte = name[0] == 'x' ? "(i32.load offset=1 (local.get $p))" : "(i32.load8_u offset=1 (local.get $p))";
    auto addr = [&](const std::string& idx) {
      const std::string sh = "(i32.shl " + idx + " (i32.const " + k + "))";
      return base_left ? "(i32.add (local.get $b) " + sh + ")" : "(i32.add " + sh + " (local.get $b))";
    };
    auto body = [&](const std::string& a) {
      std::string u = use;
      u.replace(u.find('@'), 1, a);
      return u;
    };
    s += "(func (export \"f_" + name + "\")" + sig + body(addr(byte)) + ")\n";
    s += "(func (export \"r_" + name + "\")" + sig + "(local.set $t " + byte + ") " + body(addr("(local.get $t)")) +
         ")\n";
  };
  for (const char* k : {"0", "2", "3", "35", "-1"}) {
    const std::string ks = k;
    fn("q" + ks, ks, true, "(i64.load offset=3 @)");
    fn("qr" + ks, ks, false, "(i64.load @)");
    fn("w" + ks, ks, true, "(i64.extend_i32_u (i32.load offset=2 @))");
    fn("d" + ks, ks, false, "(i64.reinterpret_f64 (f64.load @))");
    fn("f" + ks, ks, true, "(i64.extend_i32_u (i32.reinterpret_f32 (f32.load offset=1 @)))");
    fn("a" + ks, ks, true, "(i64.extend_i32_u @)");  // the address alone
    fn("s" + ks, ks, true, "(i64.store offset=1 @ (i64.const 0x1122334455667788)) (i64.load (i32.const 8))");
    fn("h" + ks, ks, true, "(i64.load16_s @)");  // a narrow load: the address form only
    fn("xq" + ks, ks, false, "(i64.load offset=3 @)");
    fn("xw" + ks, ks, true, "(i64.extend_i32_u (i32.load @))");
    fn("xa" + ks, ks, true, "(i64.extend_i32_u @)");
  }
  return s;
}

std::string module_text(bool wide) {
  return "(module (memory 1)\n"
         "(data (i32.const 0) \"\\00\\01\\02\\ff\\80\\07\\08\\09\\10\\11\\12\\13\\01\\00\\f4\\7f\")\n"
         "(data (i32.const 65528) \"\\f1\\f2\\f3\\f4\\f5\\f6\\f7\\f8\")\n" +
         funcs(wide ? wide_pad() : "") + ")";
}

void check_all(bool wide) {
  const std::string text = module_text(wide);
  const std::vector<int32_t> ps = {0, 1, 2, 3, 4, 11, 65533, 65534, 65535, 65536, -1, -2, INT32_MIN};
  const std::vector<int32_t> bs = {0, 1, 8, 16, 64000, 65280, 65527, 65528, 65535, -8, -2040, INT32_MIN, INT32_MAX};
  int traps = 0, calls = 0;
  Env f(text), r(text);
  for (const char* k : {"0", "2", "3", "35", "-1"}) {
    for (const char* form : {"q", "qr", "w", "d", "f", "a", "s", "h", "xq", "xw", "xa"}) {
      const std::string n = std::string(form) + k;
      for (int32_t p : ps) {
        for (int32_t b : bs) {
          auto fv = f.call("f_" + n, {I32(p), I32(b)});
          auto rv = r.call("r_" + n, {I32(p), I32(b)});
          ++calls;
          ASSERT_EQ(fv.ok(), rv.ok()) << n << " p=" << p << " b=" << b << " wide=" << wide;
          if (!fv.ok()) {
            EXPECT_EQ(fv.error().message(), rv.error().message()) << n;
            ++traps;
            continue;
          }
          EXPECT_EQ((*fv)[0].i64(), (*rv)[0].i64()) << n << " p=" << p << " b=" << b << " wide=" << wide;
        }
      }
    }
  }
  EXPECT_GT(traps, 500);
  EXPECT_GT(calls - traps, 1000);
}

TEST(InterpIndex8, FusedEqualsUnfusedNarrow) { check_all(false); }
TEST(InterpIndex8, FusedEqualsUnfusedWide) { check_all(true); }

constexpr std::string_view kSmall = R"((module (memory 1)
  (data (i32.const 0) "\05\06\07\08")
  (data (i32.const 52) "\aa\bb\cc\dd\ee\ff\11\22")
  (func (export "ld") (param $p i32) (param $b i32) (result i64)
    (i64.load offset=4 (i32.add (local.get $b) (i32.shl (i32.load8_u offset=1 (local.get $p)) (i32.const 3)))))
  (func (export "addr") (param $p i32) (param $b i32) (result i32)
    (i32.add (i32.shl (i32.load8_u (local.get $p)) (i32.const 2)) (local.get $b)))
  (func (export "jump") (param $p i32) (param $b i32) (result i32)
    (i32.add (local.get $b) (i32.shl (i32.load offset=2 (local.get $p)) (i32.const 3))))
))";

TEST(InterpIndex8, TrapsAtTheByteThenAtTheLoad) {
  auto bytes = vivarium::engine::wat_to_binary(kSmall);
  ASSERT_TRUE(bytes.ok());
  Env e(kSmall);
  EXPECT_EQ(e.i64("ld", {I32(0), I32(0)}), static_cast<int64_t>(0x2211ffeeddccbbaa));  // 0 + (6 << 3) + 4
  // both out of bounds: the byte read traps first
  Error both = e.trap("ld", {I32(65535), I32(65535)});
  EXPECT_EQ(both.message(), "out of bounds memory access");
  EXPECT_EQ(both.where().offset, offset_of(*bytes, 0, Op::i32_load8_u));
  // only the second load
  Error ld = e.trap("ld", {I32(0), I32(65480)});  // 65480 + 48 + 4 + 8 > 65536
  EXPECT_EQ(ld.message(), "out of bounds memory access");
  EXPECT_EQ(ld.where().offset, offset_of(*bytes, 0, Op::i64_load));
  Error a = e.trap("addr", {I32(65536), I32(0)});
  EXPECT_EQ(a.where().offset, offset_of(*bytes, 1, Op::i32_load8_u));
  EXPECT_EQ(e.i32("addr", {I32(1), I32(-1)}), 23);
  Error j = e.trap("jump", {I32(65532), I32(0)});
  EXPECT_EQ(j.where().offset, offset_of(*bytes, 2, Op::i32_load));
  EXPECT_EQ(e.i32("jump", {I32(0), I32(1)}), (0x0807 << 3) + 1);
}

TEST(InterpIndex8, LowersToOneInstruction) {
  auto bytes = vivarium::engine::wat_to_binary(kSmall);
  ASSERT_TRUE(bytes.ok());
  auto ir = vivarium::engine::decode(*bytes);
  ASSERT_TRUE(ir.ok());
  const interp::Handler want[] = {interp::load_index8_handler(Op::i32_load8_u, Op::i64_load),
                                  interp::shl_add_index8_handler(Op::i32_load8_u),
                                  interp::shl_add_index8_handler(Op::i32_load)};
  for (uint32_t i = 0; i < 3; ++i) {
    auto cf = vivarium::engine::lower_function(**ir, i);
    ASSERT_TRUE(cf.ok());
    EXPECT_EQ(interp::handler_at((*cf)->code.get()), want[i]) << i;
    EXPECT_EQ((*cf)->code_words, (i == 0 ? 5u : 4u) + 1) << i;  // then the return
  }
}

}  // namespace
}  // namespace vivarium::engine::test
