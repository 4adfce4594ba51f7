// FuncValidator: the spec's validation algorithm (Appendix A.3) over one
// function body. Operands are a stack of value types whose bottom becomes
// polymorphic (kUnknownType) after an unconditional branch; control frames
// record the label types and the operand height at entry.
//
// Instructions with a fixed signature in the opcode table are typed from it;
// only rows marked `special` are typed by hand in step(). Immediates that
// refer to module entities are checked here, each in one place.
//
// Speed: the stacks are vectors reused across instructions; the only
// allocations after construction are vector growth and error messages.
#include <algorithm>
#include <string>

#include "engine/validator/declared_funcs.h"
#include "engine/validator/validator.h"

namespace vivarium::engine {
namespace {

// Block types with a single result point into this table, so a CtrlFrame's
// spans never dangle when the control stack grows.
constexpr ValType kSingleTypes[] = {ValType::I32,  ValType::I64,     ValType::F32,      ValType::F64,
                                    ValType::V128, ValType::FuncRef, ValType::ExternRef};

std::span<const ValType> single(ValType t) {
  for (const ValType& s : kSingleTypes)
    if (s == t) return {&s, 1};
  return {};
}

const char* type_name(ValType t) { return t == kUnknownType ? "unknown" : vivarium::to_string(t); }

bool is_num_or_vec(ValType t) { return is_num(t) || t == ValType::V128; }

const FuncType& empty_func_type() {
  static const FuncType t;
  return t;
}

}  // namespace

struct FuncValidator::State {
  const ModuleIR& m;
  uint32_t func_index;
  const FuncType* type;

  std::vector<ValType> locals;  // params, then declared locals

  std::vector<ValType> vals;
  std::vector<CtrlFrame> ctrls;
  bool done = false;  // the function's final `end` has been seen
  uint64_t body_end = 0;  // module offset just past the body, for finish()'s errors

  // Set by the constructor when the function cannot be validated at all; the
  // first step() (or finish()) returns it.
  bool has_init_error = false;
  Error init_error;

  // C.refs: the module's copy when validate_module() computed it, else our
  // own, built on the first ref.func of the body.
  const std::vector<uint8_t>* refs = nullptr;
  std::vector<uint8_t> own_refs;

  // br_table: br_seen[frame] == br_stamp when that frame's label was already
  // checked for the current br_table.
  std::vector<uint32_t> br_seen;
  uint32_t br_stamp = 0;

  // The instruction being checked, for error locations and messages.
  const Instr* cur = nullptr;
  Error err;

  State(const ModuleIR& mod, uint32_t defined_index)
      : m(mod), func_index(mod.num_imported_funcs + defined_index), type(&empty_func_type()) {}

  // ---- errors -----------------------------------------------------------------
  [[gnu::cold]] [[gnu::noinline]] bool fail(ErrorCode code, std::string msg) {
    Location loc;
    if (cur) loc.offset = cur->offset;
    loc.section = "code";
    loc.function = m.func_display_name(func_index);
    err = Error(code, std::move(msg), std::move(loc));
    return false;
  }
  [[gnu::cold]] bool mismatch(ValType expected, ValType actual, bool empty) {
    std::string msg = "type mismatch: ";
    msg += cur ? std::string(name(cur->op)) : std::string("function");
    msg += " expected ";
    msg += expected == kUnknownType ? "a value" : type_name(expected);
    msg += empty ? " but the stack is empty" : std::string(" but got ") + type_name(actual);
    return fail(ErrorCode::TypeMismatch, std::move(msg));
  }
  [[gnu::cold]] bool mismatch(const char* why) {
    std::string msg = "type mismatch: ";
    msg += cur ? std::string(name(cur->op)) : std::string("function");
    msg += ": ";
    msg += why;
    return fail(ErrorCode::TypeMismatch, std::move(msg));
  }
  [[gnu::cold]] bool unknown(const char* what, uint32_t index) {
    return fail(ErrorCode::UnknownIndex, std::string("unknown ") + what + " " + std::to_string(index));
  }

  // ---- operand stack ------------------------------------------------------------
  void push(ValType t) {
    vals.push_back(t);
  }
  void push_vals(std::span<const ValType> ts) {
    for (ValType t : ts) push(t);
  }
  // Pops any operand into `out` (kUnknownType from a polymorphic bottom).
  bool pop_any(ValType& out) {
    CtrlFrame& f = ctrls.back();
    if (vals.size() == f.height) {
      if (f.unreachable) {
        out = kUnknownType;
        return true;
      }
      return mismatch(kUnknownType, kUnknownType, true);
    }
    out = vals.back();
    vals.pop_back();
    return true;
  }
  bool pop(ValType expect) {
    CtrlFrame& f = ctrls.back();
    if (vals.size() > f.height) {
      ValType t = vals.back();
      if (t != expect && t != kUnknownType) return mismatch(expect, t, false);
      vals.pop_back();
      return true;
    }
    if (f.unreachable) return true;
    return mismatch(expect, kUnknownType, true);
  }
  bool pop_vals(std::span<const ValType> ts) {
    for (size_t i = ts.size(); i-- > 0;)
      if (!pop(ts[i])) return false;
    return true;
  }

  // ---- control stack ------------------------------------------------------------
  void push_ctrl(FrameKind kind, std::span<const ValType> params, std::span<const ValType> results) {
    ctrls.push_back(CtrlFrame{kind, params, results, static_cast<uint32_t>(vals.size()), false});
    push_vals(params);
  }
  bool pop_ctrl(CtrlFrame& out) {
    if (!pop_vals(ctrls.back().results)) return false;
    const CtrlFrame& f = ctrls.back();
    if (vals.size() != f.height) return mismatch("values remain on the stack at the end of the block");
    out = f;
    ctrls.pop_back();
    return true;
  }
  void set_unreachable() {
    CtrlFrame& f = ctrls.back();
    vals.resize(f.height);
    f.unreachable = true;
  }
  bool label(uint32_t depth, const CtrlFrame*& out) {
    if (depth >= ctrls.size()) {
      return fail(ErrorCode::UnknownIndex, "unknown label " + std::to_string(depth));
    }
    out = &ctrls[ctrls.size() - 1 - depth];
    return true;
  }
  // True when the top operands match `ts`, as pop_vals would check, without
  // popping them (br_table checks every target against the same operands).
  bool peek_vals(std::span<const ValType> ts) {
    const CtrlFrame& f = ctrls.back();
    size_t avail = vals.size() - f.height;
    for (size_t i = 0; i < ts.size(); ++i) {
      ValType expect = ts[ts.size() - 1 - i];
      if (i >= avail) {
        if (f.unreachable) return true;
        return mismatch(expect, kUnknownType, true);
      }
      ValType t = vals[vals.size() - 1 - i];
      if (t != expect && t != kUnknownType) return mismatch(expect, t, false);
    }
    return true;
  }

  bool block_type(const BlockType& bt, std::span<const ValType>& params, std::span<const ValType>& results) {
    switch (bt.kind) {
      case BlockType::Empty:
        params = results = {};
        return true;
      case BlockType::Value:
        params = {};
        results = single(bt.value);
        return true;
      case BlockType::TypeIndex:
        if (bt.type_index >= m.types.size()) return unknown("type", bt.type_index);
        params = m.types[bt.type_index].params;
        results = m.types[bt.type_index].results;
        return true;
    }
    return fail(ErrorCode::Invalid, "invalid block type");
  }

  // ---- module entities ------------------------------------------------------------
  bool memory(uint32_t idx) { return idx < m.total_memories() ? true : unknown("memory", idx); }
  bool alignment(uint32_t align, uint32_t natural) {
    if (align > natural) return fail(ErrorCode::Invalid, "alignment must not be larger than natural");
    return true;
  }
  bool table(uint32_t idx, ValType& elem) {
    if (idx >= m.total_tables()) return unknown("table", idx);
    elem = m.table_type(idx).elem;
    return true;
  }
  bool elem_segment(uint32_t idx) {
    return idx < m.elems.size() ? true : unknown("elem segment", idx);
  }
  bool data_segment(uint32_t idx) {
    // Code may name data segments only when the data count section says how
    // many there are (spec 5.5.16): one-pass validation depends on it.
    if (!m.data_count) return fail(ErrorCode::Malformed, "data count section required");
    return idx < *m.data_count ? true : unknown("data segment", idx);
  }
  bool func_decl(uint32_t idx) {
    if (!refs) {
      if (m.declared_funcs.size() == m.total_funcs()) {
        refs = &m.declared_funcs;
      } else {
        collect_declared_funcs(m, own_refs);
        refs = &own_refs;
      }
    }
    if (idx < refs->size() && (*refs)[idx]) return true;
    return fail(ErrorCode::Invalid, "undeclared function reference " + std::to_string(idx));
  }

  bool step(const Instr& in);
  bool step_fixed(const Instr& in, const OpInfo& oi);
};

// Instructions whose typing is a row of the opcode table; immediates that name
// module entities or lanes are checked by their encoding kind.
bool FuncValidator::State::step_fixed(const Instr& in, const OpInfo& oi) {
  switch (oi.imm) {
    case ImmKind::MemArg:
      if (!memory(in.mem.memory) || !alignment(in.mem.align, oi.aux)) return false;
      break;
    case ImmKind::MemArgLane:
      if (!memory(in.mem.memory) || !alignment(in.mem.align, oi.aux)) return false;
      if (in.lane >= (16u >> oi.aux)) return fail(ErrorCode::Invalid, "invalid lane index");
      break;
    case ImmKind::Mem:
    case ImmKind::MemoryCopy:
      if (!memory(0)) return false;
      break;
    case ImmKind::MemoryInit:
      if (!memory(in.index2) || !data_segment(in.index)) return false;
      break;
    case ImmKind::Data:
      if (!data_segment(in.index)) return false;
      break;
    case ImmKind::Elem:
      if (!elem_segment(in.index)) return false;
      break;
    case ImmKind::Lane:
      if (in.lane >= oi.aux) return fail(ErrorCode::Invalid, "invalid lane index");
      break;
    case ImmKind::Shuffle:
      for (uint8_t lane : in.v128.bytes)
        if (lane >= 32) return fail(ErrorCode::Invalid, "invalid lane index");
      break;
    default:
      break;
  }
  const SigTypes* s = sig_types(oi.sig);
  for (uint32_t i = s->nparams; i-- > 0;)
    if (!pop(s->params[i])) return false;
  if (s->nresults) push(s->result);
  return true;
}

bool FuncValidator::State::step(const Instr& in) {
  cur = &in;
  if (has_init_error) {
    err = init_error;
    if (err.where().offset == Location::kNone) err.where().offset = in.offset;
    return false;
  }
  if (done) return fail(ErrorCode::Malformed, "section size mismatch: instructions after the function's final end");

  const OpInfo& oi = info(in.op);
  if (oi.sig != Sig::special) return step_fixed(in, oi);

  std::span<const ValType> params, results;
  ValType t = kUnknownType, t2 = kUnknownType;
  const CtrlFrame* target = nullptr;
  switch (in.op) {
    case Op::unreachable:
      set_unreachable();
      return true;
    case Op::nop:
      return true;

    // ---- control (spec 3.3.8) ----
    case Op::block:
    case Op::loop:
      if (!block_type(in.block, params, results) || !pop_vals(params)) return false;
      push_ctrl(in.op == Op::block ? FrameKind::Block : FrameKind::Loop, params, results);
      return true;
    case Op::if_:
      if (!block_type(in.block, params, results) || !pop(ValType::I32) || !pop_vals(params)) return false;
      push_ctrl(FrameKind::If, params, results);
      return true;
    case Op::else_: {
      if (ctrls.back().kind != FrameKind::If) return fail(ErrorCode::Malformed, "else without a matching if");
      CtrlFrame f;
      if (!pop_ctrl(f)) return false;
      push_ctrl(FrameKind::Else, f.params, f.results);
      return true;
    }
    case Op::end: {
      CtrlFrame f;
      if (!pop_ctrl(f)) return false;
      // An `if` without `else` has an implicit empty else that must turn the
      // params into the results.
      if (f.kind == FrameKind::If && !std::equal(f.params.begin(), f.params.end(), f.results.begin(), f.results.end()))
        return mismatch("if without else must leave its params as its results");
      push_vals(f.results);
      if (ctrls.empty()) done = true;
      return true;
    }
    case Op::br:
      if (!label(in.index, target) || !pop_vals(target->label_types())) return false;
      set_unreachable();
      return true;
    case Op::br_if:
      if (!pop(ValType::I32) || !label(in.index, target) || !pop_vals(target->label_types())) return false;
      push_vals(target->label_types());
      return true;
    case Op::br_table: {
      if (!pop(ValType::I32)) return false;
      if (in.br_targets.empty()) return fail(ErrorCode::Malformed, "br_table without a default label");
      const CtrlFrame* def = nullptr;
      if (!label(in.br_targets.back(), def)) return false;
      size_t arity = def->label_types().size();
      // Each distinct label is checked once per br_table: a table may repeat
      // a high-arity label many times, and checking it again would make
      // validation cost targets x arity.
      if (br_seen.size() < ctrls.size()) br_seen.resize(ctrls.size() * 2, 0);
      if (++br_stamp == 0) {
        std::fill(br_seen.begin(), br_seen.end(), 0);
        br_stamp = 1;
      }
      std::span<const ValType> last_checked;
      for (uint32_t depth : in.br_targets) {
        if (!label(depth, target)) return false;
        uint32_t& seen = br_seen[ctrls.size() - 1 - depth];
        if (seen == br_stamp) continue;
        seen = br_stamp;
        std::span<const ValType> types = target->label_types();
        if (types.size() != arity) return mismatch("br_table targets have different arities");
        // Labels of one block type share its span: same types, same outcome.
        if (types.data() == last_checked.data() && types.size() == last_checked.size()) continue;
        if (!peek_vals(types)) return false;
        last_checked = types;
      }
      if (!pop_vals(def->label_types())) return false;
      set_unreachable();
      return true;
    }
    case Op::return_:
      if (!pop_vals(ctrls.front().results)) return false;
      set_unreachable();
      return true;
    case Op::call: {
      if (in.index >= m.total_funcs()) return unknown("function", in.index);
      const FuncType& ft = m.func_type(in.index);
      if (!pop_vals(ft.params)) return false;
      push_vals(ft.results);
      return true;
    }
    case Op::call_indirect: {
      if (!table(in.index2, t)) return false;
      if (t != ValType::FuncRef) return mismatch("call_indirect needs a funcref table");
      if (in.index >= m.types.size()) return unknown("type", in.index);
      const FuncType& ft = m.types[in.index];
      if (!pop(ValType::I32) || !pop_vals(ft.params)) return false;
      push_vals(ft.results);
      return true;
    }

    // ---- parametric (3.3.4) ----
    case Op::drop:
      return pop_any(t);
    case Op::select:
      if (!pop(ValType::I32) || !pop_any(t) || !pop_any(t2)) return false;
      // Untyped select only takes numeric or vector operands: references need
      // the typed form so that the result type is known without subtyping.
      if ((t != kUnknownType && !is_num_or_vec(t)) || (t2 != kUnknownType && !is_num_or_vec(t2)))
        return mismatch("select without a type needs numeric or vector operands");
      if (t != t2 && t != kUnknownType && t2 != kUnknownType) return mismatch(t2, t, false);
      push(t == kUnknownType ? t2 : t);
      return true;
    case Op::select_t:
      if (in.select_types.size() != 1) return fail(ErrorCode::Invalid, "invalid result arity");
      t = in.select_types[0];
      if (!pop(ValType::I32) || !pop(t) || !pop(t)) return false;
      push(t);
      return true;

    // ---- variables (3.3.5) ----
    case Op::local_get:
      if (in.index >= locals.size()) return unknown("local", in.index);
      push(locals[in.index]);
      return true;
    case Op::local_set:
      if (in.index >= locals.size()) return unknown("local", in.index);
      return pop(locals[in.index]);
    case Op::local_tee:
      if (in.index >= locals.size()) return unknown("local", in.index);
      if (!pop(locals[in.index])) return false;
      push(locals[in.index]);
      return true;
    case Op::global_get:
      if (in.index >= m.total_globals()) return unknown("global", in.index);
      push(m.global_type(in.index).type);
      return true;
    case Op::global_set: {
      if (in.index >= m.total_globals()) return unknown("global", in.index);
      GlobalType g = m.global_type(in.index);
      if (!g.mut) return fail(ErrorCode::Invalid, "global is immutable");
      return pop(g.type);
    }

    // ---- tables (3.3.6) ----
    case Op::table_get:
      if (!table(in.index, t) || !pop(ValType::I32)) return false;
      push(t);
      return true;
    case Op::table_set:
      return table(in.index, t) && pop(t) && pop(ValType::I32);
    case Op::table_size:
      if (!table(in.index, t)) return false;
      push(ValType::I32);
      return true;
    case Op::table_grow:
      if (!table(in.index, t) || !pop(ValType::I32) || !pop(t)) return false;
      push(ValType::I32);
      return true;
    case Op::table_fill:
      return table(in.index, t) && pop(ValType::I32) && pop(t) && pop(ValType::I32);
    case Op::table_copy:  // index = destination, index2 = source
      if (!table(in.index, t) || !table(in.index2, t2)) return false;
      if (t != t2) return mismatch("table.copy between tables of different element types");
      return pop(ValType::I32) && pop(ValType::I32) && pop(ValType::I32);
    case Op::table_init:  // index = element segment, index2 = table
      if (!table(in.index2, t) || !elem_segment(in.index)) return false;
      if (m.elems[in.index].type != t) return mismatch("table.init from a segment of a different element type");
      return pop(ValType::I32) && pop(ValType::I32) && pop(ValType::I32);

    // ---- references (3.3.3) ----
    case Op::ref_null:
      if (!is_ref(in.ref_type)) return fail(ErrorCode::Invalid, "ref.null needs a reference type");
      push(in.ref_type);
      return true;
    case Op::ref_is_null:
      if (!pop_any(t)) return false;
      if (t != kUnknownType && !is_ref(t)) return mismatch(ValType::FuncRef, t, false);
      push(ValType::I32);
      return true;
    case Op::ref_func:
      if (in.index >= m.total_funcs()) return unknown("function", in.index);
      if (!func_decl(in.index)) return false;
      push(ValType::FuncRef);
      return true;

    default:
      break;
  }
  return fail(ErrorCode::Internal, "validator has no rule for " + std::string(name(in.op)));
}

// ---- FuncValidator ---------------------------------------------------------------

FuncValidator::FuncValidator(const ModuleIR& module, uint32_t defined_index)
    : s_(std::make_shared<State>(module, defined_index)) {
  State& s = *s_;
  if (defined_index >= module.funcs.size()) {
    s.has_init_error = true;
    s.init_error = Error(ErrorCode::UnknownIndex, "unknown function " + std::to_string(s.func_index));
    return;
  }
  const FuncDef& fd = module.funcs[defined_index];
  if (fd.type_index >= module.types.size()) {
    s.has_init_error = true;
    s.init_error = Error(ErrorCode::UnknownIndex, "unknown type " + std::to_string(fd.type_index));
    s.init_error.where().function = module.func_display_name(s.func_index);
    return;
  }
  s.type = &module.types[fd.type_index];
  s.body_end = fd.body.end;
  uint64_t total = s.type->params.size() + fd.num_locals;
  if (total > kMaxLocals) {
    s.has_init_error = true;
    s.init_error = Error(ErrorCode::Invalid, "too many locals: " + std::to_string(total) + " (at most " +
                                                 std::to_string(kMaxLocals) + ")");
    s.init_error.where().offset = fd.whole.begin;
    s.init_error.where().section = "code";
    s.init_error.where().function = module.func_display_name(s.func_index);
    return;
  }
  s.locals.reserve(total);
  s.locals.assign(s.type->params.begin(), s.type->params.end());
  for (const auto& [count, t] : fd.local_groups) s.locals.insert(s.locals.end(), count, t);

  s.vals.reserve(64);
  s.ctrls.reserve(16);
  s.push_ctrl(FrameKind::Function, {}, s.type->results);
}

Result<void> FuncValidator::step(const Instr& in) {
  if (s_->step(in)) return {};
  return s_->err;
}

Result<void> FuncValidator::finish() {
  State& s = *s_;
  s.cur = nullptr;
  if (s.has_init_error) return s.init_error;
  if (!s.done) {
    // The body ran out with blocks still open: its last byte was not the
    // function's final `end`.
    s.fail(ErrorCode::Malformed, "END opcode expected");
    s.err.where().offset = s.body_end;
    return s.err;
  }
  return {};
}

bool FuncValidator::reachable() const { return !s_->ctrls.empty() && !s_->ctrls.back().unreachable; }
uint32_t FuncValidator::operand_count() const { return static_cast<uint32_t>(s_->vals.size()); }
ValType FuncValidator::operand_type(uint32_t i) const {
  const auto& v = s_->vals;
  return i < v.size() ? v[v.size() - 1 - i] : kUnknownType;
}
uint32_t FuncValidator::control_depth() const { return static_cast<uint32_t>(s_->ctrls.size()); }
const CtrlFrame& FuncValidator::frame(uint32_t depth) const { return s_->ctrls[s_->ctrls.size() - 1 - depth]; }
std::span<const ValType> FuncValidator::local_types() const { return s_->locals; }
const FuncType& FuncValidator::func_type() const { return *s_->type; }

}  // namespace vivarium::engine
