// Helpers for tests that look at a module's instructions: where an
// instruction lies in the module (to check a trap's reported offset).
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "engine/binary/instr.h"
#include "engine/decoder/decoder.h"

namespace viv::test {

// Module offset of the `nth` instruction `op` in defined function `func`.
inline uint64_t offset_of(const std::vector<uint8_t>& bytes, uint32_t func, Op op, int nth = 0) {
  auto ir = viv::decode(bytes);
  EXPECT_TRUE(ir.ok());
  const auto& body = (*ir)->funcs[func].body;
  InstrReader r((*ir)->span(body), body.begin);
  Instr in;
  while (!r.at_end()) {
    EXPECT_TRUE(r.next(in).ok());
    if (in.op == op && nth-- == 0) return in.offset;
  }
  ADD_FAILURE() << "no such instruction";
  return 0;
}

}  // namespace viv::test
