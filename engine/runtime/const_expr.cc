#include "engine/runtime/const_expr.h"

#include <cstring>

#include "engine/binary/instr.h"

namespace vivarium::detail {

Result<ConstOp> decode_const_expr(const vivarium::engine::ModuleIR& m, const vivarium::engine::ConstExpr& e) {
  vivarium::engine::InstrReader r(m.span(e.code), e.code.begin);
  vivarium::engine::Instr in;
  VIV_TRY(r.next(in));
  ConstOp op;
  switch (in.op) {
    case vivarium::engine::Op::i32_const:
      op.type = ValType::I32;
      op.bits[0] = static_cast<uint32_t>(in.i32);
      break;
    case vivarium::engine::Op::i64_const:
      op.type = ValType::I64;
      op.bits[0] = static_cast<uint64_t>(in.i64);
      break;
    case vivarium::engine::Op::f32_const:
      op.type = ValType::F32;
      op.bits[0] = in.f32_bits;
      break;
    case vivarium::engine::Op::f64_const:
      op.type = ValType::F64;
      op.bits[0] = in.f64_bits;
      break;
    case vivarium::engine::Op::v128_const:
      op.type = ValType::V128;
      std::memcpy(op.bits, in.v128.bytes, 16);
      break;
    case vivarium::engine::Op::ref_null:
      op.kind = ConstOp::RefNull;
      op.type = in.ref_type;
      break;
    case vivarium::engine::Op::ref_func:
      op.kind = ConstOp::RefFunc;
      op.type = ValType::FuncRef;
      op.index = in.index;
      break;
    case vivarium::engine::Op::global_get:
      if (in.index >= m.total_globals()) {
        return Error(ErrorCode::UnknownIndex, "unknown global " + std::to_string(in.index),
                     Location{.offset = in.offset});
      }
      op.kind = ConstOp::GlobalGet;
      op.type = m.global_type(in.index).type;
      op.index = in.index;
      break;
    default:
      return Error(ErrorCode::Invalid, "constant expression required", Location{.offset = in.offset});
  }
  vivarium::engine::Instr end;
  VIV_TRY(r.next(end));
  if (end.op != vivarium::engine::Op::end || !r.at_end()) {
    return Error(ErrorCode::Invalid, "constant expression required", Location{.offset = end.offset});
  }
  return op;
}

void eval_const(const ConstOp& op, const InstanceImpl& inst, uint64_t out[2]) {
  switch (op.kind) {
    case ConstOp::Value:
      out[0] = op.bits[0];
      out[1] = op.bits[1];
      return;
    case ConstOp::RefNull:
      out[0] = out[1] = 0;
      return;
    case ConstOp::RefFunc:
      out[0] = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(inst.funcs[op.index]));
      out[1] = 0;
      return;
    case ConstOp::GlobalGet: {
      const GlobalInst* g = inst.globals[op.index];
      out[0] = g->slots[0];
      out[1] = g->slots[1];
      return;
    }
  }
}

}  // namespace vivarium::detail
