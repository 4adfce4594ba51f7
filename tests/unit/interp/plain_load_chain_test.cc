// `s += p[i]`: a plain i32.load (no address add) feeding i32
// add/sub/and/or/xor runs as the load-chain handler with an added 0
// (engine/interp/lower.cc, plain_load_chain). The fused form must give the
// unfused result for either operand order, trap with the load's offset, and
// write a result slot above 65535 (wide frames). References pass the load through local.tee,
// which keeps the value out of the fusion.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/interp/ops.h"
#include "engine/text/wat.h"
#include "tests/unit/interp/interp_test_util.h"
#include "tests/unit/interp/lowering_test_util.h"

namespace vivarium::engine::test {
namespace {

const std::vector<std::string> kOps = {"add", "sub", "and", "or", "xor"};

// Functions f<n> (fused) and r<n> (reference), n = 2 * op + left.
std::string module(const std::string& pad) {
  std::string s = "(module (memory 1)\n(data (i32.const 0) \"\\01\\02\\03\\84\\05\\06\\07\\f8\")\n";
  for (size_t o = 0; o < kOps.size(); ++o) {
    for (int left = 0; left < 2; ++left) {
      for (int ref = 0; ref < 2; ++ref) {
        std::string ld = "(i32.load offset=1 (local.get $a))";
        if (ref) ld = "(local.tee $t " + ld + ")";
        const std::string x = "(local.get $x)";
        const std::string body = "(i32." + kOps[o] + " " + (left ? ld + " " + x : x + " " + ld) + ")";
        s += "(func (export \"" + std::string(ref ? "r" : "f") + std::to_string(2 * o + left) +
             "\") (param $a i32) (param $x i32) (result i32) (local $t i32) " + pad + " " + body + ")\n";
      }
    }
  }
  return s + ")";
}

void check(bool wide) {
  const std::string text = module(wide ? wide_pad() : "");
  auto bytes = vivarium::engine::wat_to_binary(text);
  ASSERT_TRUE(bytes.ok());
  Env e(text);
  int traps = 0;
  for (size_t f = 0; f < 2 * kOps.size(); ++f) {
    for (int32_t a : {0, 1, 3, 65530, 65531, 65532, -1, INT32_MIN}) {
      const std::vector<Value> args = {I32(a), I32(0x5a5a1234)};
      auto got = e.call("f" + std::to_string(f), args);
      auto want = e.call("r" + std::to_string(f), args);
      ASSERT_EQ(got.ok(), want.ok()) << f << " a=" << a;
      if (!got.ok()) {
        EXPECT_EQ(got.error().message(), "out of bounds memory access");
        EXPECT_EQ(got.error().where().offset, offset_of(*bytes, uint32_t(2 * f), Op::i32_load));
        ++traps;
        continue;
      }
      EXPECT_EQ((*got)[0].i32(), (*want)[0].i32()) << f << " a=" << a << " wide=" << wide;
    }
  }
  EXPECT_EQ(traps, 3 * int(2 * kOps.size()));  // 65532, -1, INT32_MIN (a + 1 + 4 > 65536; no wrap)
}

TEST(InterpPlainLoadChain, FusedAgreesWithUnfusedNarrow) { check(false); }
TEST(InterpPlainLoadChain, FusedAgreesWithUnfusedWide) { check(true); }

TEST(InterpPlainLoadChain, LoweringPicksTheChainHandler) {
  const std::string text = module("");
  // f0: x + load(a); its reference r0 (function 1) is not fused.
  EXPECT_EQ(handler_at_word(text, 0, 0), interp::load_chain_handler(Op::i32_add, true, false));
  EXPECT_NE(handler_at_word(text, 1, 0), interp::load_chain_handler(Op::i32_add, true, false));
  // f3 (sub, load on the left) is function 6.
  EXPECT_EQ(handler_at_word(text, 6, 0), interp::load_chain_handler(Op::i32_sub, true, true));
  // a wide frame too: the operands are the (narrow) params, the result's
  // slot above 65535 a whole Word
  EXPECT_EQ(handler_at_word(module(wide_pad()), 0, 0), interp::load_chain_handler(Op::i32_add, true, false));
}

}  // namespace
}  // namespace vivarium::engine::test
