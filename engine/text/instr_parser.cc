// Instructions (spec 6.5): plain and folded forms, encoded directly. Which
// immediates follow a mnemonic comes from the opcode table (ImmKind), so this
// file lists no opcodes except the structured ones and `select`.
#include <bit>
#include <cstring>

#include "engine/text/module_parser.h"
#include "engine/text/numbers.h"

namespace vivarium::engine::text {
namespace {

bool is_literal_token(const Token& t) {
  if (t.kind == TokKind::Keyword) return t.text != "nan:canonical" && t.text != "nan:arithmetic";
  return t.kind == TokKind::Number || t.kind == TokKind::Reserved;
}

// Keywords that open a clause, never an instruction: a misplaced clause is an
// unexpected token rather than an unknown operator.
bool is_clause_keyword(std::string_view k) {
  return k == "type" || k == "param" || k == "result" || k == "local" || k == "then" || k == "else" ||
         k == "export" || k == "import" || k == "item" || k == "offset";
}

// A token that can be a lane of v128.const (so lanes can be counted first).
bool is_lane_token(const Token& t) {
  if (t.kind == TokKind::Number || t.kind == TokKind::Reserved) return true;
  return t.kind == TokKind::Keyword && (t.text.substr(0, 3) == "nan" || t.text == "inf");
}

}  // namespace

Result<void> ModuleParser::emit_op(Op op, Bytes& out) {
  const OpInfo& oi = info(op);
  if (oi.prefix) {
    put_u8(out, oi.prefix);
    put_u32(out, oi.code);
  } else {
    put_u8(out, static_cast<uint8_t>(oi.code));
  }
  if (op == Op::memory_init || op == Op::data_drop) needs_data_count_ = true;
  return {};
}

Result<std::optional<std::string_view>> ModuleParser::parse_block_label() {
  if (c_.is(TokKind::Id)) return std::optional<std::string_view>(c_.next().text);
  return std::optional<std::string_view>();
}

Result<void> ModuleParser::check_end_label(std::string_view label) {
  if (!c_.is(TokKind::Id)) return {};
  const Token& t = c_.next();
  if (t.text != label) return c_.error_at(t, "mismatching label " + std::string(t.text));
  return {};
}

// One non-structured instruction and its immediates (`select` may carry
// result types, which the table cannot say).
Result<void> ModuleParser::parse_plain(FuncScope& fs, Bytes& out) {
  const Token& t = c_.next();
  std::optional<Op> op = lookup_text(t.text);
  if (!op) return c_.error_at(t, "unknown operator " + std::string(t.text));
  if (*op == Op::block || *op == Op::loop || *op == Op::if_ || *op == Op::else_ || *op == Op::end)
    return c_.unexpected(t);
  if (*op == Op::select && c_.is_open("result")) {
    std::vector<ValType> types;
    while (c_.is_open("result")) {
      c_.next();
      c_.next();
      while (!c_.is(TokKind::RParen)) {
        VIV_TRY_ASSIGN(ValType vt, parse_valtype());
        types.push_back(vt);
      }
      c_.next();
    }
    VIV_TRY(emit_op(Op::select_t, out));
    put_u32(out, types.size());
    for (ValType vt : types) put_u8(out, static_cast<uint8_t>(vt));
    return {};
  }
  VIV_TRY(emit_op(*op, out));
  return parse_immediates(*op, t, fs, out);
}

Result<void> ModuleParser::parse_instrs(FuncScope& fs, Bytes& out) { return run_instrs(fs, out, false); }
Result<void> ModuleParser::parse_folded(FuncScope& fs, Bytes& out) { return run_instrs(fs, out, true); }

// Opens `(` instr: structured instructions push a frame; any other
// instruction is encoded into its frame's `pending` bytes, which follow the
// folded operands once the `)` is reached.
Result<void> ModuleParser::open_folded(FuncScope& fs, Bytes& out, std::vector<InstrFrame>& st) {
  VIV_TRY(c_.expect(TokKind::LParen));
  const Token& t = c_.peek();
  if (t.kind != TokKind::Keyword || is_clause_keyword(t.text)) return c_.unexpected();
  std::optional<Op> op = lookup_text(t.text);
  if (!op) return c_.error_at(t, "unknown operator " + std::string(t.text));
  InstrFrame f;
  f.op = *op;
  if (*op == Op::block || *op == Op::loop || *op == Op::if_) {
    c_.next();
    VIV_TRY_ASSIGN(auto label, parse_block_label());
    f.label = label ? *label : std::string_view{};
    if (*op == Op::if_) {
      // The condition operands come before the `if` opcode: keep the block type.
      f.kind = InstrFrame::IfCond;
      VIV_TRY(parse_blocktype(f.pending));
    } else {
      f.kind = InstrFrame::FoldedBlock;
      VIV_TRY(emit_op(*op, out));
      VIV_TRY(parse_blocktype(out));
      fs.labels.push_back(f.label);
    }
  } else {
    f.kind = InstrFrame::FoldedOp;
    VIV_TRY(parse_plain(fs, f.pending));
  }
  st.push_back(std::move(f));
  return {};
}

// Instruction sequences, iteratively: nesting depth costs heap, not native
// stack, so deeply nested text cannot overflow the stack.
Result<void> ModuleParser::run_instrs(FuncScope& fs, Bytes& out, bool single_folded) {
  std::vector<InstrFrame> st;
  if (single_folded) VIV_TRY(open_folded(fs, out, st));
  for (;;) {
    if (single_folded && st.empty()) return {};
    InstrFrame* top = st.empty() ? nullptr : &st.back();
    const Token& t = c_.peek();
    if (top && top->kind == InstrFrame::IfCond) {
      if (t.kind == TokKind::LParen && !c_.is_open("then")) {
        VIV_TRY(open_folded(fs, out, st));
        continue;
      }
      VIV_TRY(emit_op(Op::if_, out));
      out.insert(out.end(), top->pending.begin(), top->pending.end());
      fs.labels.push_back(top->label);
      if (!c_.is_open("then")) return c_.unexpected();
      c_.next();
      c_.next();
      top->kind = InstrFrame::IfThen;
      continue;
    }
    if (top && top->kind == InstrFrame::FoldedOp) {
      if (t.kind == TokKind::LParen) {
        VIV_TRY(open_folded(fs, out, st));
        continue;
      }
      VIV_TRY(c_.expect(TokKind::RParen));
      out.insert(out.end(), top->pending.begin(), top->pending.end());
      st.pop_back();
      continue;
    }
    // An instruction sequence: the root, a block body, or a then/else arm.
    bool end_kw = t.kind == TokKind::Keyword && (t.text == "end" || t.text == "else");
    if (t.kind == TokKind::RParen || t.kind == TokKind::Eof || end_kw) {
      if (!top) return {};  // the caller checks what ends the sequence
      switch (top->kind) {
        case InstrFrame::PlainBlock:
          if (c_.is_keyword("else") && top->op == Op::if_ && !top->saw_else) {
            c_.next();
            VIV_TRY(check_end_label(top->label));
            put_u8(out, 0x05);
            top->saw_else = true;
            continue;
          }
          VIV_TRY(c_.expect_keyword("end"));
          VIV_TRY(check_end_label(top->label));
          break;
        case InstrFrame::IfThen:
          VIV_TRY(c_.expect(TokKind::RParen));
          if (c_.is_open("else")) {
            c_.next();
            c_.next();
            put_u8(out, 0x05);
            top->kind = InstrFrame::IfElse;
            continue;
          }
          VIV_TRY(c_.expect(TokKind::RParen));
          break;
        case InstrFrame::IfElse:
          VIV_TRY(c_.expect(TokKind::RParen));
          VIV_TRY(c_.expect(TokKind::RParen));
          break;
        default:  // FoldedBlock
          VIV_TRY(c_.expect(TokKind::RParen));
          break;
      }
      put_u8(out, 0x0B);
      fs.labels.pop_back();
      st.pop_back();
      continue;
    }
    if (t.kind == TokKind::LParen) {
      VIV_TRY(open_folded(fs, out, st));
      continue;
    }
    if (t.kind != TokKind::Keyword) return c_.unexpected();
    std::optional<Op> op = lookup_text(t.text);
    if (op && (*op == Op::block || *op == Op::loop || *op == Op::if_)) {
      c_.next();
      VIV_TRY_ASSIGN(auto label, parse_block_label());
      InstrFrame f;
      f.kind = InstrFrame::PlainBlock;
      f.op = *op;
      f.label = label ? *label : std::string_view{};
      VIV_TRY(emit_op(*op, out));
      VIV_TRY(parse_blocktype(out));
      fs.labels.push_back(f.label);
      st.push_back(std::move(f));
      continue;
    }
    VIV_TRY(parse_plain(fs, out));
  }
}

Result<void> ModuleParser::parse_memarg(uint32_t natural_log2, Bytes& out) {
  uint64_t offset = 0;
  uint32_t align_log2 = natural_log2;
  auto value = [&](std::string_view prefix, uint64_t& v) -> Result<bool> {
    const Token& t = c_.peek();
    if (t.kind != TokKind::Keyword || t.text.substr(0, prefix.size()) != prefix) return false;
    NumStatus st = parse_nat(t.text.substr(prefix.size()), UINT32_MAX, v);
    if (st == NumStatus::Syntax) return c_.error_at(t, "unknown operator " + std::string(t.text));
    if (st == NumStatus::Range) return c_.error_at(t, "i32 constant out of range");
    c_.next();
    return true;
  };
  VIV_TRY_ASSIGN(bool has_offset, value("offset=", offset));
  (void)has_offset;
  const Token& at = c_.peek();
  uint64_t align = 0;
  VIV_TRY_ASSIGN(bool has_align, value("align=", align));
  if (has_align) {
    if (align == 0 || (align & (align - 1)) != 0) return c_.error_at(at, "alignment must be a power of two");
    align_log2 = static_cast<uint32_t>(std::countr_zero(align));
  }
  put_u32(out, align_log2);
  put_u32(out, offset);
  return {};
}

Result<void> ModuleParser::parse_v128_const(Bytes& out) {
  const Token& shape = c_.peek();
  if (shape.kind != TokKind::Keyword) return c_.unexpected();
  std::string_view s = shape.text;
  unsigned lanes, bits;
  bool is_float = false;
  if (s == "i8x16") { lanes = 16; bits = 8; }
  else if (s == "i16x8") { lanes = 8; bits = 16; }
  else if (s == "i32x4") { lanes = 4; bits = 32; }
  else if (s == "i64x2") { lanes = 2; bits = 64; }
  else if (s == "f32x4") { lanes = 4; bits = 32; is_float = true; }
  else if (s == "f64x2") { lanes = 2; bits = 64; is_float = true; }
  else return c_.error_at(shape, "unexpected token");
  c_.next();
  unsigned given = 0;
  while (is_lane_token(c_.peek(given))) ++given;
  if (given != lanes) return c_.error_at(c_.peek(given < lanes ? given : lanes), "wrong number of lane literals");
  uint8_t bytes[16];
  for (unsigned i = 0; i < lanes; ++i) {
    const Token& t = c_.peek();
    uint64_t v = 0;
    NumStatus st;
    if (is_float && bits == 32) {
      uint32_t b;
      st = parse_f32(t.text, b);
      v = b;
    } else if (is_float) {
      st = parse_f64(t.text, v);
    } else {
      st = parse_int(t.text, bits, v);
    }
    if (st == NumStatus::Syntax) return c_.error_at(t, "unknown operator " + std::string(t.text));
    if (st == NumStatus::Range) return c_.error_at(t, "constant out of range");
    c_.next();
    unsigned nb = bits / 8;
    for (unsigned k = 0; k < nb; ++k) bytes[i * nb + k] = static_cast<uint8_t>(v >> (8 * k));
  }
  put_fixed(out, bytes, 16);
  return {};
}

Result<void> ModuleParser::parse_immediates(Op op, const Token& op_tok, FuncScope& fs, Bytes& out) {
  const OpInfo& oi = info(op);
  auto literal_error = [&](const Token& t, NumStatus st) -> Error {
    if (!is_literal_token(t)) return c_.unexpected(t);
    if (st == NumStatus::Range) return c_.error_at(t, "constant out of range");
    return c_.error_at(t, "unknown operator " + std::string(t.text));
  };
  // A lane index is a natural number < 256; `-1` is not even a natural.
  auto lane = [&]() -> Result<uint8_t> {
    const Token& t = c_.peek();
    if (t.kind != TokKind::Number) return c_.unexpected();
    uint64_t v;
    NumStatus st = parse_nat(t.text, 255, v);
    if (st == NumStatus::Syntax) return c_.unexpected();  // -1, 1.5: not a natural number
    if (st == NumStatus::Range) return c_.error_at(t, "malformed lane index");
    c_.next();
    return static_cast<uint8_t>(v);
  };
  switch (oi.imm) {
    case ImmKind::None:
      return {};
    case ImmKind::Block:
    case ImmKind::SelectT:
      return c_.unexpected(op_tok);  // handled by the callers
    case ImmKind::Label: {
      VIV_TRY_ASSIGN(uint32_t l, parse_label(fs));
      put_u32(out, l);
      return {};
    }
    case ImmKind::LabelTable: {
      std::vector<uint32_t> ls;
      while (at_index()) {
        VIV_TRY_ASSIGN(uint32_t l, parse_label(fs));
        ls.push_back(l);
      }
      if (ls.empty()) return c_.unexpected();
      put_u32(out, ls.size() - 1);
      for (uint32_t l : ls) put_u32(out, l);
      return {};
    }
    case ImmKind::Func: {
      VIV_TRY_ASSIGN(uint32_t f, parse_index(kFuncs));
      put_u32(out, f);
      return {};
    }
    case ImmKind::CallIndirect: {
      uint32_t table = 0;
      if (at_index()) {
        VIV_TRY_ASSIGN(table, parse_index(kTables));
      }
      VIV_TRY_ASSIGN(uint32_t ti, parse_typeuse(nullptr, false));
      put_u32(out, ti);
      put_u32(out, table);
      return {};
    }
    case ImmKind::Local: {
      VIV_TRY_ASSIGN(uint32_t l, parse_local(fs));
      put_u32(out, l);
      return {};
    }
    case ImmKind::Global: {
      VIV_TRY_ASSIGN(uint32_t g, parse_index(kGlobals));
      put_u32(out, g);
      return {};
    }
    case ImmKind::Table: {
      uint32_t t = 0;
      if (at_index()) {
        VIV_TRY_ASSIGN(t, parse_index(kTables));
      }
      put_u32(out, t);
      return {};
    }
    case ImmKind::Elem: {
      VIV_TRY_ASSIGN(uint32_t e, parse_index(kElems));
      put_u32(out, e);
      return {};
    }
    case ImmKind::Data: {
      VIV_TRY_ASSIGN(uint32_t d, parse_index(kDatas));
      put_u32(out, d);
      return {};
    }
    case ImmKind::MemArg:
      return parse_memarg(oi.aux, out);
    case ImmKind::MemArgLane: {
      VIV_TRY(parse_memarg(oi.aux, out));
      VIV_TRY_ASSIGN(uint8_t l, lane());
      put_u8(out, l);
      return {};
    }
    case ImmKind::Mem:
      put_u8(out, 0x00);
      return {};
    case ImmKind::MemoryInit: {
      VIV_TRY_ASSIGN(uint32_t d, parse_index(kDatas));
      put_u32(out, d);
      put_u8(out, 0x00);
      return {};
    }
    case ImmKind::MemoryCopy:
      put_u8(out, 0x00);
      put_u8(out, 0x00);
      return {};
    case ImmKind::TableInit: {
      // table.init elem | table.init table elem
      size_t save = c_.pos();
      if (!at_index()) return c_.unexpected();
      c_.next();
      bool two = at_index();
      c_.seek(save);
      uint32_t table = 0;
      if (two) {
        VIV_TRY_ASSIGN(table, parse_index(kTables));
      }
      VIV_TRY_ASSIGN(uint32_t elem, parse_index(kElems));
      put_u32(out, elem);
      put_u32(out, table);
      return {};
    }
    case ImmKind::TableCopy: {
      uint32_t dst = 0, src = 0;
      if (at_index()) {
        VIV_TRY_ASSIGN(dst, parse_index(kTables));
        VIV_TRY_ASSIGN(src, parse_index(kTables));
      }
      put_u32(out, dst);
      put_u32(out, src);
      return {};
    }
    case ImmKind::I32:
    case ImmKind::I64: {
      const Token& t = c_.peek();
      uint64_t v = 0;
      unsigned bits = oi.imm == ImmKind::I32 ? 32 : 64;
      NumStatus st = t.kind == TokKind::Number ? parse_int(t.text, bits, v) : NumStatus::Syntax;
      if (st != NumStatus::Ok) return literal_error(t, st);
      c_.next();
      int64_t s = bits == 32 ? static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(v)))
                             : static_cast<int64_t>(v);
      put_s64(out, s);
      return {};
    }
    case ImmKind::F32: {
      const Token& t = c_.peek();
      uint32_t b = 0;
      NumStatus st = is_literal_token(t) ? parse_f32(t.text, b) : NumStatus::Syntax;
      if (st != NumStatus::Ok) return literal_error(t, st);
      c_.next();
      put_fixed(out, &b, 4);
      return {};
    }
    case ImmKind::F64: {
      const Token& t = c_.peek();
      uint64_t b = 0;
      NumStatus st = is_literal_token(t) ? parse_f64(t.text, b) : NumStatus::Syntax;
      if (st != NumStatus::Ok) return literal_error(t, st);
      c_.next();
      put_fixed(out, &b, 8);
      return {};
    }
    case ImmKind::V128:
      return parse_v128_const(out);
    case ImmKind::Shuffle: {
      uint8_t lanes[16];
      unsigned n = 0;
      while (is_lane_token(c_.peek())) {
        const Token& t = c_.next();
        uint64_t v;
        if (parse_nat(t.text, 255, v) != NumStatus::Ok) return c_.error_at(t, "malformed lane index");
        if (n == 16) return c_.error_at(t, "invalid lane length");
        lanes[n++] = static_cast<uint8_t>(v);
      }
      if (n != 16) return c_.error("invalid lane length");
      put_fixed(out, lanes, 16);
      return {};
    }
    case ImmKind::Lane: {
      VIV_TRY_ASSIGN(uint8_t l, lane());
      put_u8(out, l);
      return {};
    }
    case ImmKind::RefType: {
      const Token& t = c_.peek();
      if (c_.is_keyword("func")) put_u8(out, 0x70);
      else if (c_.is_keyword("extern")) put_u8(out, 0x6F);
      else if (t.kind == TokKind::Keyword) return c_.error_at(t, "unknown operator " + std::string(t.text));
      else return c_.unexpected();
      c_.next();
      return {};
    }
  }
  return {};
}

}  // namespace vivarium::engine::text
