#include "engine/runtime/module_builder.h"

#include "engine/runtime/const_expr.h"
#include "engine/runtime/objects.h"

namespace vivarium::detail {
namespace {

void describe_imports(const vivarium::engine::ModuleIR& ir, std::vector<ImportDesc>& out) {
  out.reserve(ir.imports.size());
  for (const vivarium::engine::Import& im : ir.imports) {
    ImportDesc d;
    d.module = im.module;
    d.name = im.name;
    d.kind = im.kind;
    switch (im.kind) {
      case ExternKind::Func: d.func = ir.types[im.type_index]; break;
      case ExternKind::Table: d.table = im.table; break;
      case ExternKind::Memory: d.memory = im.memory; break;
      case ExternKind::Global: d.global = im.global; break;
    }
    out.push_back(std::move(d));
  }
}

void describe_exports(const vivarium::engine::ModuleIR& ir, std::vector<ExportDesc>& out) {
  out.reserve(ir.exports.size());
  for (const vivarium::engine::Export& ex : ir.exports) {
    ExportDesc d;
    d.name = ex.name;
    d.kind = ex.kind;
    d.index = ex.index;
    switch (ex.kind) {
      case ExternKind::Func: d.func = ir.func_type(ex.index); break;
      case ExternKind::Table: d.table = ir.table_type(ex.index); break;
      case ExternKind::Memory: d.memory = ir.memory_type(ex.index); break;
      case ExternKind::Global: d.global = ir.global_type(ex.index); break;
    }
    out.push_back(std::move(d));
  }
}

Result<void> plan_segments(const vivarium::engine::ModuleIR& ir, ModuleImpl& m) {
  m.global_inits.reserve(ir.globals.size());
  for (const vivarium::engine::Global& g : ir.globals) {
    VIV_TRY_ASSIGN(ConstOp op, decode_const_expr(ir, g.init));
    m.global_inits.push_back(op);
  }
  m.elems.reserve(ir.elems.size());
  for (const vivarium::engine::ElemSegment& seg : ir.elems) {
    ElemPlan p;
    p.mode = seg.mode;
    p.type = seg.type;
    p.table = seg.table;
    if (seg.mode == vivarium::engine::ElemSegment::Active) {
      VIV_TRY_ASSIGN(p.offset, decode_const_expr(ir, seg.offset));
    }
    p.items.reserve(seg.size());
    if (seg.uses_exprs) {
      for (const vivarium::engine::ConstExpr& e : seg.exprs) {
        VIV_TRY_ASSIGN(ConstOp op, decode_const_expr(ir, e));
        p.items.push_back(op);
      }
    } else {
      for (uint32_t f : seg.func_indices) {
        ConstOp op;
        op.kind = ConstOp::RefFunc;
        op.type = ValType::FuncRef;
        op.index = f;
        p.items.push_back(op);
      }
    }
    m.elems.push_back(std::move(p));
  }
  m.datas.reserve(ir.datas.size());
  for (const vivarium::engine::DataSegment& seg : ir.datas) {
    DataPlan p;
    p.mode = seg.mode;
    p.memory = seg.memory;
    p.init = seg.init;
    if (seg.mode == vivarium::engine::DataSegment::Active) {
      VIV_TRY_ASSIGN(p.offset, decode_const_expr(ir, seg.offset));
    }
    m.datas.push_back(p);
  }
  return {};
}

// Instantiation indexes instance vectors with what these plans hold, so an
// index the validator should have rejected must not reach it. The rules are
// the validator's; this only keeps a validator bug from becoming a host
// memory error.
Result<void> check_plans(const vivarium::engine::ModuleIR& ir, const ModuleImpl& m) {
  auto bad = [](const char* what) {
    return Error(ErrorCode::Internal, std::string("validated module has an out-of-range ") + what);
  };
  auto op_ok = [&](const ConstOp& op, uint32_t visible_globals) {
    if (op.kind == ConstOp::RefFunc) return op.index < ir.total_funcs();
    if (op.kind == ConstOp::GlobalGet) return op.index < visible_globals;
    return true;
  };
  // A global's initializer runs while later globals do not exist yet.
  for (const ConstOp& op : m.global_inits) {
    if (!op_ok(op, ir.num_imported_globals)) return bad("index in a global initializer");
  }
  for (const ElemPlan& p : m.elems) {
    if (p.mode == vivarium::engine::ElemSegment::Active && (p.table >= ir.total_tables() || !op_ok(p.offset, ir.total_globals()))) {
      return bad("table or offset in an element segment");
    }
    for (const ConstOp& op : p.items) {
      if (!op_ok(op, ir.total_globals())) return bad("element in an element segment");
    }
  }
  for (const DataPlan& p : m.datas) {
    if (p.mode == vivarium::engine::DataSegment::Active && (p.memory >= ir.total_memories() || !op_ok(p.offset, ir.total_globals()))) {
      return bad("memory or offset in a data segment");
    }
  }
  if (ir.start && *ir.start >= ir.total_funcs()) return bad("start function");
  for (const vivarium::engine::Export& e : ir.exports) {
    uint32_t n = e.kind == ExternKind::Func     ? ir.total_funcs()
                 : e.kind == ExternKind::Table  ? ir.total_tables()
                 : e.kind == ExternKind::Memory ? ir.total_memories()
                                                : ir.total_globals();
    if (e.index >= n) return bad("export index");
  }
  return {};
}


}  // namespace

Result<std::shared_ptr<const ModuleImpl>> build_module(std::unique_ptr<vivarium::engine::ModuleIR> ir, std::string file,
                                                       const Tier& tier) {
  auto m = std::make_shared<ModuleImpl>();
  m->file = std::move(file);
  m->tier = &tier;
  const vivarium::engine::ModuleIR& r = *ir;
  m->ir = std::move(ir);

  auto fail = [&](Error e) {
    if (e.where().file.empty()) e.where().file = m->file;
    return e;
  };
  auto artifact = tier.compile(r);
  if (!artifact) return fail(std::move(artifact).error());
  m->artifact = std::move(artifact).value();
  if (auto ok = plan_segments(r, *m); !ok) return fail(std::move(ok).error());
  if (auto ok = check_plans(r, *m); !ok) return fail(std::move(ok).error());

  describe_imports(r, m->imports);
  describe_exports(r, m->exports);
  // Keys view the names inside m->exports, which is complete and never changes again.
  m->export_index.reserve(m->exports.size());
  for (uint32_t i = 0; i < m->exports.size(); ++i) m->export_index.emplace(m->exports[i].name, i);
  return std::shared_ptr<const ModuleImpl>(std::move(m));
}

}  // namespace vivarium::detail
