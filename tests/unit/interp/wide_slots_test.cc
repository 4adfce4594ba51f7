// Frames past 65535 slots: the interpreter's narrow layouts (two 16-bit slot
// indices in one Word, engine/interp/ops.h) cannot name those slots, so the
// lowering must fall back to the wide layouts everywhere: binops with slot
// and constant operands, unops, loads and stores, the fused forms, and
// local.set retargeting. The same body runs in a small frame (narrow) and
// behind 70000 extra locals (wide); both must agree with the C++ model.
#include <cstring>
#include <string>

#include "tests/unit/interp/interp_test_util.h"

namespace vivarium::engine::test {
namespace {

// `$x` is a high local in the wide function, local 1.. in the narrow one.
std::string body(int base) {
  auto L = [&](int i) { return std::to_string(base + i); };
  return "(local.set " + L(0) + " (i32.add (local.get 0) (i32.const 5)))\n"        // binop+imm
         "(local.set " + L(1) + " (i32.mul (local.get " + L(0) + ") (local.get 0)))\n"  // binop
         "(local.set " + L(2) + " (i32.eqz (local.get " + L(1) + ")))\n"           // unop
         "(i32.store offset=4 (i32.and (local.get " + L(0) + ") (i32.const 1020)) (local.get " + L(1) + "))\n"
         "(local.set " + L(3) + " (i32.load offset=4 (i32.and (local.get " + L(0) + ") (i32.const 1020))))\n"
         "(local.set " + L(5) + " (i32.const 3))\n"
         // fused: load of an add, step + compare-and-branch back-edge, br_if of eqz
         "(block (loop\n"
         "  (local.set " + L(4) + " (i32.add (local.get " + L(4) + ")\n"
         "     (i32.load (i32.add (local.get " + L(5) + ") (i32.const 0)))))\n"
         "  (local.set " + L(5) + " (i32.add (local.get " + L(5) + ") (i32.const 4)))\n"
         "  (br_if 0 (i32.lt_u (local.get " + L(5) + ") (i32.const 64)))))\n"
         "(block (br_if 0 (i32.eqz (local.get " + L(2) + ")))\n"
         "  (local.set " + L(4) + " (i32.const 1000000)))\n"
         "(if (i32.gt_s (local.get " + L(3) + ") (i32.const 100)) (then (local.set " + L(4) + " (i32.sub (local.get " +
         L(4) + ") (i32.const 7)))))\n"
         "(i32.add (i32.add (local.get " + L(4) + ") (local.get " + L(3) + ")) (local.get " + L(2) + "))\n";
}

std::string module_text() {
  // 33000 v128 locals take 66000 slots (each local is a slot pair), so the
  // i32 locals after them and every temporary lie past slot 65535 while
  // staying under the 50000-local limit.
  std::string pad = "(local";
  for (int i = 0; i < 33000; ++i) pad += " v128";
  pad += ")";
  return "(module (memory 1)\n"
         "(func (export \"narrow\") (param i32) (result i32) (local i32 i32 i32 i32 i32 i32)\n" + body(1) + ")\n"
         "(func (export \"wide\") (param i32) (result i32) " + pad + " (local i32 i32 i32 i32 i32 i32)\n" +
         body(33001) + "))";
}

// The same computation in C++ (memory starts zeroed; each call stores first).
int32_t model(int32_t p, uint32_t mem[256]) {
  uint32_t x0 = uint32_t(p) + 5, x1 = x0 * uint32_t(p), x2 = x1 == 0;
  const uint32_t addr = (x0 & 1020) + 4;
  mem[addr / 4] = x1;
  uint32_t x3 = mem[addr / 4], x4 = 0;
  for (uint32_t x5 = 3; x5 < 64; x5 += 4) {
    uint32_t v;
    std::memcpy(&v, reinterpret_cast<uint8_t*>(mem) + x5, 4);
    x4 += v;
  }
  if (x2 != 0) x4 = 1000000;
  if (int32_t(x3) > 100) x4 -= 7;
  return int32_t(x4 + x3 + x2);
}

TEST(InterpWideSlots, WideAndNarrowFramesAgree) {
  Env e(module_text());
  e.store.set_fuel(1u << 20);  // a wrong slot could make the loop endless: trap instead
  uint32_t mem[256] = {};
  for (int32_t p : {0, 1, -5, 7, 100, 12345, -1, 3, 0x7fffffff}) {
    const int32_t want = model(p, mem);
    EXPECT_EQ(e.i32("narrow", {I32(p)}), want) << p;
    EXPECT_EQ(e.i32("wide", {I32(p)}), want) << p;
  }
}

}  // namespace
}  // namespace vivarium::engine::test
