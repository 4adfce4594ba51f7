// Constant expressions (spec 3.3.10, 4.5.4): decoded once at compile time into
// a ConstOp, evaluated per instantiation without re-reading bytes.
#pragma once
#include "engine/module/module.h"
#include "engine/runtime/module_impl.h"
#include "engine/runtime/objects.h"

namespace vivarium::detail {

// Decodes a validated constant expression. Errors only on inputs validation
// would have rejected (kept as errors rather than asserts: defense in depth).
Result<ConstOp> decode_const_expr(const vivarium::engine::ModuleIR& m, const vivarium::engine::ConstExpr& e);

// Evaluates `op` in `inst` (whose funcs and imported globals are in place)
// into slot layout.
void eval_const(const ConstOp& op, const InstanceImpl& inst, uint64_t out[2]);

// Same, for an expression that yields a reference (element segment items).
inline void* eval_ref(const ConstOp& op, const InstanceImpl& inst) {
  uint64_t v[2];
  eval_const(op, inst, v);
  return reinterpret_cast<void*>(static_cast<uintptr_t>(v[0]));
}

}  // namespace vivarium::detail
