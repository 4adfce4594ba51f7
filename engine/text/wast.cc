// WAST scripts: the spec test-suite's commands around modules. Text modules
// are encoded here (by the same ModuleParser as wat_to_binary); a module that
// fails to encode is recorded in its Command instead of failing the script,
// because assert_malformed and friends expect exactly that.
#include "engine/text/wast.h"

#include <cstring>

#include "engine/text/cursor.h"
#include "engine/text/module_parser.h"
#include "engine/text/numbers.h"

namespace vivarium::engine {
namespace {

using text::Cursor;
using text::NumStatus;
using text::Token;
using text::TokKind;
using vivarium::Error;
using vivarium::Result;
using vivarium::ValType;
using vivarium::Value;

class WastParser {
 public:
  WastParser(const text::Tokens& t, std::string_view file) : c_(t, file) {}

  Result<Script> run(std::string file) {
    Script s;
    s.file = std::move(file);
    if (bare_module()) {
      // A script may also be one module written as bare fields.
      Command cmd;
      cmd.kind = Command::Module;
      cmd.form = Command::Text;
      cmd.line = c_.peek().line;
      cmd.column = c_.peek().column;
      text::ModuleParser p(c_.tokens(), c_.file(), 0, c_.tokens().toks.size() - 1);
      auto r = p.run({});
      if (!r.ok()) return std::move(r).error();
      cmd.binary = std::move(r).value();
      s.commands.push_back(std::move(cmd));
      return s;
    }
    while (!c_.is(TokKind::Eof)) {
      Command cmd;
      VIV_TRY(command(cmd));
      s.commands.push_back(std::move(cmd));
    }
    return s;
  }

 private:
  bool bare_module() const {
    static const char* const kFields[] = {"type", "import", "func",  "table", "memory",
                                          "global", "export", "start", "elem",  "data"};
    if (!c_.is(TokKind::LParen)) return false;
    for (const char* f : kFields)
      if (c_.is_keyword(f, 1)) return true;
    return false;
  }

  Result<void> command(Command& cmd) {
    const Token& open = c_.peek();
    cmd.line = open.line;
    cmd.column = open.column;
    if (c_.is_open("module")) {
      cmd.kind = Command::Module;
      return module(cmd);
    }
    VIV_TRY(c_.expect(TokKind::LParen));
    const Token& kw = c_.next();
    std::string_view k = kw.kind == TokKind::Keyword ? kw.text : std::string_view{};
    if (k == "register") {
      cmd.kind = Command::Register;
      VIV_TRY_ASSIGN(cmd.register_name, c_.expect_string());
      if (c_.is(TokKind::Id)) cmd.module_id = std::string(c_.next().text);
    } else if (k == "invoke" || k == "get") {
      cmd.kind = Command::PerformAction;
      cmd.has_action = true;
      VIV_TRY(action_body(k, cmd.action));
    } else if (k == "assert_return") {
      cmd.kind = Command::AssertReturn;
      cmd.has_action = true;
      VIV_TRY(action(cmd.action));
      while (c_.is(TokKind::LParen)) {
        Expected e;
        VIV_TRY(expected(e));
        cmd.expected.push_back(std::move(e));
      }
    } else if (k == "assert_trap" || k == "assert_exhaustion") {
      cmd.kind = k == "assert_trap" ? Command::AssertTrap : Command::AssertExhaustion;
      if (c_.is_open("module")) {
        VIV_TRY(module(cmd));
      } else {
        cmd.has_action = true;
        VIV_TRY(action(cmd.action));
      }
      VIV_TRY_ASSIGN(cmd.message, c_.expect_string());
    } else if (k == "assert_invalid" || k == "assert_malformed" || k == "assert_unlinkable" ||
               k == "assert_uninstantiable") {
      cmd.kind = k == "assert_invalid"      ? Command::AssertInvalid
                 : k == "assert_malformed"  ? Command::AssertMalformed
                 : k == "assert_unlinkable" ? Command::AssertUnlinkable
                                            : Command::AssertUninstantiable;
      if (!c_.is_open("module")) return c_.unexpected();
      VIV_TRY(module(cmd));
      VIV_TRY_ASSIGN(cmd.message, c_.expect_string());
    } else {
      return c_.error_at(kw, "unknown command " + std::string(kw.text));
    }
    return c_.expect(TokKind::RParen);
  }

  // (module $id? field*) | (module $id? binary "..."*) | (module $id? quote "..."*)
  Result<void> module(Command& cmd) {
    size_t open = c_.pos();
    size_t close = c_.tokens().toks[open].match;
    c_.next();
    c_.next();
    std::string_view id;
    if (c_.is(TokKind::Id)) {
      id = c_.next().text;
      cmd.module_id = std::string(id);
    }
    if (c_.is_keyword("binary") || c_.is_keyword("quote")) {
      bool binary = c_.next().text == "binary";
      std::string data;
      while (c_.is(TokKind::String)) data += text::decode_string(c_.next().text);
      VIV_TRY(c_.expect(TokKind::RParen));
      if (binary) {
        cmd.form = Command::Binary;
        cmd.binary.assign(data.begin(), data.end());
      } else {
        cmd.form = Command::Quote;
        cmd.quote = std::move(data);
      }
      return {};
    }
    cmd.form = Command::Text;
    if (c_.tokens().toks[close].kind != TokKind::RParen) return c_.unexpected(c_.tokens().toks[close]);
    text::ModuleParser p(c_.tokens(), c_.file(), c_.pos(), close);
    auto r = p.run(id);
    if (r.ok()) {
      cmd.binary = std::move(r).value();
    } else {
      cmd.encode_failed = true;
      cmd.encode_error = std::move(r).error();
    }
    c_.seek(close + 1);
    return {};
  }

  Result<void> action(Action& a) {
    VIV_TRY(c_.expect(TokKind::LParen));
    const Token& kw = c_.next();
    if (kw.kind != TokKind::Keyword || (kw.text != "invoke" && kw.text != "get")) return c_.unexpected(kw);
    VIV_TRY(action_body(kw.text, a));
    return c_.expect(TokKind::RParen);
  }

  // After "invoke"/"get": $id? "name" args*
  Result<void> action_body(std::string_view kind, Action& a) {
    a.kind = kind == "invoke" ? Action::Invoke : Action::Get;
    if (c_.is(TokKind::Id)) a.module_id = std::string(c_.next().text);
    VIV_TRY_ASSIGN(a.field, c_.expect_string());
    if (a.kind == Action::Invoke) {
      while (c_.is(TokKind::LParen)) {
        ScriptArg arg;
        VIV_TRY(argument(arg));
        a.args.push_back(std::move(arg));
      }
    }
    return {};
  }

  Error literal_error(const Token& t, NumStatus st) {
    if (st == NumStatus::Range) return c_.error_at(t, "constant out of range");
    if (t.kind == TokKind::Number || t.kind == TokKind::Keyword) return c_.error_at(t, "unknown operator");
    return c_.unexpected(t);
  }

  Result<Value> scalar(std::string_view op) {
    const Token& t = c_.peek();
    NumStatus st = NumStatus::Syntax;
    Value v;
    if (op == "i32.const" || op == "i64.const") {
      uint64_t x = 0;
      bool i32 = op == "i32.const";
      if (t.kind == TokKind::Number) st = text::parse_int(t.text, i32 ? 32 : 64, x);
      v = i32 ? Value::i32(static_cast<int32_t>(static_cast<uint32_t>(x))) : Value::i64(static_cast<int64_t>(x));
    } else if (op == "f32.const") {
      uint32_t b = 0;
      if (t.kind == TokKind::Number || t.kind == TokKind::Keyword) st = text::parse_f32(t.text, b);
      v = Value::f32_bits(b);
    } else {
      uint64_t b = 0;
      if (t.kind == TokKind::Number || t.kind == TokKind::Keyword) st = text::parse_f64(t.text, b);
      v = Value::f64_bits(b);
    }
    if (st != NumStatus::Ok) return literal_error(t, st);
    c_.next();
    return v;
  }

  struct Shape {
    unsigned lanes = 0, bits = 0;
    bool is_float = false;
  };
  Result<Shape> shape() {
    const Token& t = c_.peek();
    Shape s;
    std::string_view k = t.kind == TokKind::Keyword ? t.text : std::string_view{};
    if (k == "i8x16") s = {16, 8, false};
    else if (k == "i16x8") s = {8, 16, false};
    else if (k == "i32x4") s = {4, 32, false};
    else if (k == "i64x2") s = {2, 64, false};
    else if (k == "f32x4") s = {4, 32, true};
    else if (k == "f64x2") s = {2, 64, true};
    else return c_.unexpected();
    c_.next();
    return s;
  }

  // One v128 lane; nan patterns allowed only when `patterns` is set.
  Result<ExpectedLane> lane(const Shape& s, bool patterns) {
    const Token& t = c_.peek();
    ExpectedLane l;
    if (patterns && s.is_float && t.kind == TokKind::Keyword &&
        (t.text == "nan:canonical" || t.text == "nan:arithmetic")) {
      l.kind = t.text == "nan:canonical" ? ExpectedLane::NanCanonical : ExpectedLane::NanArithmetic;
      c_.next();
      return l;
    }
    if (t.kind != TokKind::Number && t.kind != TokKind::Keyword) return c_.error_at(t, "wrong number of lane literals");
    NumStatus st;
    if (!s.is_float) {
      st = text::parse_int(t.text, s.bits, l.bits);
    } else if (s.bits == 32) {
      uint32_t b = 0;
      st = text::parse_f32(t.text, b);
      l.bits = b;
    } else {
      st = text::parse_f64(t.text, l.bits);
    }
    if (st != NumStatus::Ok) return literal_error(t, st);
    c_.next();
    return l;
  }

  static vivarium::V128 pack(const Shape& s, const std::vector<ExpectedLane>& lanes) {
    vivarium::V128 v;
    unsigned nb = s.bits / 8;
    for (unsigned i = 0; i < s.lanes; ++i)
      for (unsigned k = 0; k < nb; ++k) v.bytes[i * nb + k] = static_cast<uint8_t>(lanes[i].bits >> (8 * k));
    return v;
  }

  Result<void> argument(ScriptArg& arg) {
    VIV_TRY(c_.expect(TokKind::LParen));
    const Token& op = c_.next();
    std::string_view k = op.kind == TokKind::Keyword ? op.text : std::string_view{};
    if (k == "i32.const" || k == "i64.const" || k == "f32.const" || k == "f64.const") {
      VIV_TRY_ASSIGN(arg.value, scalar(k));
    } else if (k == "v128.const") {
      VIV_TRY_ASSIGN(Shape s, shape());
      std::vector<ExpectedLane> lanes;
      for (unsigned i = 0; i < s.lanes; ++i) {
        VIV_TRY_ASSIGN(ExpectedLane l, lane(s, false));
        lanes.push_back(l);
      }
      arg.value = Value::v128(pack(s, lanes));
    } else if (k == "ref.null") {
      VIV_TRY_ASSIGN(ValType t, heap_type());
      arg.value = Value::null_of(t);
    } else if (k == "ref.extern") {
      VIV_TRY_ASSIGN(arg.extern_id, extern_id());
      arg.is_extern = true;
      arg.value = Value::null_of(ValType::ExternRef);
    } else {
      return c_.error_at(op, "unknown operator " + std::string(op.text));
    }
    return c_.expect(TokKind::RParen);
  }

  Result<ValType> heap_type() {
    if (c_.is_keyword("func")) { c_.next(); return ValType::FuncRef; }
    if (c_.is_keyword("extern")) { c_.next(); return ValType::ExternRef; }
    return c_.unexpected();
  }

  Result<uint32_t> extern_id() {
    const Token& t = c_.peek();
    uint64_t v;
    if (t.kind != TokKind::Number || text::parse_nat(t.text, UINT32_MAX, v) != NumStatus::Ok) return c_.unexpected();
    c_.next();
    return static_cast<uint32_t>(v);
  }

  Result<void> expected(Expected& e) {
    VIV_TRY(c_.expect(TokKind::LParen));
    const Token& op = c_.next();
    std::string_view k = op.kind == TokKind::Keyword ? op.text : std::string_view{};
    if (k == "f32.const" || k == "f64.const") {
      e.type = k == "f32.const" ? ValType::F32 : ValType::F64;
      if (c_.is_keyword("nan:canonical") || c_.is_keyword("nan:arithmetic")) {
        e.kind = c_.next().text == "nan:canonical" ? Expected::NanCanonical : Expected::NanArithmetic;
      } else {
        VIV_TRY_ASSIGN(e.value, scalar(k));
      }
    } else if (k == "i32.const" || k == "i64.const") {
      e.type = k == "i32.const" ? ValType::I32 : ValType::I64;
      VIV_TRY_ASSIGN(e.value, scalar(k));
    } else if (k == "v128.const") {
      e.type = ValType::V128;
      VIV_TRY_ASSIGN(Shape s, shape());
      bool any_pattern = false;
      for (unsigned i = 0; i < s.lanes; ++i) {
        VIV_TRY_ASSIGN(ExpectedLane l, lane(s, true));
        any_pattern |= l.kind != ExpectedLane::Exact;
        e.lanes.push_back(l);
      }
      e.lane_bits = static_cast<uint8_t>(s.bits);
      e.lane_float = s.is_float;
      if (any_pattern) {
        e.kind = Expected::V128Lanes;
      } else {
        e.value = Value::v128(pack(s, e.lanes));
      }
    } else if (k == "ref.null") {
      e.kind = Expected::RefNull;
      VIV_TRY_ASSIGN(e.type, heap_type());
      e.value = Value::null_of(e.type);
    } else if (k == "ref.extern") {
      e.kind = Expected::RefExtern;
      e.type = ValType::ExternRef;
      VIV_TRY_ASSIGN(e.extern_id, extern_id());
    } else if (k == "ref.func") {
      e.kind = Expected::RefFunc;
      e.type = ValType::FuncRef;
      // An optional function index/name is accepted and not compared.
      if (c_.is(TokKind::Number) || c_.is(TokKind::Id)) c_.next();
    } else {
      return c_.error_at(op, "unknown operator " + std::string(op.text));
    }
    return c_.expect(TokKind::RParen);
  }

  Cursor c_;
};

}  // namespace

vivarium::Result<Script> parse_wast(std::string_view text, std::string file) {
  text::Tokens toks = text::tokenize(text);
  // The cursor keeps a view of `file` for error locations: pass a copy to the
  // script and keep `file` itself alive (moving a short, in-place string
  // would leave the view pointing at garbage).
  WastParser p(toks, file);
  return p.run(file);
}

}  // namespace vivarium::engine
