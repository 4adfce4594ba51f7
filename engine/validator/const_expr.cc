// Constant expressions (spec 3.3.10 "Constant Expressions"): the initializers
// of globals, segment offsets and element expressions. In 2.0 an expression
// is constant when it only uses t.const, ref.null, ref.func and global.get of
// an immutable global visible to it (the imported ones), and it must leave
// exactly one value of the expected type.
#include <string>

#include "engine/validator/validator.h"

namespace vivarium::engine {
namespace {

Error const_error(ErrorCode code, std::string msg, uint64_t offset) {
  Location loc;
  loc.offset = offset;
  return Error(code, std::move(msg), std::move(loc));
}

}  // namespace

Result<void> validate_const_expr(const ModuleIR& m, const ConstExpr& e, ValType expected, uint32_t visible_globals) {
  InstrReader r(m.span(e.code), e.code.begin);
  Instr in;
  // Constant instructions only push, so the final stack is described by how
  // many values were pushed and the type of the last one.
  uint32_t count = 0;
  ValType top = kUnknownType;
  bool ended = false;
  while (!r.at_end() && !ended) {
    VIV_TRY(r.next(in));
    ValType pushed = kUnknownType;
    switch (in.op) {
      case Op::i32_const: pushed = ValType::I32; break;
      case Op::i64_const: pushed = ValType::I64; break;
      case Op::f32_const: pushed = ValType::F32; break;
      case Op::f64_const: pushed = ValType::F64; break;
      case Op::v128_const: pushed = ValType::V128; break;
      case Op::ref_null: pushed = in.ref_type; break;
      case Op::ref_func:
        if (in.index >= m.total_funcs())
          return const_error(ErrorCode::UnknownIndex, "unknown function " + std::to_string(in.index), in.offset);
        pushed = ValType::FuncRef;
        break;
      case Op::global_get: {
        if (in.index >= visible_globals) {
          return const_error(ErrorCode::UnknownIndex,
                             "unknown global " + std::to_string(in.index) +
                                 " (constant expressions may only read imported globals)",
                             in.offset);
        }
        GlobalType g = m.global_type(in.index);
        if (g.mut) {
          return const_error(ErrorCode::Invalid,
                             "constant expression required: global " + std::to_string(in.index) + " is mutable",
                             in.offset);
        }
        pushed = g.type;
        break;
      }
      case Op::end:
        ended = true;
        continue;
      default:
        return const_error(ErrorCode::Invalid,
                           "constant expression required: " + std::string(name(in.op)) + " is not constant",
                           in.offset);
    }
    ++count;
    top = pushed;
  }
  if (count != 1 || top != expected) {
    std::string got = count == 0   ? std::string("nothing")
                      : count > 1 ? std::to_string(count) + " values"
                                  : std::string(vivarium::to_string(top));
    return const_error(ErrorCode::TypeMismatch,
                       std::string("type mismatch: constant expression must produce ") +
                           vivarium::to_string(expected) + ", produces " + got,
                       e.code.begin);
  }
  return {};
}

}  // namespace vivarium::engine
