// Helpers for the superinstruction tests, which look below the public API:
// the padding that pushes a frame past the narrow layouts, and the module
// offset a trap must name.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/binary/instr.h"
#include "engine/decoder/decoder.h"
#include "engine/interp/compiled.h"
#include "engine/interp/handler.h"
#include "engine/interp/interp.h"
#include "engine/text/wat.h"

namespace vivarium::engine::test {

// 33000 v128 locals: 66000 slots, so later locals and the temporaries lie
// past slot 65535 and every instruction takes its wide layout.
inline std::string wide_pad() {
  std::string pad = "(local";
  for (int i = 0; i < 33000; ++i) pad += " v128";
  return pad + ")";
}

// Module offset of the `nth` instruction `op` in defined function `func`.
inline uint64_t offset_of(const std::vector<uint8_t>& bytes, uint32_t func, Op op, int nth = 0) {
  auto ir = vivarium::engine::decode(bytes);
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

// Defined function `func` of module `wat` as lowered (null if it does not lower).
inline CompiledFuncPtr lower_wat(std::string_view wat, uint32_t func) {
  auto bytes = vivarium::engine::wat_to_binary(wat);
  EXPECT_TRUE(bytes.ok());
  if (!bytes.ok()) return nullptr;
  auto ir = vivarium::engine::decode(*bytes);
  EXPECT_TRUE(ir.ok());
  if (!ir.ok()) return nullptr;
  auto cf = vivarium::engine::lower_function(**ir, func);
  EXPECT_TRUE(cf.ok());
  return cf.ok() ? std::move(*cf) : nullptr;
}

// The handler of the instruction at Word `word` of defined function `func`
// of module `wat` as lowered (nullptr if it does not lower).
inline interp::Handler handler_at_word(std::string_view wat, uint32_t func, uint32_t word = 0) {
  const CompiledFuncPtr cf = lower_wat(wat, func);
  return cf ? interp::handler_at(cf->code.get() + word) : nullptr;
}

}  // namespace vivarium::engine::test
