// Structural scan of code: every instruction decodes, and block/loop/if/else/
// end nest properly. The decoder runs this over every function body so that
// all malformed code is rejected in the Malformed phase and later stages can
// assume well-formed instructions. Only the nesting is tracked here (one byte
// per open block); types are the validator's job.
#include "engine/decoder/decode_state.h"

namespace vivarium::engine::decoder {
namespace {

enum BlockKind : uint8_t { kPlain = 0, kIf = 1, kIfElse = 2 };

// Scans from the cursor to the `end` that closes the expression.
Result<void> scan_to_end(DecodeState& s) {
  Instr& in = s.scratch;
  std::vector<uint8_t>& blocks = s.blocks;
  blocks.clear();
  for (;;) {
    if (!s.ir.read(in)) [[unlikely]] return s.ir.error();
    switch (in.op) {
      case Op::block:
      case Op::loop:
        blocks.push_back(kPlain);
        break;
      case Op::if_:
        blocks.push_back(kIf);
        break;
      case Op::else_:
        // An `else` belongs to the innermost open `if` that has none yet; the
        // reference interpreter then expects the END that should be here.
        if (blocks.empty() || blocks.back() != kIf)
          return Reader::error_at(in.offset, ErrorCode::Malformed, "END opcode expected");
        blocks.back() = kIfElse;
        break;
      case Op::end:
        if (blocks.empty()) return {};
        blocks.pop_back();
        break;
      case Op::memory_init:
      case Op::data_drop:
        s.uses_data_index = true;
        break;
      default:
        break;
    }
  }
}

}  // namespace

Result<ConstExpr> read_const_expr(DecodeState& s) {
  const uint8_t* begin = s.r().pos();
  VIV_TRY(scan_to_end(s));
  ConstExpr e;
  e.code = Span{s.offset_of(begin), s.offset_of(s.r().pos())};
  return e;
}

Result<Span> scan_body(DecodeState& s) {
  const uint8_t* begin = s.r().pos();
  VIV_TRY(scan_to_end(s));
  return Span{s.offset_of(begin), s.offset_of(s.r().pos())};
}

}  // namespace vivarium::engine::decoder
