#include "engine/validator/declared_funcs.h"

#include "engine/binary/reader.h"

namespace vivarium::engine {
namespace {

// A 2.0 constant expression that mentions a function is `ref.func x end`; a
// longer expression is not constant in 2.0 and fails module validation, so
// only the first instruction can declare anything that matters.
void scan_const_expr(const ModuleIR& m, const ConstExpr& e, std::vector<uint8_t>& out) {
  std::span<const uint8_t> code = m.span(e.code);
  if (code.empty() || code[0] != 0xD2) return;  // ref.func
  Reader r(code.subspan(1));
  Result<uint32_t> idx = r.u32();
  if (idx.ok() && *idx < out.size()) out[*idx] = 1;
}

}  // namespace

void collect_declared_funcs(const ModuleIR& m, std::vector<uint8_t>& out) {
  out.assign(m.total_funcs(), 0);
  for (const ElemSegment& seg : m.elems) {
    if (seg.uses_exprs) {
      for (const ConstExpr& e : seg.exprs) scan_const_expr(m, e, out);
    } else {
      for (uint32_t f : seg.func_indices)
        if (f < out.size()) out[f] = 1;
    }
  }
  for (const Export& ex : m.exports)
    if (ex.kind == ExternKind::Func && ex.index < out.size()) out[ex.index] = 1;
  for (const Global& g : m.globals) scan_const_expr(m, g.init, out);
}

}  // namespace vivarium::engine
