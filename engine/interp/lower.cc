// lower_function: one pass over a body that validates it (FuncValidator) and
// emits the internal form (engine/interp/compiled.h explains the form): each
// instruction's plain translation to the slot form, with branch targets
// resolved, every instruction encoded through its layouts.def row. What was
// just emitted (or a constant not yet emitted) is offered to the peephole
// stage (peephole.h: the pattern table fusions.def) and to the two rules not
// in its table (lower_fused.cc); the Lowerer class and its shadow stack are
// in lowerer.h.
#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "engine/interp/lowerer.h"
#include "engine/interp/simd_opt.h"

namespace vivarium::engine::interp {

Result<CompiledFuncPtr> Lowerer::run() {
  if (di_ >= m_.funcs.size()) {
    return Error(ErrorCode::UnknownIndex, "unknown function " + std::to_string(func_index_));
  }
  const FuncDef& fd = m_.funcs[di_];
  local_slot_.reserve(v_.local_types().size());
  for (ValType t : v_.local_types()) {
    local_slot_.push_back(L_);
    L_ += slots_of(t);
  }
  ctl_.push_back(Ctl{FrameKind::Function, false, 0, 0, {}, v_.func_type().results});
  InstrReader reader(m_.span(fd.body), fd.body.begin);
  Instr in;
  while (!reader.at_end()) {
    auto r = reader.next(in);
    if (!r.ok()) return annotate(std::move(r).error());
    VIV_TRY(lower(in));
  }
  {
    auto r = v_.finish();
    if (!r.ok()) return annotate(std::move(r).error());
  }

  if (buf_.handler_out_of_range) return internal(Instr{}, "a handler lies more than 2 GiB from h_anchor");
  auto cf = CompiledFuncPtr(new CompiledFunc);
  const FuncType& ft = v_.func_type();
  const std::vector<uint8_t> table = CompiledFunc::encode_offsets(offsets_);
  cf->code_words = pos();
  cf->offset_table_bytes = static_cast<uint32_t>(table.size());
  const size_t table_words = (table.size() + sizeof(Word) - 1) / sizeof(Word);
  cf->code.reset(new Word[code_.size() + table_words + 1]);
  std::copy(code_.begin(), code_.end(), cf->code.get());
  if (!table.empty()) std::memcpy(cf->code.get() + code_.size(), table.data(), table.size());
  cf->param_slots = slots_of_types(ft.params);
  cf->local_slots = L_;
  cf->result_slots = slots_of_types(ft.results);
  cf->frame_slots = std::max(L_ + max_slots_, cf->result_slots);
  cf->func_index = func_index_;
  cf->module = &m_;
  return cf;
}

Result<void> Lowerer::lower(const Instr& in) {
  cur_offset_ = static_cast<uint32_t>(in.offset);
  const bool live = !ctl_.back().dead && v_.reachable();
  switch (in.op) {
    case Op::block: case Op::loop: case Op::if_: case Op::else_: case Op::end: {
      auto r = lower_control(in, live);
      copy_barrier_ = pos();
      return r;
    }
    default:
      break;
  }
  // Validate first: the shadow stack (operand locations) still reflects the
  // state before the instruction, and a valid instruction is safe to read.
  {
    auto r = v_.step(in);
    if (!r.ok()) return annotate(std::move(r).error());
  }
  if (!live) return {};
  const OpInfo& oi = info(in.op);
  switch (in.op) {
    case Op::nop:
      return {};
    case Op::unreachable: {
      encode(pos(), &h_unreachable, LayoutId::trap_op, {in.offset});
      return {};
    }
    case Op::drop:
      pop();
      return {};
    case Op::select:
    case Op::select_t: {
      const uint32_t a = operand(2), b = operand(1), c = operand(0), w = top(1).width;
      pop(3);
      const uint32_t d = push(w == 2 ? ValType::V128 : ValType::I64);
      Field f;
      encode(pos(), w == 2 ? &h_select2 : &h_select, LayoutId::a_b_c_d, {a, b, c, d}, &f);
      fusable(f, d);
      return {};
    }
    case Op::local_get: {
      const uint32_t ls = local_slot_[in.index];
      push(v_.local_types()[in.index]);
      top(0).loc = ls;
      ++lazy_;
      return {};
    }
    case Op::local_set:
      return set_local(in, false);
    case Op::local_tee:
      return set_local(in, true);
    case Op::global_get: {
      const ValType t = m_.global_type(in.index).type;
      const uint32_t d = push(t);
      Field f;
      encode(pos(), t == ValType::V128 ? &h_global_get2 : &h_global_get, LayoutId::i_d, {in.index, d}, &f);
      fusable(f, d);
      return {};
    }
    case Op::global_set: {
      const uint32_t src = operand(0), w = top(0).width;
      pop();
      encode(pos(), w == 2 ? &h_global_set2 : &h_global_set, LayoutId::i_s, {in.index, src});
      return {};
    }
    case Op::i32_const:
      push_const(static_cast<uint32_t>(in.i32));
      return {};
    case Op::f32_const:
      push_const(in.f32_bits);
      return {};
    case Op::i64_const:
      push_const(static_cast<uint64_t>(in.i64));
      return {};
    case Op::f64_const:
      push_const(in.f64_bits);
      return {};
    case Op::ref_null: {
      const uint32_t d = push(in.ref_type);
      Field f;
      encode(pos(), &h_const32, LayoutId::const32, {d, 0}, &f);  // null: 0
      fusable(f, d);
      return {};
    }
    case Op::ref_is_null: {
      const uint32_t a = operand(0);
      pop();
      const uint32_t d = push(ValType::I32);
      Field f;
      encode(pos(), &h_ref_is_null, LayoutId::unop, {kNoTrap, a, d}, &f);
      fusable(f, d);
      return {};
    }
    case Op::ref_func: {
      const uint32_t d = push(ValType::FuncRef);
      Field f;
      encode(pos(), &h_ref_func, LayoutId::i_d, {in.index, d}, &f);
      fusable(f, d);
      return {};
    }
    // Reinterpretations and wrap leave the bits where they are: readers of
    // an i32/f32 look only at the low 4 bytes of a slot.
    case Op::i32_reinterpret_f32: case Op::f32_reinterpret_i32:
    case Op::i64_reinterpret_f64: case Op::f64_reinterpret_i64:
    case Op::i32_wrap_i64:
      return {};

    // ---- tables ----
    case Op::table_get: {
      const uint32_t idx = operand(0);
      pop();
      const uint32_t d = push(ValType::FuncRef);
      Field f;
      encode(pos(), &h_table_get, LayoutId::x_d_i, {in.offset, idx, d, in.index}, &f);
      fusable(f, d);
      return {};
    }
    case Op::table_set: {
      const uint32_t idx = operand(1), val = operand(0);
      pop(2);
      encode(pos(), &h_table_set, LayoutId::x_v_i, {in.offset, idx, val, in.index});
      return {};
    }
    case Op::table_size: {
      const uint32_t d = push(ValType::I32);
      Field f;
      encode(pos(), &h_table_size, LayoutId::d_i, {d, in.index}, &f);
      fusable(f, d);
      return {};
    }
    case Op::table_grow: {
      const uint32_t init = operand(1), n = operand(0);
      pop(2);
      const uint32_t d = push(ValType::I32);
      Field f;
      encode(pos(), &h_table_grow, LayoutId::a_b_d_i, {init, n, d, in.index}, &f);
      fusable(f, d);
      return {};
    }
    case Op::table_fill: {
      const uint32_t i = operand(2), val = operand(1), n = operand(0);
      pop(3);
      encode(pos(), &h_table_fill, LayoutId::a_b_c_i, {in.offset, i, val, n, in.index});
      return {};
    }
    case Op::table_copy:
    case Op::table_init: {
      const uint32_t d = operand(2), s = operand(1), n = operand(0);
      pop(3);
      // table.copy: index = destination table, index2 = source table;
      // table.init: index = element segment, index2 = the table (first).
      const bool copy = in.op == Op::table_copy;
      encode(pos(), copy ? &h_table_copy : &h_table_init, LayoutId::a_b_c_i_j,
             {in.offset, d, s, n, copy ? in.index : in.index2, copy ? in.index2 : in.index});
      return {};
    }
    case Op::elem_drop:
    case Op::data_drop: {
      encode(pos(), in.op == Op::elem_drop ? &h_elem_drop : &h_data_drop, LayoutId::index, {in.index});
      return {};
    }

    // ---- memory (non-uniform layouts) ----
    case Op::memory_size: {
      const uint32_t d = push(ValType::I32);
      Field f;
      encode(pos(), &h_memory_size, LayoutId::result, {d}, &f);
      fusable(f, d);
      return {};
    }
    case Op::memory_grow: {
      const uint32_t a = operand(0);
      pop();
      const uint32_t d = push(ValType::I32);
      Field f;
      encode(pos(), &h_memory_grow, LayoutId::unop, {kNoTrap, a, d}, &f);
      fusable(f, d);
      return {};
    }
    case Op::memory_fill:
    case Op::memory_copy:
    case Op::memory_init: {
      const uint32_t d = operand(2), s = operand(1), n = operand(0);
      pop(3);
      Handler h = in.op == Op::memory_fill ? &h_memory_fill : in.op == Op::memory_copy ? &h_memory_copy : &h_memory_init;
      if (in.op == Op::memory_init) encode(pos(), h, LayoutId::a_b_c_i, {in.offset, d, s, n, in.index});  // i: the data segment
      else encode(pos(), h, LayoutId::a_b_c, {in.offset, d, s, n});
      return {};
    }

    // ---- control that does not open or close a frame ----
    case Op::br: {
      emit_branch(in.index);
      return {};
    }
    case Op::br_if: {
      const uint32_t cond = operand(0);
      // The condition just computed into its temporary: the pattern table
      // may fuse what computed it with the branch.
      const bool fresh = fuse_end_ == pos() && top(0).loc == top(0).canon && fuse_slot_ == cond;
      pop();
      Ctl& c = ctl_at(in.index);
      if (c.kind == FrameKind::Function || branch_needs_moves(in.index, 0)) {
        const uint32_t at = pos();
        uint32_t rel;
        encode(at, &h_br_unless, LayoutId::a_rel, {cond, 0}, nullptr, &rel);
        emit_branch(in.index);
        patch({at, rel}, pos());
        return {};
      }
      const bool loop = c.kind == FrameKind::Loop;
      BranchMatch m;
      uint32_t at, rel;
      if (fresh && condition_match(label_pos_, loop, false, m) && fuse_branch(buf_, m, at, rel)) {
        forget_conditions();
      } else {
        at = pos();
        encode(at, loop ? &h_br_if_loop : &h_br_if, LayoutId::a_rel, {cond, 0}, nullptr, &rel);
      }
      set_branch_target(c, at, rel - at);
      no_fuse();
      return {};
    }
    case Op::br_table: {
      // The index just computed into its temporary: the pattern table may
      // fuse what computed it with the table jump.
      const bool fresh = fuse_end_ == pos() && top(0).loc == top(0).canon && fuse_slot_ == top(0).loc;
      const uint32_t index_slot = top(0).loc;
      const uint32_t idx = operand(0);
      pop();
      const std::vector<uint32_t> targets(in.br_targets.begin(), in.br_targets.end());
      const uint32_t n = static_cast<uint32_t>(targets.size()) - 1;
      uint32_t at;
      if (!fresh || !fuse_index(index_slot, n, at)) {
        at = pos();
        encode(at, &h_br_table, LayoutId::x_n, {idx, n});
      }
      const uint32_t first = pos() - at - (n + 1);  // the targets follow the row (its Targets field)
      std::map<uint32_t, std::vector<uint32_t>> stubs;  // depth -> entries that need a stub
      for (uint32_t k = 0; k <= n; ++k) {
        const uint32_t depth = targets[k];
        Ctl& c = ctl_at(depth);
        const uint32_t word = at + first + k;
        if (c.kind == FrameKind::Block || c.kind == FrameKind::If || c.kind == FrameKind::Else) {
          if (!branch_needs_moves(depth, 0)) {
            c.fixups.push_back({at, word});
            continue;
          }
        }
        stubs[depth].push_back(word);
      }
      // Stubs: the moves and jump (or return, or back-edge) of one target.
      for (auto& [depth, words] : stubs) {
        for (uint32_t word : words) patch({at, word}, pos());
        emit_branch(depth);
      }
      return {};
    }
    case Op::return_:
      emit_return();
      return {};
    case Op::call: {
      const FuncType& ft = m_.func_type(in.index);
      const uint32_t nargs = static_cast<uint32_t>(ft.params.size());
      materialize_top(nargs);
      pop(nargs);
      const uint32_t base = L_ + cur_slots_;
      encode(pos(), &h_call, LayoutId::call, {in.offset, in.index, base});
      push_all(ft.results);
      return {};
    }
    case Op::call_indirect: {
      const FuncType& ft = m_.types[in.index];
      const uint32_t nargs = static_cast<uint32_t>(ft.params.size());
      const uint32_t elem = operand(0);
      pop();
      materialize_top(nargs);
      pop(nargs);
      const uint32_t base = L_ + cur_slots_;
      // ty: the module's type index (ids belong to the store's engine)
      encode(pos(), &h_call_indirect, LayoutId::call_indirect, {in.offset, in.index2, base, in.index, elem});
      push_all(ft.results);
      return {};
    }
    default:
      break;
  }
  if (oi.prefix == 0xFD) return lower_simd(in, oi);
  if (oi.sig != Sig::special) return lower_fixed(in, oi);
  return internal(in, "no lowering for " + std::string(oi.text));
}

// Instructions typed by their row in the opcode table with a uniform layout
// (engine/interp/ops.h): unop, binop, load, store.
Result<void> Lowerer::lower_fixed(const Instr& in, const OpInfo& oi) {
  const SigTypes* s = sig_types(oi.sig);
  if (!op_table(false)[static_cast<size_t>(in.op)]) return internal(in, "no handler for " + std::string(oi.text));
  uint32_t src[3] = {0, 0, 0};
  const bool binop = s->nparams == 2 && s->nresults == 1 && oi.imm != ImmKind::MemArg;
  if (in.op == Op::i32_add && fuse_index_add(in)) return {};
  if (binop && (fuse_binop(in, s) || fuse_const(in, s))) return {};
  if (oi.imm == ImmKind::MemArg && (lower_float_axpy_abs(in) || fuse_const_addr(in, s))) return {};
  const bool load = oi.imm == ImmKind::MemArg && s->nparams == 1 && s->nresults == 1;
  const bool store = oi.imm == ImmKind::MemArg && s->nparams == 2 && s->nresults == 0;
  if (load && fuse_addr(in, s)) return {};
  if (store && (lower_float_store(in) || fuse_store(in) || fuse_addr(in, s) || fuse_const_value(in)))
    return {};
  for (uint32_t i = 0; i < s->nparams; ++i) src[i] = operand(s->nparams - 1 - i);
  pop(s->nparams);
  const uint32_t d = s->nresults ? push(s->result) : 0;
  const uint32_t at = pos();
  const Handler hn = op_table(true)[static_cast<size_t>(in.op)], hw = op_table(false)[static_cast<size_t>(in.op)];
  const uint64_t trap = can_trap(in.op) ? in.offset : kNoTrap;
  Field f;
  if (oi.imm == ImmKind::MemArg) {  // wasm32: the offset is a u32 (decoder)
    const uint32_t v = s->nresults ? d : src[1];
    const uint32_t off = static_cast<uint32_t>(in.mem.offset);
    encode_narrow_or_wide(at, hn, s->nresults ? LayoutId::load_n : LayoutId::store_n, hw,
                          s->nresults ? LayoutId::load : LayoutId::store, {in.offset, src[0], v, off}, &f);
    if (s->nresults) fusable(f, d);
    if (in.op == Op::f64_load || in.op == Op::f32_load) load_ = Emitted{at, pos(), in.op, false, src[0], off, d};
    if (in.op == Op::i32_load8_u) iload_ = Emitted{at, pos(), in.op, false, src[0], off, d};
    if (in.op == Op::i32_load) ild_ = Emitted{at, pos(), in.op, false, src[0], off, d};
    if (s->nresults) note_load(at, in, src[0], 0, d, false);
  } else if (s->nparams == 1 && s->nresults == 1) {
    encode_narrow_or_wide(at, hn, LayoutId::unop_n, hw, LayoutId::unop, {trap, src[0], d}, &f);
    fusable(f, d);
    if (in.op == Op::i32_eqz) eqz_ = Emitted{at, pos(), in.op, false, src[0], 0, d};
    if (narrow(src[0], d)) unop_ = Emitted{at, pos(), in.op, false, src[0], 0, d};
  } else if (s->nparams == 2 && s->nresults == 1) {
    encode_narrow_or_wide(at, hn, LayoutId::binop_n, hw, LayoutId::binop, {trap, src[0], src[1], d}, &f);
    fusable(f, d);
    record_binop(at, in.op, false, src[0], src[1], d);
  } else {
    return internal(in, "unexpected signature for " + std::string(oi.text));
  }
  return {};
}

// Whether binop operand top(0) or top(1) is what `p` just computed into its
// temporary, read by nothing else (no label between), and the other operand
// a slot: fills `m` for the pattern table.
bool Lowerer::fed_by(const Emitted& p, BinopMatch& m) {
  if (p.end != pos() || fuse_end_ != pos() || fuse_slot_ != p.d || p.at < label_pos_) return false;
  for (int i = 0; i < 2; ++i) {
    const Val& v = top(i);
    const Val& o = top(1 - i);
    if (v.loc == v.canon && v.loc == p.d && o.loc != kConstLoc) {
      m.p = p;
      m.left = i == 1;
      m.other = o.loc;
      m.dst = top(1).canon;
      return true;
    }
  }
  return false;
}

bool Lowerer::fuse_binop(const Instr& in, const SigTypes* s) {
  if (fuse_end_ != pos()) return false;  // nothing just computed: the common case, kept cheap
  const std::pair<Producer, const Emitted*> producers[] = {
      {Producer::binop, &binop_}, {Producer::unop, &unop_}, {Producer::fload, &load_}};
  for (const auto& [kind, p] : producers)
    if (p->end == pos() && fuse_binop_with(in, s, kind, *p)) return true;
  if (mem_load_.imm && mem_load_.end == pos() && fuse_binop_with(in, s, Producer::fload_addi, mem_load_)) return true;
  if (ldadd_.end == pos()) return fuse_binop_with(in, s, Producer::load, ldadd_);
  return ild_.end == pos() && fuse_binop_with(in, s, Producer::load, plain_load_chain());
}

bool Lowerer::fuse_binop_with(const Instr& in, const SigTypes* s, Producer kind, const Emitted& p) {
  BinopMatch m{in.op, {}, false, 0, 0};
  Field f;
  Yield y;
  if (!fed_by(p, m) || !interp::fuse_binop(buf_, kind, m, f, y)) return false;
  remember(y, top(m.left ? 0 : 1));
  pop(2);
  push(s->result);  // m.dst
  fusable(f, m.dst);
  binop_ = prev_binop_ = unop_ = ldadd_ = ild_ = Emitted{};
  return true;
}

// `s += p[i]`: the plain i32.load just emitted (ild_) as a load with an
// address add of the constant 0 (the load-chain row's handler adds the 0),
// or nothing.
Emitted Lowerer::plain_load_chain() const {
  if (ild_.end != pos()) return Emitted{};
  return Emitted{ild_.at, ild_.end, ild_.op, true, ild_.a, 0, ild_.d, ild_.b};
}

// A function's single result that the last instruction just computed into
// its temporary: that instruction writes fp[0] (where the caller expects it)
// instead, saving the copy before h_return. Handlers read their operands
// before writing, so fp[0] may be one of them.
bool Lowerer::retarget_result(bool fresh) {
  const Val& v = top(0);
  fresh = fresh || (fuse_end_ == pos() && v.loc == v.canon && fuse_slot_ == v.loc);
  return fresh && v.width == 1 && put(fuse_field_, 0);
}

// `i32.const 0; local.set $l` before any other code: calls enter with
// declared locals zeroed (invoke.cc, ops_control.cc), so nothing to emit.
bool Lowerer::skip_zero_init(const Instr& in) {
  const Val& v = top(0);
  return pos() == 0 && ctl_.size() == 1 && vals_.size() == 1 && v.loc == kConstLoc && v.k == 0 &&
         in.index >= v_.func_type().params.size();
}

bool Lowerer::condition_match(uint32_t label, bool loop, bool on_false, BranchMatch& m) const {
  // `e` if it ends at `at` with no label inside, else nothing.
  auto before = [label](const Emitted& e, uint32_t at) { return e.end == at && e.at >= label ? e : Emitted{}; };
  if (eqz_.end == pos()) m = {Producer::eqz, eqz_, before(binop_, eqz_.at), Emitted{}, loop, on_false, L_};
  else if (binop_.end == pos()) m = {Producer::binop, binop_, before(prev_binop_, binop_.at), before(ild_, binop_.at), loop, on_false, L_};
  else return false;
  return true;
}

bool Lowerer::fuse_index(uint32_t slot, uint32_t n, uint32_t& at) {
  const std::pair<Producer, const Emitted*> producers[] = {{Producer::binop, &binop_}, {Producer::load8u, &iload_}};
  for (const auto& [kind, p] : producers) {
    if (p->end != pos() || p->d != slot || !fuse_br_table(buf_, IndexMatch{kind, *p, n}, at)) continue;
    iload_ = binop_ = prev_binop_ = Emitted{};
    return true;
  }
  return false;
}

// A binop one of whose operands is a constant: the pattern table's
// VIV_CONST_BINOP rows make the constant the instruction's immediate. With
// two constants the left one goes to its slot first (as the plain form would).
bool Lowerer::fuse_const(const Instr& in, const SigTypes* s) {
  const bool k0 = top(0).loc == kConstLoc, k1 = top(1).loc == kConstLoc;
  if (!k0 && !k1) return false;  // the common case, kept cheap
  if (k0 && k1) operand(1);
  const uint32_t ki = k0 ? 0 : 1;
  ConstMatch m{in.op, ki ? mirror_compare(in.op) : in.op, top(ki).k, ki == 1,
               s->params[0] == ValType::I64 || s->params[0] == ValType::F64, top(1 - ki).loc, top(1).canon};
  Field f;
  Yield y;
  if (!interp::fuse_const_binop(buf_, m, f, y)) return false;
  remember(y, top(1 - ki));
  pop(2);
  push(s->result);  // m.d
  fusable(f, m.d);
  return true;
}

// A load or store whose address the last instruction computed into a
// temporary only it reads: the table's VIV_ADDR rows, in place of that
// instruction. A constant stored value goes to its slot first, between the
// code before and the fused store (so it must not overwrite the address's
// operands).
bool Lowerer::fuse_addr(const Instr& in, const SigTypes* s) {
  const bool load = s->nresults == 1;
  const Val& a = top(load ? 0 : 1);
  if (fuse_end_ != pos() || a.loc != a.canon || fuse_slot_ != a.loc) return false;
  const bool kv = !load && top(0).loc == kConstLoc;
  AddrMatch m{Producer::add, {}, in.op, load, load ? a.canon : kv ? top(0).canon : top(0).loc, in.mem.offset,
              in.offset};
  if (index8_.end == pos() && index8_.d == a.loc) {
    m.kind = Producer::index8;
    m.p = index8_;
  } else if (binop_.end == pos() && binop_.d == a.loc && (binop_.shl_add || binop_.op == Op::i32_add)) {
    m.kind = binop_.shl_add ? Producer::shl_add : Producer::add;
    m.p = binop_;
  } else {
    return false;
  }
  if (kv && (m.p.a == m.v || (!m.p.imm && m.p.b == m.v))) return false;
  const Encoding e = match_addr(buf_, m);
  if (!e.h) return false;
  if (kv) {
    buf_.rewind(m.p.at);
    materialize(top(0));
  }
  const uint32_t at = kv ? pos() : m.p.at;
  Field f;
  buf_.encode_at(at, e.h, e.id, e.values, e.n, &f);
  pop(s->nparams);
  // What the producer's records become.
  if (m.kind == Producer::index8) index8_ = Emitted{};
  else if (m.kind == Producer::shl_add) binop_ = prev_binop_ = Emitted{};
  if (!load) {
    if (m.kind == Producer::add) binop_ = Emitted{};
    no_fuse();
    return true;
  }
  push(s->result);  // m.v
  fusable(f, m.v);
  if (m.kind == Producer::add) {
    if (m.p.imm) note_load(at, in, m.p.a, m.p.b, m.v, true);
    binop_ = Emitted{};  // no longer a binop the next instruction may fuse with
    if (in.op == Op::i32_load) ldadd_ = Emitted{at, pos(), in.op, m.p.imm, m.p.a, m.p.b, m.v, in.mem.offset};
  }
  return true;
}

// A load or store at a constant address (`i32.const 0; i32.load offset=G`):
// the table's VIV_CONST_ADDR rows. A store's value goes to its slot first.
bool Lowerer::fuse_const_addr(const Instr& in, const SigTypes* s) {
  const uint32_t ai = s->nparams - 1;  // stack index of the address
  if (top(ai).loc != kConstLoc) return false;
  const bool load = s->nresults == 1;
  const MemMatch m{in.op, load, static_cast<uint32_t>(top(ai).k) + in.mem.offset, 0, 0,
                   load ? top(0).canon : operand(0), in.mem.offset, in.offset};
  Field f;
  if (!interp::fuse_const_mem(buf_, m, false, f)) return false;
  pop(s->nparams);
  if (load) {
    push(s->result);  // m.v
    fusable(f, m.v);
  } else {
    no_fuse();
  }
  return true;
}

// A store of a constant to an address in a slot: the table's VIV_CONST_VALUE rows.
bool Lowerer::fuse_const_value(const Instr& in) {
  if (top(0).loc != kConstLoc || top(1).loc == kConstLoc) return false;
  const MemMatch m{in.op, false, 0, top(0).k, top(1).loc, 0, in.mem.offset, in.offset};
  Field unused;
  if (!interp::fuse_const_mem(buf_, m, true, unused)) return false;
  pop(2);
  no_fuse();
  return true;
}

Result<void> Lowerer::lower_simd(const Instr& in, const OpInfo& oi) {
  const SigTypes* s = sig_types(oi.sig);
  uint32_t src[3] = {0, 0, 0};
  Handler h = nullptr;
  if (in.op == Op::v128_load) h = &h_v128_load;
  else if (in.op == Op::v128_store) h = &h_v128_store;
#if VIV_HAVE_SIMD_HANDLERS
  else if (in.op != Op::v128_const) h = simd_handler(in.op);
#endif
  if (!h && in.op != Op::v128_const) {
    vivarium::Location loc;
    loc.offset = in.offset;
    loc.section = "code";
    loc.function = m_.func_display_name(func_index_);
    return Error(ErrorCode::Unsupported,
                 "SIMD instruction " + std::string(oi.text) + " is not supported (function " + loc.function + ")", loc);
  }
  for (uint32_t i = 0; i < s->nparams; ++i) src[i] = operand(s->nparams - 1 - i);
  pop(s->nparams);
  const uint32_t d = s->nresults ? push(s->result) : 0;
  uint64_t k[2];  // a constant's or a shuffle's 16 bytes, as two halves
  std::memcpy(k, in.v128.bytes, 16);
  Field f;
  if (in.op == Op::v128_const) {
    encode(pos(), &h_const128, LayoutId::const128, {d, k[0], k[1]}, &f);
    fusable(f, d);
    return {};
  }
  const uint32_t off = static_cast<uint32_t>(in.mem.offset);  // wasm32: a u32 (decoder)
  if (in.op == Op::v128_load) {
    encode(pos(), h, LayoutId::load, {in.offset, src[0], d, off}, &f);
    fusable(f, d);
    return {};
  }
  if (in.op == Op::v128_store) {
    encode(pos(), h, LayoutId::store, {in.offset, src[0], src[1], off});
    return {};
  }
  const bool memarg = oi.imm == ImmKind::MemArg || oi.imm == ImmKind::MemArgLane;
  if (memarg)  // only memory accesses trap
    encode(pos(), h, LayoutId::simd_mem, {in.offset, d, src[0], src[1], src[2], in.lane, off}, &f);
  else if (in.op == Op::i8x16_shuffle)
    encode(pos(), h, LayoutId::simd_shuffle, {d, src[0], src[1], src[2], in.lane, k[0], k[1]}, &f);
  else
    encode(pos(), h, LayoutId::simd, {d, src[0], src[1], src[2], in.lane}, &f);
  if (s->nresults) fusable(f, d);
  return {};
}

// local.set / local.tee. The value usually was just computed into its
// canonical slot by the previous instruction: then that instruction is
// retargeted to write the local directly and nothing is emitted.
Result<void> Lowerer::set_local(const Instr& in, bool tee) {
  const uint32_t ls = local_slot_[in.index];  // the index was validated
  if (!tee && skip_zero_init(in)) {
    pop();
    return {};
  }
  Val& t = top(0);
  if (t.loc != ls) {
    // Values still reading the local's old content get their own copy first.
    bool others = false;
    if (lazy_) {
      for (size_t i = 0; i + 1 < vals_.size(); ++i) {
        if (vals_[i].loc == ls) {
          materialize(vals_[i]);
          others = true;
        }
      }
    }
    Val& tv = top(0);
    if (!others && tv.loc == tv.canon && fuse_end_ == pos() && fuse_slot_ == tv.canon && put(fuse_field_, ls)) {
      // Fusions that re-emit these instructions must write the local too.
      if (binop_.end == pos()) binop_.d = ls;
      if (eqz_.end == pos()) eqz_.d = ls;
    } else {
      emit_move(tv, ls);
    }
    no_fuse();
    // After a tee the value is the local's content; a constant stays a
    // constant (it can still be folded).
    if (tee && tv.loc != kConstLoc) {
      if (tv.loc == tv.canon) ++lazy_;
      tv.loc = ls;
    }
  }
  if (!tee) pop();
  return {};
}

bool Lowerer::branch_needs_moves(uint32_t depth, uint32_t skip) {
  const Ctl& c = ctl_at(depth);
  const std::span<const ValType> types = c.kind == FrameKind::Loop ? c.params : c.results;
  uint32_t dst = L_ + c.slot_height;
  const uint32_t n = static_cast<uint32_t>(types.size());
  for (uint32_t i = 0; i < n; ++i) {
    const Val& v = top(skip + n - 1 - i);
    if (v.loc != dst) return true;
    dst += v.width;
  }
  return false;
}

// Moves the top `n` values to the slots where frame `c`'s label expects them.
// Forward order is safe: destinations never lie above a later source's
// canonical slot, and locals are never destinations.
void Lowerer::emit_moves_to(const Ctl& c, uint32_t n) {
  uint32_t dst = L_ + c.slot_height;
  for (uint32_t i = 0; i < n; ++i) {
    const Val& v = top(n - 1 - i);
    emit_move(v, dst);
    dst += v.width;
  }
}

void Lowerer::emit_branch(uint32_t depth) {
  Ctl& c = ctl_at(depth);
  if (c.kind == FrameKind::Function) return emit_return();
  const std::span<const ValType> types = c.kind == FrameKind::Loop ? c.params : c.results;
  emit_moves_to(c, static_cast<uint32_t>(types.size()));
  const uint32_t at = pos();
  uint32_t rel;
  encode(at, c.kind == FrameKind::Loop ? &h_br_loop : &h_br, LayoutId::jump, {0}, nullptr, &rel);
  set_branch_target(c, at, rel - at);
}

// Results go to fp[0..]: where the caller placed the arguments, which is
// where it expects the results.
void Lowerer::emit_return(bool fresh) {
  const std::span<const ValType> results = ctl_.front().results;
  const uint32_t n = static_cast<uint32_t>(results.size());
  const uint32_t rslots = slots_of_types(results);
  // A local read lazily could be overwritten by an earlier result's move.
  for (uint32_t i = 0; i < n; ++i) {
    Val& v = top(i);
    if (v.loc != v.canon && v.loc < rslots) materialize(v);
  }
  if (n == 1 && retarget_result(fresh)) return (void)encode(pos(), &h_return, LayoutId::bare, {});
  uint32_t dst = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const Val& v = top(n - 1 - i);
    emit_move(v, dst);
    dst += v.width;
  }
  encode(pos(), &h_return, LayoutId::bare, {});
}

Result<void> Lowerer::lower_control(const Instr& in, bool live) {
  auto step = [&]() -> Result<void> {
    auto r = v_.step(in);
    if (!r.ok()) return annotate(std::move(r).error());
    return {};
  };
  // Whether the top value was just computed into its slot (for `if`).
  const bool top_fresh = fuse_end_ == pos() && !vals_.empty() && top(0).loc == top(0).canon &&
                         fuse_slot_ == top(0).loc;
  no_fuse();  // every control instruction may be (or end at) a label
  const uint32_t prev_label = label_pos_;  // for `if`'s fusions with the code before it
  label_pos_ = pos();
  switch (in.op) {
    case Op::block:
    case Op::loop: {
      if (live) materialize_all();
      VIV_TRY(step());
      const CtrlFrame& f = v_.frame(0);
      Ctl c{in.op == Op::loop ? FrameKind::Loop : FrameKind::Block, !live, 0, 0, f.params, f.results};
      if (live) {
        c.height = static_cast<uint32_t>(vals_.size() - f.params.size());
        c.slot_height = cur_slots_ - slots_of_types(f.params);
        c.loop_start = pos();
      }
      ctl_.push_back(std::move(c));
      return {};
    }
    case Op::if_: {
      VIV_TRY(step());  // first: the condition must exist before it is read
      Fixup skip{};
      if (live) {
        const bool fresh = top_fresh;
        const uint32_t cond = operand(0);
        pop();
        const uint32_t before = pos();
        materialize_all();
        // A condition just computed (nothing emitted since): the pattern
        // table may fuse what computed it with the branch to `else`.
        BranchMatch m;
        uint32_t at, rel;
        if (fresh && pos() == before && condition_match(prev_label, false, true, m) && fuse_branch(buf_, m, at, rel)) {
          forget_conditions();
        } else {
          at = pos();
          encode(at, &h_br_unless, LayoutId::a_rel, {cond, 0}, nullptr, &rel);
        }
        skip = {at, rel};
      }
      const CtrlFrame& f = v_.frame(0);
      Ctl c{FrameKind::If, !live, 0, 0, f.params, f.results};
      if (live) {
        c.height = static_cast<uint32_t>(vals_.size() - f.params.size());
        c.slot_height = cur_slots_ - slots_of_types(f.params);
        c.has_else_fixup = true;
        c.else_fixup = skip;
      }
      ctl_.push_back(std::move(c));
      return {};
    }
    case Op::else_: {
      Ctl& c = ctl_.back();
      if (live) {
        materialize_all();
        const uint32_t at = pos();
        uint32_t rel;
        encode(at, &h_br, LayoutId::jump, {0}, nullptr, &rel);
        c.fixups.push_back({at, rel});
      }
      VIV_TRY(step());
      if (c.kind == FrameKind::If) c.kind = FrameKind::Else;
      if (!c.dead) {
        if (c.has_else_fixup) patch(c.else_fixup, pos());
        c.has_else_fixup = false;
        reset_to(c, c.params);
      }
      return {};
    }
    case Op::end: {
      Ctl& c = ctl_.back();
      if (c.kind == FrameKind::Function) {
        VIV_TRY(step());  // first: the results must exist before they are read
        if (live) emit_return(top_fresh);
        ctl_.pop_back();
        return {};
      }
      if (live) materialize_all();
      VIV_TRY(step());
      if (!c.dead) {
        for (const Fixup& f : c.fixups) patch(f, pos());
        if (c.has_else_fixup) patch(c.else_fixup, pos());
        Ctl done = std::move(c);
        ctl_.pop_back();
        reset_to(done, done.results);
      } else {
        ctl_.pop_back();
      }
      return {};
    }
    default:
      return internal(in, "not a control instruction");
  }
}

}  // namespace vivarium::engine::interp

namespace vivarium::engine {

Result<CompiledFuncPtr> lower_function(const ModuleIR& module, uint32_t defined_index) {
  interp::Lowerer l(module, defined_index);
  return l.run();
}

}  // namespace vivarium::engine
