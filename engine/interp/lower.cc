// lower_function: one pass over a body that validates it (FuncValidator) and
// emits the internal form (engine/interp/compiled.h explains the form).
//
// The lowering keeps a shadow of the operand stack: for each value, the slot
// it will have when it must be in place ("canonical": locals + its stack
// position) and the slot it is in now ("loc"). A `local.get` pushes a value
// whose loc is the local's slot, so consumers read the local directly; such
// lazy values are copied to their canonical slot ("materialized") before the
// local is overwritten and at every control-flow merge point, where all paths
// must agree on where values are. Branch values are moved to the label's
// slots on the branching path, so the target finds them in place.
#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "engine/interp/code_buffer.h"
#include "engine/interp/compiled.h"
#include "engine/interp/fused_mem.h"
#include "engine/interp/interp.h"
#include "engine/interp/ops.h"
#include "engine/interp/peephole.h"
#include "engine/validator/validator.h"

#if __has_include("engine/interp/simd/simd.h")
#include "engine/interp/simd/simd.h"
#define VIV_HAVE_SIMD_HANDLERS 1
#else
#define VIV_HAVE_SIMD_HANDLERS 0
#endif

namespace viv {

using namespace interp;
using vivarium::Location;

namespace {

uint32_t slots_of_types(std::span<const ValType> ts) {
  uint32_t n = 0;
  for (ValType t : ts) n += slots_of(t);
  return n;
}

struct Val {
  uint32_t loc;    // slot holding the value now (kConstLoc: the constant k)
  uint32_t canon;  // slot it occupies when in place
  uint32_t width;  // 1, or 2 for v128
  uint64_t k = 0;  // the value's bits when loc == kConstLoc
};
// A numeric constant is not emitted where it is pushed: it stays in the
// shadow stack (loc = kConstLoc) until a consumer either folds it into an
// immediate operand or needs it in a slot (then one const instruction
// writes it where it is needed: its canonical slot, a local, a label's slot).
constexpr uint32_t kConstLoc = UINT32_MAX;

// A relative branch target to fill in: code Word `word` gets
// (target - inst) in Words.
struct Fixup {
  uint32_t inst;
  uint32_t word;
};

struct Ctl {
  FrameKind kind;
  bool dead;             // entered from unreachable code: nothing inside is emitted
  uint32_t height;       // shadow-stack size at entry, params excluded
  uint32_t slot_height;  // same, in slots
  std::span<const ValType> params, results;
  uint32_t loop_start = 0;     // Loop: first Word of the body
  std::vector<Fixup> fixups;   // forward branches to this frame's end
  bool has_else_fixup = false;
  Fixup else_fixup{};          // If: the false edge, to `else` or `end`
};

class Lowerer {
 public:
  Lowerer(const ModuleIR& m, uint32_t defined_index)
      : m_(m), di_(defined_index), func_index_(m.num_imported_funcs + defined_index), v_(m, defined_index) {}

  Result<CompiledFuncPtr> run();

 private:
  // ---- errors ----
  Error annotate(Error e) const {
    if (e.where().function.empty()) e.where().function = m_.func_display_name(func_index_);
    if (e.where().section.empty()) e.where().section = "code";
    return e;
  }
  Error internal(const Instr& in, const std::string& what) const {
    Location loc;
    loc.offset = in.offset;
    loc.section = "code";
    loc.function = m_.func_display_name(func_index_);
    return Error(ErrorCode::Internal, "interpreter lowering: " + what, loc);
  }

  // ---- emission ----
  uint32_t emit(Handler h, uint32_t words) { return buf_.emit(h, words); }
  void set_handler(uint32_t at, Handler h) { buf_.set_handler(at, h); }
  uint32_t pos() const { return buf_.pos(); }
  void mark(uint32_t inst, const Instr& in) { offsets_.emplace_back(inst, static_cast<uint32_t>(in.offset)); }
  // For instructions emitted on behalf of the current wasm instruction
  // (back-edges can end in fuel/deadline traps).
  void mark(uint32_t inst) { offsets_.emplace_back(inst, cur_offset_); }
  void patch(const Fixup& f, uint32_t target) {
    code_[f.word].i32 = static_cast<int32_t>(target) - static_cast<int32_t>(f.inst);
  }
  // The last emitted instruction wrote `slot` through field `f`; a following
  // local.set may retarget it (see set_local).
  void fusable(Field f, uint32_t slot) {
    fuse_end_ = pos();
    fuse_field_ = f;
    fuse_slot_ = slot;
  }
  void no_fuse() { fuse_end_ = UINT32_MAX; }
  // Writes slot `v` into field `f`; false if a half-Word field cannot hold it.
  bool put(Field f, uint32_t v) {
    if (f.half == Field::kWhole) {
      code_[f.word].u32 = v;
      return true;
    }
    if (v > kNarrowMax) return false;
    const uint32_t shift = f.half == Field::kHigh ? 16 : 0;
    code_[f.word].u32 = (code_[f.word].u32 & ~(0xFFFFu << shift)) | (v << shift);
    return true;
  }
  void record_binop(uint32_t at, Op op, bool imm, uint32_t a, uint32_t b, uint32_t d) {
    prev_binop_ = binop_;
    binop_ = Emitted{at, pos(), op, imm, a, b, d};
  }
  struct ShlAdd {
    uint32_t idx = 0, base = 0, sh = 0;
    bool imm_base = false;
  };
  // The address the last instruction computed is `base + (idx << sh)`: an
  // i32 shl_add (lower_shl_add) still fresh in binop_.
  bool shl_add(ShlAdd& r) const {
    if (!binop_.shl_add) return false;
    r = {binop_.a, binop_.b, static_cast<uint32_t>(binop_.k), binop_.imm};
    return true;
  }
  bool lower_shl_add();
  // Loaded-index addressing (ops_index8.cc): the shl_add's index a load8_u
  // or i32.load just read, and a 4/8-byte load of that address.
  bool lower_shl_add_index8(const Emitted& sh, uint32_t base, uint32_t d, uint32_t k);
  bool lower_load_index8(const Instr& in, const SigTypes* s);
  Emitted index8_;  // the last shl_add_index8: a = p, b = base, d, k = off8 << 5 | sh
  // Emits the fused load/store `h` of base + (idx << sh) with `v` (the
  // load's result or the stored value); returns the Word holding v.
  uint32_t emit_shl_mem(Op op, const ShlAdd& r, uint32_t v, uint32_t off, Field& vf) {
    const bool n = !r.imm_base && narrow(r.idx, r.base, v);
    const uint32_t at = emit(load_shl_add_handler(op, r.imm_base, n), n ? 4 : 6);
    if (n) {
      code_[at + 1].u32 = pack16(r.idx, r.base);
      code_[at + 2].u32 = pack16(v, r.sh);
      code_[at + 3].u32 = off;
      vf = {at + 2, Field::kLow};
    } else {
      code_[at + 1].u32 = r.idx;
      code_[at + 2].u32 = r.base;
      code_[at + 3].u32 = v;
      code_[at + 4].u32 = r.sh;
      code_[at + 5].u32 = off;
      vf = {at + 3};
    }
    return at;
  }
  // Rewinds to `e`'s start: a fusion re-emits it as part of a larger instruction.
  void unemit(const Emitted& e) { code_.resize(e.at); }
  static bool narrow(uint32_t a, uint32_t b = 0, uint32_t c = 0) {
    return a <= kNarrowMax && b <= kNarrowMax && c <= kNarrowMax;
  }

  void emit_const(uint64_t k, uint32_t dst) {
    if (k <= kNarrowMax && dst <= kNarrowMax) {
      const uint32_t at = emit(&h_const16_n, 2);
      code_[at + 1].u32 = pack16(dst, static_cast<uint32_t>(k));
    } else if (k >> 32 == 0) {  // slots hold i32/f32 zero-extended: the short form fits i64s < 2^32 too
      const uint32_t at = emit(&h_const32, 3);
      code_[at + 1].u32 = dst;
      code_[at + 2].u32 = static_cast<uint32_t>(k);
    } else {
      const uint32_t at = emit(&h_const64, 4);
      code_[at + 1].u32 = dst;
      std::memcpy(&code_[at + 2], &k, 8);
    }
  }
  // Puts value `v` into slot `dst` (a copy, or the constant itself).
  void emit_move(const Val& v, uint32_t dst) {
    if (v.loc == kConstLoc) return emit_const(v.k, dst);
    emit_copy(v.loc, dst, v.width);
  }
  void emit_copy(uint32_t src, uint32_t dst, uint32_t width) {
    if (src == dst) return;
    if (width == 1 && narrow(src, dst)) {
      if (pair_copy(src, dst)) return;
      const uint32_t at = emit(&h_copy_n, 2);
      code_[at + 1].u32 = pack16(src, dst);
      copy_ = Emitted{at, pos()};
      return;
    }
    uint32_t at = emit(width == 2 ? &h_copy2 : &h_copy, 3);
    code_[at + 1].u32 = src;
    code_[at + 2].u32 = dst;
  }

  // ---- shadow stack ----
  Val& top(uint32_t i) { return vals_[vals_.size() - 1 - i]; }
  uint32_t push(ValType t) {
    const uint32_t w = slots_of(t);
    const uint32_t canon = L_ + cur_slots_;
    vals_.push_back({canon, canon, w});
    cur_slots_ += w;
    max_slots_ = std::max(max_slots_, cur_slots_);
    return canon;
  }
  void push_all(std::span<const ValType> ts) {
    for (ValType t : ts) push(t);
  }
  void pop(uint32_t n = 1) {
    for (uint32_t i = 0; i < n; ++i) {
      const Val& v = vals_.back();
      if (v.loc != v.canon) --lazy_;
      cur_slots_ -= v.width;
      vals_.pop_back();
    }
  }
  void push_const(uint64_t k) {
    push(ValType::I64);
    top(0).loc = kConstLoc;
    top(0).k = k;
    ++lazy_;
  }
  // The slot of stack value `i` as an operand of an instruction: a constant
  // is written to its canonical slot first.
  uint32_t operand(uint32_t i) {
    Val& v = top(i);
    if (v.loc == kConstLoc) materialize(v);
    return v.loc;
  }
  void materialize(Val& v) {
    if (v.loc == v.canon) return;
    emit_move(v, v.canon);
    v.loc = v.canon;
    --lazy_;
  }
  void materialize_top(uint32_t n) {
    if (!lazy_) return;
    for (uint32_t i = 0; i < n; ++i) materialize(top(i));
  }
  void materialize_all() {
    if (!lazy_) return;
    for (Val& v : vals_) materialize(v);
  }
  // Resets the shadow stack to a frame's entry height plus `ts` in place
  // (after `else`/`end`, whatever the previous code left).
  void reset_to(const Ctl& c, std::span<const ValType> ts) {
    while (vals_.size() > c.height) pop();
    cur_slots_ = c.slot_height;
    push_all(ts);
  }

  // ---- instruction groups ----
  Result<void> lower(const Instr& in);
  Result<void> lower_control(const Instr& in, bool live);
  Result<void> lower_fixed(const Instr& in, const OpInfo& oi);
  Result<void> lower_simd(const Instr& in, const OpInfo& oi);
  Result<void> set_local(const Instr& in, bool tee);
  // The pattern table (peephole.h) for a binop fed by what was just emitted.
  bool fuse_binop(const Instr& in, const SigTypes* s);
  bool fed_by(const Emitted& p, BinopMatch& m);
  bool lower_float_fused(const Instr& in, const SigTypes* s);
  // Integer superinstructions (ops_int_fused.cc); true if emitted.
  bool lower_abs_mem(const Instr& in, const SigTypes* s);
  bool pair_copy(uint32_t src, uint32_t dst);
  bool retarget_result(bool fresh);
  // Word `word` of the branch instruction at `at` targets frame `c`: a loop's
  // start now (a back-edge, where fuel traps land), else a fixup.
  void set_branch_target(Ctl& c, uint32_t at, uint32_t word) {
    if (c.kind == FrameKind::Loop) {
      code_[at + word].i32 = static_cast<int32_t>(c.loop_start) - static_cast<int32_t>(at);
      mark(at);
    } else {
      c.fixups.push_back({at, at + word});
    }
  }
  // The condition a br_if or `if` consumes, just computed by an i32.eqz or a
  // binop, with what came before it: for the pattern table (peephole.h).
  bool condition_match(uint32_t label, bool loop, bool on_false, BranchMatch& m) const;
  // br_table's index just computed into `slot` by what the last records
  // name: the pattern table's br_table rows; `at` receives the fused prefix.
  bool fuse_index(uint32_t slot, uint32_t n, uint32_t& at);
  // After a fused branch: the records it consumed are gone.
  void forget_conditions() { binop_ = prev_binop_ = eqz_ = ild_ = Emitted{}; }
  bool skip_zero_init(const Instr& in);
  // Memory superinstructions (fused_mem.h): the last load, and a store of
  // its value fused with it (ops_mem_copy.cc).
  void note_load(uint32_t at, const Instr& in, uint32_t addr, uint32_t k, uint32_t d, bool addi);
  bool lower_mem_copy(const Instr& in);
  bool lower_store_const(const Instr& in);
  // Float results stored at once (ops_float_mem.cc).
  Emitted mul_feeding(const Val& x) const;
  Emitted loaded_addend(const Val& c, const Emitted& mul) const;
  void note_product(uint32_t at, Op op, bool load_left, uint32_t x, uint32_t addr, uint32_t k, uint64_t off,
                    uint32_t d);
  bool lower_float_store(const Instr& in);
  bool lower_float_axpy_abs(const Instr& in);
  bool emitted(uint32_t at, Handler h) const;
  Emitted inner_mul(const Emitted& mul) const;
  Emitted plain_load_chain() const;
  void put_mul_rmw(uint32_t at, const Emitted& m, const Emitted& p, uint32_t addr, uint32_t off);
  bool lower_fbin_load_addi(const Instr& in);
  void emit_moves_to(const Ctl& c, uint32_t n);
  void emit_branch(uint32_t depth);
  // fresh: the top value was just computed into its slot (the function's
  // `end` cleared the fusion state before returning).
  void emit_return(bool fresh = false);
  bool branch_needs_moves(uint32_t depth, uint32_t skip);

  Ctl& ctl_at(uint32_t depth) { return ctl_[ctl_.size() - 1 - depth]; }

  const ModuleIR& m_;
  uint32_t di_;
  uint32_t func_index_;
  FuncValidator v_;
  uint32_t L_ = 0;  // slots of params + locals: the operand stack starts here
  // Slot of each local (params first): the validator speaks of types only,
  // where values live is the interpreter's business.
  std::vector<uint32_t> local_slot_;
  uint32_t max_slots_ = 0;  // highest operand-stack slot count so far

  CodeBuffer buf_;
  std::vector<Word>& code_ = buf_.code;
  std::vector<std::pair<uint32_t, uint32_t>>& offsets_ = buf_.offsets;
  std::vector<Val> vals_;
  uint32_t cur_slots_ = 0;
  uint32_t lazy_ = 0;  // values whose loc != canon
  std::vector<Ctl> ctl_;
  uint32_t fuse_end_ = UINT32_MAX, fuse_slot_ = 0;
  Field fuse_field_{};
  uint32_t cur_offset_ = 0;  // module offset of the instruction being lowered
  // The last binop emitted (for the compare-and-branch and load/store
  // fusions; usable while binop_.end == pos() and it wrote fuse_slot_), the
  // binop before it (for the loop-step fusion) and the last i32.eqz (for
  // br_if/if). Fusions rewind over them and emit the fused instruction.
  Emitted binop_, prev_binop_, eqz_;
  // The last plain f32/f64.load (a = address slot, b = offset, d = result),
  // for the float binop+load fusion.
  Emitted load_;
  // The last binop+load (a = address slot, b = offset, d = result, imm =
  // load on the left; x = the other operand) for the read-modify-write fusion.
  Emitted fload_;
  uint32_t fload_x_ = 0;
  // The last plain i32.load8_u (a = address slot, b = offset, d = result), for br_table.
  Emitted iload_;
  // The last load of any width (a = address slot, b = added constant, k =
  // memarg offset, d = result) and its module offset; with the i32.add of a
  // constant emitted just before it (mem_st_add_, or at == kNowhere), for
  // the memory-to-memory copy.
  Emitted mem_load_;
  uint32_t mem_load_offset_ = 0;
  Emitted mem_st_add_;
  // The last narrow mul+add/sub (a, b = the product's operands, k = kind,
  // d = result; op = the mul); the multiply (if any)
  // that computed the other operand of the last binop+load just before its
  // load, with that load's module offset.
  Emitted fmadd_, fload_mul_;
  // The plain load that produced the last mul+add/sub's addend, with at most
  // one float binop between them (k = the load's module offset).
  Emitted fmadd_ld_;
  // The multiply just before fmadd_'s or fload_mul_'s that computed one of
  // its factors (inner_mul), or nothing.
  Emitted mul0_;
  // The last narrow f32/f64 sqrt (a = operand, d = result).
  Emitted sqrt_;
  // The last f32/f64 mul with a loaded operand (imm = load on the left, a =
  // address slot, b = added constant, k = memarg offset, d = result), its
  // other operand and its load's module offset.
  Emitted fprod_;
  uint32_t fprod_x_ = 0, fprod_offset_ = 0;
  uint32_t label_pos_ = 0;  // code position of the last control instruction (a possible label)
  // The last narrow copy, which the next one may join (pair_copy) unless a
  // control instruction came between: copy_barrier_ is the code position
  // after the last one (a loop's label lies after its entry copies).
  Emitted copy_;
  // The last plain i32.load (a = address slot, b = offset, d = result).
  Emitted ild_;
  // The last i32.load fused with its address add (a, b: the add's operands,
  // imm: b a constant, d = result, k = offset).
  Emitted ldadd_;
  uint32_t copy_barrier_ = 0;
};


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
      mark(emit(&h_unreachable, 1), in);
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
      const uint32_t at = emit(w == 2 ? &h_select2 : &h_select, 5);
      code_[at + 1].u32 = a;
      code_[at + 2].u32 = b;
      code_[at + 3].u32 = c;
      code_[at + 4].u32 = d;
      fusable({at + 4}, d);
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
      const uint32_t at = emit(t == ValType::V128 ? &h_global_get2 : &h_global_get, 3);
      code_[at + 1].u32 = in.index;
      code_[at + 2].u32 = d;
      fusable({at + 2}, d);
      return {};
    }
    case Op::global_set: {
      const uint32_t src = operand(0), w = top(0).width;
      pop();
      const uint32_t at = emit(w == 2 ? &h_global_set2 : &h_global_set, 3);
      code_[at + 1].u32 = in.index;
      code_[at + 2].u32 = src;
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
      const uint32_t at = emit(&h_const32, 3);
      code_[at + 1].u32 = d;
      fusable({at + 1}, d);
      return {};
    }
    case Op::ref_is_null: {
      const uint32_t a = operand(0);
      pop();
      const uint32_t d = push(ValType::I32);
      const uint32_t at = emit(&h_ref_is_null, 3);
      code_[at + 1].u32 = a;
      code_[at + 2].u32 = d;
      fusable({at + 2}, d);
      return {};
    }
    case Op::ref_func: {
      const uint32_t d = push(ValType::FuncRef);
      const uint32_t at = emit(&h_ref_func, 3);
      code_[at + 1].u32 = in.index;
      code_[at + 2].u32 = d;
      fusable({at + 2}, d);
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
      const uint32_t at = emit(&h_table_get, 4);
      code_[at + 1].u32 = idx;
      code_[at + 2].u32 = d;
      code_[at + 3].u32 = in.index;
      mark(at, in);
      fusable({at + 2}, d);
      return {};
    }
    case Op::table_set: {
      const uint32_t idx = operand(1), val = operand(0);
      pop(2);
      const uint32_t at = emit(&h_table_set, 4);
      code_[at + 1].u32 = idx;
      code_[at + 2].u32 = val;
      code_[at + 3].u32 = in.index;
      mark(at, in);
      return {};
    }
    case Op::table_size: {
      const uint32_t d = push(ValType::I32);
      const uint32_t at = emit(&h_table_size, 3);
      code_[at + 1].u32 = d;
      code_[at + 2].u32 = in.index;
      fusable({at + 1}, d);
      return {};
    }
    case Op::table_grow: {
      const uint32_t init = operand(1), n = operand(0);
      pop(2);
      const uint32_t d = push(ValType::I32);
      const uint32_t at = emit(&h_table_grow, 5);
      code_[at + 1].u32 = init;
      code_[at + 2].u32 = n;
      code_[at + 3].u32 = d;
      code_[at + 4].u32 = in.index;
      fusable({at + 3}, d);
      return {};
    }
    case Op::table_fill: {
      const uint32_t i = operand(2), val = operand(1), n = operand(0);
      pop(3);
      const uint32_t at = emit(&h_table_fill, 5);
      code_[at + 1].u32 = i;
      code_[at + 2].u32 = val;
      code_[at + 3].u32 = n;
      code_[at + 4].u32 = in.index;
      mark(at, in);
      return {};
    }
    case Op::table_copy:
    case Op::table_init: {
      const uint32_t d = operand(2), s = operand(1), n = operand(0);
      pop(3);
      const uint32_t at = emit(in.op == Op::table_copy ? &h_table_copy : &h_table_init, 6);
      code_[at + 1].u32 = d;
      code_[at + 2].u32 = s;
      code_[at + 3].u32 = n;
      if (in.op == Op::table_copy) {  // index = destination table, index2 = source table
        code_[at + 4].u32 = in.index;
        code_[at + 5].u32 = in.index2;
      } else {  // index = element segment, index2 = table
        code_[at + 4].u32 = in.index2;
        code_[at + 5].u32 = in.index;
      }
      mark(at, in);
      return {};
    }
    case Op::elem_drop:
    case Op::data_drop: {
      const uint32_t at = emit(in.op == Op::elem_drop ? &h_elem_drop : &h_data_drop, 2);
      code_[at + 1].u32 = in.index;
      return {};
    }

    // ---- memory (non-uniform layouts) ----
    case Op::memory_size: {
      const uint32_t d = push(ValType::I32);
      const uint32_t at = emit(&h_memory_size, 2);
      code_[at + 1].u32 = d;
      fusable({at + 1}, d);
      return {};
    }
    case Op::memory_grow: {
      const uint32_t a = operand(0);
      pop();
      const uint32_t d = push(ValType::I32);
      const uint32_t at = emit(&h_memory_grow, 3);
      code_[at + 1].u32 = a;
      code_[at + 2].u32 = d;
      fusable({at + 2}, d);
      return {};
    }
    case Op::memory_fill:
    case Op::memory_copy:
    case Op::memory_init: {
      const uint32_t d = operand(2), s = operand(1), n = operand(0);
      pop(3);
      Handler h = in.op == Op::memory_fill ? &h_memory_fill : in.op == Op::memory_copy ? &h_memory_copy : &h_memory_init;
      const bool init = in.op == Op::memory_init;
      const uint32_t at = emit(h, init ? 5 : 4);
      code_[at + 1].u32 = d;
      code_[at + 2].u32 = s;
      code_[at + 3].u32 = n;
      if (init) code_[at + 4].u32 = in.index;  // the data segment
      mark(at, in);
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
        const uint32_t at = emit(&h_br_unless, 3);
        code_[at + 1].u32 = cond;
        emit_branch(in.index);
        patch({at, at + 2}, pos());
        return {};
      }
      const bool loop = c.kind == FrameKind::Loop;
      BranchMatch m;
      uint32_t at, rel;
      if (fresh && condition_match(label_pos_, loop, false, m) && fuse_branch(buf_, m, at, rel)) {
        forget_conditions();
      } else {
        at = emit(loop ? &h_br_if_loop : &h_br_if, 3);
        code_[at + 1].u32 = cond;
        rel = at + 2;
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
      uint32_t at, first = 3;
      if (fresh && fuse_index(index_slot, n, at)) {
        code_.resize(code_.size() + n + 1);  // the targets follow the fused prefix
        first = pos() - at - (n + 1);
      } else {
        at = emit(&h_br_table, 3 + n + 1);
        code_[at + 1].u32 = idx;
        code_[at + 2].u32 = n;
      }
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
      const uint32_t at = emit(&h_call, 3);
      code_[at + 1].u32 = in.index;
      code_[at + 2].u32 = base;
      mark(at, in);
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
      const uint32_t at = emit(&h_call_indirect, 5);
      code_[at + 1].u32 = in.index2;
      code_[at + 2].u32 = base;
      code_[at + 3].u32 = vivarium::detail::intern_func_type(ft);
      code_[at + 4].u32 = elem;
      mark(at, in);
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
  if (binop && (lower_float_fused(in, s) || lower_fbin_load_addi(in))) return {};
  if (in.op == Op::i32_add && lower_shl_add()) return {};
  if (binop && fuse_binop(in, s)) return {};
  if (oi.imm == ImmKind::MemArg && (lower_float_axpy_abs(in) || lower_abs_mem(in, s))) return {};
  // A constant right operand of an integer binop becomes an immediate; a
  // constant left operand of a commutative one is swapped there.
  if (s->nparams == 2 && s->nresults == 1 && oi.imm != ImmKind::MemArg && binop_imm_handler(in.op, false)) {
    const bool is64 = s->params[0] == ValType::I64;
    auto fits = [&](const Val& v) {
      return v.loc == kConstLoc &&
             (!is64 || static_cast<int64_t>(v.k) == static_cast<int64_t>(static_cast<int32_t>(v.k)));
    };
    int ki = -1;  // stack index of the folded constant
    if (fits(top(0))) ki = 0;
    else if (commutes(in.op) && fits(top(1))) ki = 1;
    if (ki >= 0) {
      const uint32_t k = static_cast<uint32_t>(top(ki).k);
      const uint32_t a = operand(1 - ki);
      pop(2);
      const uint32_t d = push(s->result);
      uint32_t at;
      if (narrow(a, d)) {  // [h][a|d][k]
        at = emit(binop_imm_handler(in.op, true), 3);
        code_[at + 1].u32 = pack16(a, d);
        code_[at + 2].u32 = k;
        fusable({at + 1, Field::kHigh}, d);
      } else {  // [h][a][k][d]
        at = emit(binop_imm_handler(in.op, false), 4);
        code_[at + 1].u32 = a;
        code_[at + 2].u32 = k;
        code_[at + 3].u32 = d;
        fusable({at + 3}, d);
      }
      record_binop(at, in.op, true, a, k, d);
      return {};
    }
  }
  if (oi.imm == ImmKind::MemArg && s->nparams == 1 && s->nresults == 1 && lower_load_index8(in, s)) return {};
  // A load whose address an i32.add (of two slots, or a slot and a constant)
  // just computed: the add becomes the load (array indexing costs one
  // dispatch, not two): [h][a][b-or-k][d][offset].
  if (oi.imm == ImmKind::MemArg && s->nparams == 1 && s->nresults == 1 && in.mem.offset <= UINT32_MAX &&
      fuse_end_ == pos() && top(0).loc == top(0).canon && fuse_slot_ == top(0).loc && binop_.end == pos() &&
      (binop_.op == Op::i32_add || binop_.shl_add)) {
    ShlAdd r;
    if (load_shl_add_handler(in.op, false, false) && shl_add(r)) {
      pop();
      const uint32_t d = push(s->result);
      unemit(binop_);
      Field df;
      const uint32_t at = emit_shl_mem(in.op, r, d, static_cast<uint32_t>(in.mem.offset), df);
      mark(at, in);
      fusable(df, d);
      binop_ = prev_binop_ = Emitted{};
      return {};
    }
    if (Handler hl = binop_.shl_add ? nullptr : load_add_handler(in.op, binop_.imm)) {
      pop();
      const uint32_t d = push(s->result);
      const Emitted add = binop_;
      unemit(add);
      const uint32_t at = emit(hl, 5);
      code_[at + 1].u32 = add.a;
      code_[at + 2].u32 = add.b;
      code_[at + 3].u32 = d;
      code_[at + 4].u32 = static_cast<uint32_t>(in.mem.offset);
      mark(at, in);
      fusable({at + 3}, d);
      if (add.imm) note_load(at, in, add.a, add.b, d, true);
      binop_ = Emitted{};  // no longer a binop the next instruction may fuse with
      if (in.op == Op::i32_load) ldadd_ = Emitted{at, pos(), in.op, add.imm, add.a, add.b, d, in.mem.offset};
      return {};
    }
  }
  if (oi.imm == ImmKind::MemArg && s->nparams == 2 && s->nresults == 0 && (lower_mem_copy(in) || lower_float_store(in)))
    return {};
  // A store of a binop+load's result back to the loaded address and offset:
  // [h][x|addr][off] / [h][x][addr][off].
  if (oi.imm == ImmKind::MemArg && s->nparams == 2 && s->nresults == 0 && fload_.end == pos() &&
      fuse_end_ == pos() && top(0).loc == top(0).canon && fuse_slot_ == top(0).loc && fload_.d == top(0).loc &&
      top(1).loc == fload_.a && in.mem.offset == fload_.b &&
      ((in.op == Op::f64_store && (fload_.op == Op::f64_add || fload_.op == Op::f64_sub || fload_.op == Op::f64_mul ||
                                   fload_.op == Op::f64_div)) ||
       (in.op == Op::f32_store && (fload_.op == Op::f32_add || fload_.op == Op::f32_sub || fload_.op == Op::f32_mul ||
                                   fload_.op == Op::f32_div)))) {
    const Emitted f = fload_;
    pop(2);
    unemit(f);
    const bool n = narrow(fload_x_, f.a);
    const uint32_t at = emit(float_binop_rmw_handler(f.op, f.imm, n), n ? 3 : 4);
    if (n) {
      code_[at + 1].u32 = pack16(fload_x_, f.a);
      code_[at + 2].u32 = f.b;
    } else {
      code_[at + 1].u32 = fload_x_;
      code_[at + 2].u32 = f.a;
      code_[at + 3].u32 = f.b;
    }
    no_fuse();
    fload_ = Emitted{};
    return {};
  }
  // A store whose address an i32.add just computed, the value being already
  // in a slot (a local, or computed before the address): same fusion,
  // [h][a][b-or-k][v][offset].
  if (oi.imm == ImmKind::MemArg && s->nparams == 2 && s->nresults == 0 && in.mem.offset <= UINT32_MAX &&
      fuse_end_ == pos() && top(1).loc == top(1).canon && fuse_slot_ == top(1).loc &&
      binop_.end == pos() && (binop_.op == Op::i32_add || binop_.shl_add)) {
    // A constant value goes to its slot just before the fused store (then
    // the address's operands must not live in that slot).
    const bool kv = top(0).loc == kConstLoc;
    const uint32_t v = kv ? top(0).canon : top(0).loc;
    ShlAdd r;
    if (load_shl_add_handler(in.op, false, false) && shl_add(r) &&
        !(kv && (r.idx == v || (!r.imm_base && r.base == v)))) {
      unemit(binop_);
      if (kv) materialize(top(0));
      Field vf;
      mark(emit_shl_mem(in.op, r, v, static_cast<uint32_t>(in.mem.offset), vf), in);
      pop(2);
      no_fuse();
      binop_ = prev_binop_ = Emitted{};
      return {};
    }
    Handler hs = binop_.shl_add ? nullptr : load_add_handler(in.op, binop_.imm);
    if (hs && !(kv && (binop_.a == v || (!binop_.imm && binop_.b == v)))) {
      const Emitted add = binop_;
      unemit(add);
      if (kv) materialize(top(0));
      const uint32_t at = emit(hs, 5);
      code_[at + 1].u32 = add.a;
      code_[at + 2].u32 = add.b;
      code_[at + 3].u32 = v;
      code_[at + 4].u32 = static_cast<uint32_t>(in.mem.offset);
      pop(2);
      mark(at, in);
      no_fuse();
      binop_ = Emitted{};
      return {};
    }
  }
  if (oi.imm == ImmKind::MemArg && s->nparams == 2 && s->nresults == 0 && lower_store_const(in)) return {};
  for (uint32_t i = 0; i < s->nparams; ++i) src[i] = operand(s->nparams - 1 - i);
  pop(s->nparams);
  const uint32_t d = s->nresults ? push(s->result) : 0;
  uint32_t at;
  if (oi.imm == ImmKind::MemArg) {  // wasm32: the offset is a u32 (decoder)
    const uint32_t v = s->nresults ? d : src[1];
    const uint32_t off = static_cast<uint32_t>(in.mem.offset);
    if (narrow(src[0], v)) {  // [h][addr|v][off]
      at = emit(op_table(true)[static_cast<size_t>(in.op)], 3);
      code_[at + 1].u32 = pack16(src[0], v);
      code_[at + 2].u32 = off;
      if (s->nresults) fusable({at + 1, Field::kHigh}, d);
    } else {  // [h][addr][v][off]
      at = emit(op_table(false)[static_cast<size_t>(in.op)], 4);
      code_[at + 1].u32 = src[0];
      code_[at + 2].u32 = v;
      code_[at + 3].u32 = off;
      if (s->nresults) fusable({at + 2}, d);
    }
    mark(at, in);
    if (in.op == Op::f64_load || in.op == Op::f32_load) load_ = Emitted{at, pos(), in.op, false, src[0], off, d};
    if (in.op == Op::i32_load8_u) iload_ = Emitted{at, pos(), in.op, false, src[0], off, d};
    if (in.op == Op::i32_load) ild_ = Emitted{at, pos(), in.op, false, src[0], off, d};
    if (s->nresults) note_load(at, in, src[0], 0, d, false);
  } else if (s->nparams == 1 && s->nresults == 1) {
    if (narrow(src[0], d)) {  // [h][a|d]
      at = emit(op_table(true)[static_cast<size_t>(in.op)], 2);
      code_[at + 1].u32 = pack16(src[0], d);
      fusable({at + 1, Field::kHigh}, d);
    } else {  // [h][a][d]
      at = emit(op_table(false)[static_cast<size_t>(in.op)], 3);
      code_[at + 1].u32 = src[0];
      code_[at + 2].u32 = d;
      fusable({at + 2}, d);
    }
    if (can_trap(in.op)) mark(at, in);  // float -> int truncation
    if (in.op == Op::i32_eqz) eqz_ = Emitted{at, pos(), in.op, false, src[0], 0, d};
    if ((in.op == Op::f64_sqrt || in.op == Op::f32_sqrt) && narrow(src[0], d)) sqrt_ = Emitted{at, pos(), in.op, false, src[0], 0, d};
  } else if (s->nparams == 2 && s->nresults == 1) {
    if (narrow(src[0], src[1])) {  // [h][a|b][d]
      at = emit(op_table(true)[static_cast<size_t>(in.op)], 3);
      code_[at + 1].u32 = pack16(src[0], src[1]);
      code_[at + 2].u32 = d;
      fusable({at + 2}, d);
    } else {  // [h][a][b][d]
      at = emit(op_table(false)[static_cast<size_t>(in.op)], 4);
      code_[at + 1].u32 = src[0];
      code_[at + 2].u32 = src[1];
      code_[at + 3].u32 = d;
      fusable({at + 3}, d);
    }
    if (can_trap(in.op)) mark(at, in);  // division
    record_binop(at, in.op, false, src[0], src[1], d);
  } else {
    return internal(in, "unexpected signature for " + std::string(oi.text));
  }
  return {};
}

// `x + (idx << k)` or `(idx << k) + x`, the shl by a constant just emitted
// into the temporary the add consumes, x a slot or a constant: one shl_add
// (ops_int.cc) in place of both. True if it emitted one.
bool Lowerer::lower_shl_add() {
  const Emitted sh = binop_;
  if (sh.end != pos() || fuse_end_ != pos() || sh.op != Op::i32_shl || !sh.imm || fuse_slot_ != sh.d ||
      sh.at < label_pos_)
    return false;
  int si = -1;  // stack index of the shifted value
  for (int i = 0; i < 2; ++i)
    if (top(i).loc == top(i).canon && top(i).loc == sh.d) si = i;
  if (si < 0) return false;
  const Val& o = top(1 - si);
  const bool imm = o.loc == kConstLoc;
  const uint32_t base = imm ? static_cast<uint32_t>(o.k) : o.loc;
  pop(2);
  const uint32_t d = push(ValType::I32);
  const uint32_t k = sh.b & 31;
  if (!imm && lower_shl_add_index8(sh, base, d, k)) return true;
  unemit(sh);
  const bool n = narrow(sh.a, imm ? d : base, d) && (imm || k <= kNarrowMax);
  const uint32_t at = emit(shl_add_handler(imm, n), n ? (imm ? 4 : 3) : 5);
  if (n && !imm) {  // [h][idx|base][d|sh]
    code_[at + 1].u32 = pack16(sh.a, base);
    code_[at + 2].u32 = pack16(d, k);
    fusable({at + 2, Field::kLow}, d);
  } else if (n) {  // [h][idx|d][base][sh]
    code_[at + 1].u32 = pack16(sh.a, d);
    code_[at + 2].u32 = base;
    code_[at + 3].u32 = k;
    fusable({at + 1, Field::kHigh}, d);
  } else {  // [h][idx][base][d][sh]
    code_[at + 1].u32 = sh.a;
    code_[at + 2].u32 = base;
    code_[at + 3].u32 = d;
    code_[at + 4].u32 = k;
    fusable({at + 3}, d);
  }
  prev_binop_ = Emitted{};
  binop_ = Emitted{at, pos(), Op::nop, imm, sh.a, base, d, k};
  binop_.shl_add = true;
  return true;
}

// `base + (t << k)` where t is what an i32.load8_u or i32.load just read into a
// temporary (the shl_add's only reader): the byte read moves into the
// address computation, which starts where the load8_u did (keeping its
// offset-table entry at Word 0).
bool Lowerer::lower_shl_add_index8(const Emitted& sh, uint32_t base, uint32_t d, uint32_t k) {
  const Emitted ld = iload_.end == sh.at ? iload_ : ild_;
  const Handler h = shl_add_index8_handler(ld.op);
  if (!h || ld.end != sh.at || ld.at < label_pos_ || ld.d != sh.a || sh.a < L_ ||
      !narrow(ld.a, base, d))
    return false;
  unemit(ld);
  const uint32_t at = emit(h, 4);
  code_[at + 1].u32 = pack16(ld.a, base);
  code_[at + 2].u32 = pack16(d, k);
  code_[at + 3].u32 = ld.b;
  fusable({at + 2, Field::kLow}, d);
  iload_ = ild_ = binop_ = prev_binop_ = Emitted{};
  index8_ = Emitted{at, pos(), ld.op, false, ld.a, base, d, uint64_t{ld.b} << 5 | k};
  return true;
}

// A 4/8-byte load of the address a shl_add_index8 just computed (its only
// reader): one instruction reading the byte and then the value; the load's
// offset goes to Word 1 of the offset table.
bool Lowerer::lower_load_index8(const Instr& in, const SigTypes* s) {
  const Emitted ix = index8_;
  const Handler h = load_index8_handler(ix.op, in.op);
  if (!h || ix.end != pos() || ix.at < label_pos_ || fuse_end_ != pos() || in.mem.offset > UINT32_MAX ||
      top(0).loc != top(0).canon || top(0).loc != ix.d || fuse_slot_ != ix.d)
    return false;
  pop();
  const uint32_t d = push(s->result);  // ix.d again: narrow
  unemit(ix);
  const uint32_t at = emit(h, 5);
  code_[at + 1].u32 = pack16(ix.a, ix.b);
  code_[at + 2].u32 = pack16(d, static_cast<uint32_t>(ix.k & 31));
  code_[at + 3].u32 = static_cast<uint32_t>(ix.k >> 5);
  code_[at + 4].u32 = static_cast<uint32_t>(in.mem.offset);
  offsets_.emplace_back(at + 1, static_cast<uint32_t>(in.offset));
  fusable({at + 2, Field::kLow}, d);
  index8_ = Emitted{};
  return true;
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
  const Emitted load = ldadd_.end == pos() ? ldadd_ : plain_load_chain();
  const std::pair<Producer, const Emitted*> producers[] = {
      {Producer::binop, &binop_}, {Producer::unop, &sqrt_}, {Producer::load, &load}};
  for (const auto& [kind, p] : producers) {
    BinopMatch m{in.op, {}, false, 0, 0};
    Field f;
    if (!fed_by(*p, m) || !interp::fuse_binop(buf_, kind, m, f)) continue;
    pop(2);
    push(s->result);  // m.dst
    fusable(f, m.dst);
    binop_ = prev_binop_ = sqrt_ = ldadd_ = ild_ = Emitted{};
    return true;
  }
  return false;
}

// `s += p[i]`: the plain i32.load just emitted (ild_) as a load with an
// address add of the constant 0 (the load-chain row's handler adds the 0),
// or nothing.
Emitted Lowerer::plain_load_chain() const {
  if (ild_.end != pos()) return Emitted{};
  return Emitted{ild_.at, ild_.end, ild_.op, true, ild_.a, 0, ild_.d, ild_.b};
}

// A load or store at a constant address (`i32.const 0; i32.load offset=G`):
// the address and offset become one immediate, [h][d-or-v][ea], when their
// sum is below 2^32 (else the plain instruction computes it and traps).
bool Lowerer::lower_abs_mem(const Instr& in, const SigTypes* s) {
  const Handler h = abs_mem_handler(in.op);
  const uint32_t ai = s->nparams - 1;  // stack index of the address
  if (!h || top(ai).loc != kConstLoc) return false;
  const uint64_t ea = static_cast<uint32_t>(top(ai).k) + in.mem.offset;
  if (ea > UINT32_MAX) return false;
  uint32_t v;
  if (s->nresults) {
    pop();
    v = push(s->result);
  } else {
    v = operand(0);  // a constant value goes to its slot first
    pop(2);
  }
  const uint32_t at = emit(h, 3);
  code_[at + 1].u32 = v;
  code_[at + 2].u32 = static_cast<uint32_t>(ea);
  mark(at, in);
  if (s->nresults) fusable({at + 1}, v);
  else no_fuse();
  return true;
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

// A narrow copy right after another (no label between): one copy pair.
bool Lowerer::pair_copy(uint32_t src, uint32_t dst) {
  if (copy_.end != pos() || copy_.at < copy_barrier_) return false;
  set_handler(copy_.at, copy_pair_handler());
  code_.push_back(Word{.u32 = pack16(src, dst)});
  copy_ = Emitted{};
  return true;
}

// Float superinstructions (ops_float_fused.cc): an f32/f64 add/sub/mul/div
// with a constant operand, with an operand an f32/f64.load just produced, or
// (add/sub) with an operand a mul just produced. True if it emitted one.
// A float comparison with a constant operand (right, or left with the
// comparison mirrored: exact, NaN included) becomes a comparison with an
// immediate, which br_if/if then fuse into a compare-and-branch.
bool Lowerer::lower_float_fused(const Instr& in, const SigTypes* s) {
  if (float_compare_imm_handler(in.op, 0, false)) {
    int ki = -1;
    if (top(0).loc == kConstLoc && top(1).loc != kConstLoc) ki = 0;
    else if (top(1).loc == kConstLoc && top(0).loc != kConstLoc) ki = 1;
    if (ki < 0) return false;
    const Op op = ki == 0 ? in.op : mirror_compare(in.op);
    const bool is64 = s->params[0] == ValType::F64;
    const uint64_t k = top(ki).k;
    const uint32_t a = operand(1 - ki);  // a slot: nothing emitted
    pop(2);
    const uint32_t d = push(ValType::I32);
    const bool n = narrow(a, d);
    const uint32_t base = n ? 2 : 3;
    const uint32_t at = emit(float_compare_imm_handler(op, 0, n), base + (is64 ? 2 : 1));
    if (n) {
      code_[at + 1].u32 = pack16(a, d);
      fusable({at + 1, Field::kHigh}, d);
    } else {
      code_[at + 1].u32 = a;
      code_[at + 2].u32 = d;
      fusable({at + 2}, d);
    }
    if (is64) std::memcpy(&code_[at + base], &k, 8);
    else code_[at + base].u32 = static_cast<uint32_t>(k);
    record_binop(at, op, true, a, is64 ? 8 : 4, d);  // b: the constant's size in bytes
    binop_.k = k;
    return true;
  }
  if (!float_binop_imm_handler(in.op, false, false)) return false;
  const ValType rt = s->result;
  const bool is64 = rt == ValType::F64;
  // A constant operand: [h][a|d][k..] / [h][a][d][k..].
  int ki = -1;
  if (top(0).loc == kConstLoc && top(1).loc != kConstLoc) ki = 0;
  else if (top(1).loc == kConstLoc && top(0).loc != kConstLoc) ki = 1;
  if (ki >= 0) {
    const uint64_t k = top(ki).k;
    const uint32_t a = operand(1 - ki);  // a slot: nothing emitted
    pop(2);
    const uint32_t d = push(rt);
    const bool n = narrow(a, d);
    const uint32_t base = n ? 2 : 3;
    const uint32_t at = emit(float_binop_imm_handler(in.op, ki == 1, n), base + (is64 ? 2 : 1));
    if (n) {
      code_[at + 1].u32 = pack16(a, d);
      fusable({at + 1, Field::kHigh}, d);
    } else {
      code_[at + 1].u32 = a;
      code_[at + 2].u32 = d;
      fusable({at + 2}, d);
    }
    if (is64) std::memcpy(&code_[at + base], &k, 8);
    else code_[at + base].u32 = static_cast<uint32_t>(k);
    return true;
  }
  // Which operand (stack index) the last instruction just computed into its
  // temporary, if any.
  auto fresh = [&](const Emitted& e) -> int {
    if (e.end != pos() || fuse_end_ != pos()) return -1;
    for (int i = 0; i < 2; ++i) {
      const Val& v = top(i);
      const Val& o = top(1 - i);
      if (v.loc == v.canon && fuse_slot_ == v.loc && e.d == v.loc && o.loc != kConstLoc) return i;
    }
    return -1;
  };
  // a*b feeding add/sub: [h][a|b][c|d] / [h][a][b][c][d].
  if (!binop_.imm && (in.op == Op::f64_add || in.op == Op::f64_sub || in.op == Op::f32_add || in.op == Op::f32_sub)) {
    const int mi = fresh(binop_);
    const bool add = in.op == Op::f64_add || in.op == Op::f32_add;
    const int kind = add ? (mi == 1 ? 0 : 3) : (mi == 1 ? 1 : 2);
    if (mi >= 0) {
      if (float_mul_add_handler(binop_.op, in.op, kind, false)) {
        const Emitted mul = binop_;
        const Emitted c_load = loaded_addend(top(1 - mi), mul);
        const uint32_t c = operand(1 - mi);
        pop(2);
        const uint32_t d = push(rt);
        unemit(mul);
        const bool n = narrow(mul.a, mul.b) && narrow(c, d);
        const uint32_t at = emit(float_mul_add_handler(mul.op, in.op, kind, n), n ? 3 : 5);
        if (n) {
          code_[at + 1].u32 = pack16(mul.a, mul.b);
          code_[at + 2].u32 = pack16(c, d);
          fusable({at + 2, Field::kHigh}, d);
        } else {
          code_[at + 1].u32 = mul.a;
          code_[at + 2].u32 = mul.b;
          code_[at + 3].u32 = c;
          code_[at + 4].u32 = d;
          fusable({at + 4}, d);
        }
        fmadd_ = n ? Emitted{at, pos(), mul.op, false, mul.a, mul.b, d, static_cast<uint64_t>(kind)} : Emitted{};
        fmadd_ld_ = c_load;
        mul0_ = inner_mul(mul);
        binop_ = prev_binop_ = Emitted{};
        return true;
      }
    }
  }
  // An operand just loaded: [h][x|addr][d][off] / [h][x][addr][d][off]. The
  // load's trap offset is already recorded at this position.
  if (load_.op == (is64 ? Op::f64_load : Op::f32_load)) {
    const int li = fresh(load_);
    if (li >= 0) {
      const Emitted mul = mul_feeding(top(1 - li));
      const Emitted ld = load_;
      const uint32_t x = operand(1 - li);
      pop(2);
      const uint32_t d = push(rt);
      unemit(ld);
      const bool n = narrow(x, ld.a);
      const uint32_t at = emit(float_binop_load_handler(in.op, li == 1, n), n ? 4 : 5);
      if (n) {
        code_[at + 1].u32 = pack16(x, ld.a);
        code_[at + 2].u32 = d;
        code_[at + 3].u32 = ld.b;
        fusable({at + 2}, d);
      } else {
        code_[at + 1].u32 = x;
        code_[at + 2].u32 = ld.a;
        code_[at + 3].u32 = d;
        code_[at + 4].u32 = ld.b;
        fusable({at + 3}, d);
      }
      load_ = Emitted{};
      fload_ = Emitted{at, pos(), in.op, li == 1, ld.a, ld.b, d};
      fload_x_ = x;
      fload_mul_ = mul;
      mul0_ = inner_mul(mul);
      note_product(at, in.op, li == 1, x, ld.a, 0, ld.b, d);
      return true;
    }
  }
  return false;
}

// Records the load just emitted at `at` (address `addr` + `k`, `addi`: in
// place of that i32.add) for lower_mem_copy, with the i32.add of a constant
// just before it, if any (for an addi load it is the binop before the one the
// load replaced).
void Lowerer::note_load(uint32_t at, const Instr& in, uint32_t addr, uint32_t k, uint32_t d, bool addi) {
  mem_load_ = Emitted{at, pos(), in.op, addi, addr, k, d, in.mem.offset};
  mem_load_offset_ = static_cast<uint32_t>(in.offset);
  const Emitted& prev = addi ? prev_binop_ : binop_;
  const bool adjacent = prev.end == at && prev.op == Op::i32_add && prev.imm && !prev.shl_add && prev.at >= label_pos_;
  mem_st_add_ = adjacent ? prev : Emitted{};
}

// A store of the value a load of the same width just produced (a temporary
// it consumes): one copy instruction in place of the load (and of the i32.add
// of a constant computing the store address just before the load, if any).
// The fused instruction starts where the first replaced one did; the offset
// table names the load at its first Word and the store at its second.
bool Lowerer::lower_mem_copy(const Instr& in) {
  const Emitted ld = mem_load_;
  const uint32_t w = store_width(in.op);
  if (!w || ld.end != pos() || fuse_end_ != pos() || load_width(ld.op) != w || ld.k > UINT32_MAX ||
      in.mem.offset > UINT32_MAX)
    return false;
  const Val& v = top(0);
  const Val& a = top(1);
  if (v.loc != v.canon || fuse_slot_ != v.loc || ld.d != v.loc || a.loc == kConstLoc) return false;
  const bool fold = mem_st_add_.end == ld.at && a.loc == a.canon && mem_st_add_.d == a.loc;
  const uint32_t x = fold ? mem_st_add_.a : a.loc, ks = fold ? mem_st_add_.b : 0;
  if (!narrow(ld.a, x)) return false;
  const uint32_t at = fold ? mem_st_add_.at : ld.at;
  pop(2);
  code_.resize(at);
  while (!offsets_.empty() && offsets_.back().first >= at) offsets_.pop_back();
  emit(mem_copy_handler(w), 6);
  code_[at + 1].u32 = pack16(ld.a, x);
  code_[at + 2].u32 = ld.b;
  code_[at + 3].u32 = static_cast<uint32_t>(ld.k);
  code_[at + 4].u32 = ks;
  code_[at + 5].u32 = static_cast<uint32_t>(in.mem.offset);
  offsets_.emplace_back(at, mem_load_offset_);
  offsets_.emplace_back(at + 1, static_cast<uint32_t>(in.offset));
  no_fuse();
  mem_load_ = mem_st_add_ = load_ = iload_ = binop_ = prev_binop_ = Emitted{};
  return true;
}

// The multiply that computed operand `x` of a binop+load being fused, if it
// ends where the load starts (nothing between them) and wrote x's temporary:
// a store of the binop's result back where it was loaded then takes both.
Emitted Lowerer::mul_feeding(const Val& x) const {
  const Emitted& m = binop_;
  const bool is_mul = (m.op == Op::f64_mul && load_.op == Op::f64_load) || (m.op == Op::f32_mul && load_.op == Op::f32_load);
  if (!is_mul || m.imm || m.end != load_.at || m.at < label_pos_ || x.loc != x.canon || m.d != x.loc ||
      mem_load_.at != load_.at || !narrow(m.a, m.b))
    return Emitted{};
  Emitted r = m;
  r.k = mem_load_offset_;  // the load's module offset
  return r;
}

// The load that produced addend `c` of a mul+add/sub being fused, if the
// code between it and the multiply is at most one float add/sub/mul/div
// (which cannot trap, call or touch memory): a store of the result back
// where it was loaded may then move the load into the fused store.
Emitted Lowerer::loaded_addend(const Val& c, const Emitted& mul) const {
  const Emitted& ld = load_;
  const bool between = ld.end == mul.at || (prev_binop_.at == ld.end && prev_binop_.end == mul.at &&
                                            !prev_binop_.imm && float_binop_imm_handler(prev_binop_.op, false, false));
  if (!between || c.loc != c.canon || ld.d != c.loc || ld.at < label_pos_ || mem_load_.at != ld.at ||
      ld.op != (mul.op == Op::f64_mul ? Op::f64_load : Op::f32_load))
    return Emitted{};
  Emitted r = ld;
  r.k = mem_load_offset_;
  return r;
}

// A store of a constant to an address in a slot: the constant becomes the
// instruction's immediate, [h][addr][off][k lo][k hi].
bool Lowerer::lower_store_const(const Instr& in) {
  const Handler h = store_const_handler(store_width(in.op));
  if (!h || top(0).loc != kConstLoc || top(1).loc == kConstLoc || in.mem.offset > UINT32_MAX) return false;
  const uint64_t k = top(0).k;
  const uint32_t addr = top(1).loc;
  pop(2);
  const uint32_t at = emit(h, 5);
  code_[at + 1].u32 = addr;
  code_[at + 2].u32 = static_cast<uint32_t>(in.mem.offset);
  std::memcpy(&code_[at + 3], &k, 8);
  mark(at, in);
  no_fuse();
  return true;
}

// A store of a float result the instruction just emitted computed, back
// where one of its operands was loaded: a mul+add/sub of a loaded addend, a
// binop+load whose other operand a multiply computed (with a load of its
// own: axpy).
bool Lowerer::lower_float_store(const Instr& in) {
  if (fuse_end_ != pos() || in.mem.offset > UINT32_MAX) return false;
  const Val& v = top(0);
  const Val& a = top(1);
  if (v.loc != v.canon || fuse_slot_ != v.loc || a.loc == kConstLoc) return false;
  const bool f64 = in.op == Op::f64_store;
  if (!f64 && in.op != Op::f32_store) return false;
  const Op mul_op = f64 ? Op::f64_mul : Op::f32_mul;
  const uint32_t off = static_cast<uint32_t>(in.mem.offset);
  // `q[j] += s * p[j]`: a mul with a loaded operand just before the
  // read-modify-write's load, its result the rmw's other operand (a
  // temporary): [h][y|p][q][k][offp][offq] in place of both.
  const Emitted f = fload_, pr = fprod_;
  if (f.end == pos() && f.d == v.loc && a.loc == f.a && off == f.b && pr.end == f.at && pr.op == mul_op &&
      pr.d == fload_x_ && fload_x_ >= L_ && mem_load_.at == f.at && pr.k <= UINT32_MAX) {
    if (const Handler h = float_axpy_handler(f.op, pr.imm, f.imm)) {
      pop(2);
      code_.resize(pr.at);
      while (!offsets_.empty() && offsets_.back().first >= pr.at) offsets_.pop_back();
      const uint32_t at = emit(h, 6);
      code_[at + 1].u32 = pack16(fprod_x_, pr.a);
      code_[at + 2].u32 = f.a;
      code_[at + 3].u32 = pr.b;
      code_[at + 4].u32 = static_cast<uint32_t>(pr.k);
      code_[at + 5].u32 = off;
      offsets_.emplace_back(at, fprod_offset_);
      offsets_.emplace_back(at + 1, mem_load_offset_);
      no_fuse();
      fload_ = fload_mul_ = fprod_ = mem_load_ = load_ = binop_ = prev_binop_ = Emitted{};
      return true;
    }
  }
  const Emitted m = fmadd_;
  // c loaded from the very address and offset stored to (the address a
  // local, unchanged since the load: it is still read lazily): the load
  // leaves its place and the fused instruction does it, [h][a|b][addr][off].
  const Emitted ld = fmadd_ld_;
  if (m.end == pos() && m.d == v.loc && m.op == mul_op && ld.end != kNowhere && a.loc == ld.a && a.loc != a.canon &&
      off == ld.b && !offsets_.empty() && offsets_.back().first == ld.at && narrow(ld.a)) {
    const uint32_t len = ld.end - ld.at;
    const Emitted p = mul0_.end == m.at && mul0_.at == ld.end ? mul0_ : Emitted{};
    const int kind = static_cast<int>(m.k);
    pop(2);
    code_.erase(code_.begin() + ld.at, code_.begin() + ld.end);
    code_.resize((p.end == kNowhere ? m.at : p.at) - len);
    offsets_.pop_back();
    const uint32_t at = emit(p.end == kNowhere ? float_mul_add_rmw_handler(m.op, kind)
                                               : float_mul3_add_rmw_handler(m.op, kind, p.d == m.a),
                             4);
    put_mul_rmw(at, m, p, ld.a, off);
    offsets_.emplace_back(at, static_cast<uint32_t>(ld.k));  // the load's trap
    no_fuse();
    fmadd_ = fmadd_ld_ = mul0_ = binop_ = prev_binop_ = load_ = mem_load_ = Emitted{};
    return true;
  }
  // mem[addr + off] = a*b OP mem[addr + off]: [h][a|b][addr][off], in place
  // of the multiply; the trap is the load's.
  const Emitted mul = fload_mul_;
  if (f.end == pos() && f.d == v.loc && a.loc == f.a && off == f.b && mul.op == mul_op && mul.end != kNowhere &&
      float_mul_rmw_handler(f.op, f.imm)) {
    const Emitted p = mul0_.end == mul.at && narrow(f.a) ? mul0_ : Emitted{};
    const uint32_t from = p.end == kNowhere ? mul.at : p.at;
    pop(2);
    code_.resize(from);
    while (!offsets_.empty() && offsets_.back().first >= from) offsets_.pop_back();
    const uint32_t at = emit(p.end == kNowhere ? float_mul_rmw_handler(f.op, f.imm)
                                               : float_mul3_rmw_handler(f.op, f.imm, p.d == mul.a),
                             4);
    put_mul_rmw(at, mul, p, f.a, off);
    offsets_.emplace_back(at, static_cast<uint32_t>(mul.k));
    no_fuse();
    fload_ = fload_mul_ = mul0_ = binop_ = prev_binop_ = Emitted{};
    return true;
  }
  return false;
}

// `dx * m * mag`: the plain narrow multiply (prev_binop_) that ends where
// `mul` starts and computed exactly one of its factors into a temporary only
// `mul` reads; a read-modify-write fused from `mul` may then take it too.
Emitted Lowerer::inner_mul(const Emitted& mul) const {
  const Emitted& p = prev_binop_;
  if (p.op != mul.op || p.imm || p.shl_add || p.end != mul.at || p.at < label_pos_ || p.d < L_ ||
      (p.d == mul.a) == (p.d == mul.b) || !narrow(p.a, p.b, mul.a == p.d ? mul.b : mul.a) ||
      !emitted(p.at, op_table(true)[static_cast<size_t>(p.op)]) || code_[p.at + 1].u32 != pack16(p.a, p.b) ||
      code_[p.at + 2].u32 != p.d)
    return Emitted{};
  return p;
}

// The Words of a mul+rmw after its handler: [a|b][addr][off] for m's product,
// or with p (inner_mul) [x|y][z|addr][off].
void Lowerer::put_mul_rmw(uint32_t at, const Emitted& m, const Emitted& p, uint32_t addr, uint32_t off) {
  if (p.end == kNowhere) {
    code_[at + 1].u32 = pack16(m.a, m.b);
    code_[at + 2].u32 = addr;
  } else {
    code_[at + 1].u32 = pack16(p.a, p.b);
    code_[at + 2].u32 = pack16(p.d == m.a ? m.b : m.a, addr);
  }
  code_[at + 3].u32 = off;
}

// Whether the instruction at `at` runs `h`.
bool Lowerer::emitted(uint32_t at, Handler h) const {
  Word w;
  return h && encode_handler(h, w) && code_[at].i32 == w.i32;
}

// `x += k * y` on C globals: a store at a constant address of what the last
// four instructions computed -- load_abs p; mul by a constant; load_abs q;
// add/sub of both -- with q the stored address. Matched on the emitted code
// (all narrow), no label inside: one axpy_abs in place of the four, the two
// loads' trap offsets at its Words 0 and 1.
bool Lowerer::lower_float_axpy_abs(const Instr& in) {
  const bool f64 = in.op == Op::f64_store;
  const uint32_t kw = f64 ? 2 : 1;  // Words of the constant
  if ((!f64 && in.op != Op::f32_store) || fuse_end_ != pos() || pos() < 11 + kw || top(1).loc != kConstLoc ||
      offsets_.size() < 2)
    return false;
  const Val& v = top(0);
  const uint64_t eq = static_cast<uint32_t>(top(1).k) + in.mem.offset;
  const uint32_t pd = pos() - 3, pb = pd - 3, pm = pb - 2 - kw, pa = pm - 3;
  const size_t n = offsets_.size();
  const Op ld = f64 ? Op::f64_load : Op::f32_load;
  if (v.loc != v.canon || fuse_slot_ != v.loc || pa < label_pos_ || offsets_[n - 2].first != pa ||
      offsets_[n - 1].first != pb || !emitted(pa, abs_mem_handler(ld)) || !emitted(pb, abs_mem_handler(ld)) ||
      code_[pb + 2].u32 != eq)
    return false;
  const uint32_t t1 = code_[pa + 1].u32, t3 = code_[pb + 1].u32, mw = code_[pm + 1].u32, aw = code_[pd + 1].u32;
  const uint32_t t2 = mw >> 16;
  const Op mul = f64 ? Op::f64_mul : Op::f32_mul;
  const bool k_left = emitted(pm, float_binop_imm_handler(mul, true, true));
  if ((!k_left && !emitted(pm, float_binop_imm_handler(mul, false, true))) || (mw & 0xFFFF) != t1 || t1 < L_ ||
      t2 < L_ || t3 < L_ || code_[pd + 2].u32 != v.loc)
    return false;
  Op op = f64 ? Op::f64_add : Op::f32_add;
  if (!emitted(pd, op_table(true)[static_cast<size_t>(op)])) op = f64 ? Op::f64_sub : Op::f32_sub;
  if (!emitted(pd, op_table(true)[static_cast<size_t>(op)]) || aw != pack16(t2, t3)) return false;
  const uint32_t ep = code_[pa + 2].u32, op_off = offsets_[n - 2].second, oq_off = offsets_[n - 1].second;
  Word k[2];
  std::memcpy(k, &code_[pm + 2], kw * 4);
  pop(2);
  code_.resize(pa);
  offsets_.resize(n - 2);
  const uint32_t at = emit(float_axpy_abs_handler(op, k_left), 3 + kw);
  code_[at + 1].u32 = ep;
  code_[at + 2].u32 = static_cast<uint32_t>(eq);
  std::memcpy(&code_[at + 3], k, kw * 4);
  offsets_.emplace_back(at, op_off);
  offsets_.emplace_back(at + 1, oq_off);
  no_fuse();
  binop_ = prev_binop_ = Emitted{};
  return true;
}

// An f32/f64 add/sub/mul/div with an operand a load from `addr + k` (a load
// fused with its i32.add of a constant) just produced: [h][x|addr][d][k][off]
// in place of that load, whose trap offset stays at this position.
bool Lowerer::lower_fbin_load_addi(const Instr& in) {
  const Emitted ld = mem_load_;
  const bool f64 = ld.op == Op::f64_load;
  if (!ld.imm || ld.end != pos() || fuse_end_ != pos() || (!f64 && ld.op != Op::f32_load)) return false;
  int li = -1;
  for (int i = 0; i < 2; ++i)
    if (top(i).loc == top(i).canon && top(i).loc == fuse_slot_ && top(i).loc == ld.d && top(1 - i).loc != kConstLoc)
      li = i;
  const Handler h = li < 0 ? nullptr : float_binop_load_addi_handler(in.op, li == 1);
  if (!h || (in.op == Op::f64_add || in.op == Op::f64_sub || in.op == Op::f64_mul || in.op == Op::f64_div) != f64)
    return false;
  const uint32_t x = top(1 - li).loc;
  if (!narrow(x, ld.a)) return false;
  pop(2);
  const uint32_t d = push(f64 ? ValType::F64 : ValType::F32);
  code_.resize(ld.at);
  const uint32_t at = emit(h, 5);
  code_[at + 1].u32 = pack16(x, ld.a);
  code_[at + 2].u32 = d;
  code_[at + 3].u32 = ld.b;
  code_[at + 4].u32 = static_cast<uint32_t>(ld.k);
  fusable({at + 2}, d);
  note_product(at, in.op, li == 1, x, ld.a, ld.b, ld.k, d);
  mem_load_ = load_ = Emitted{};
  return true;
}

void Lowerer::note_product(uint32_t at, Op op, bool load_left, uint32_t x, uint32_t addr, uint32_t k, uint64_t off,
                           uint32_t d) {
  if ((op != Op::f64_mul && op != Op::f32_mul) || mem_load_.at != at || !narrow(x, addr)) return;
  fprod_ = Emitted{at, pos(), op, load_left, addr, k, d, off};
  fprod_x_ = x;
  fprod_offset_ = mem_load_offset_;
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
    Location loc;
    loc.offset = in.offset;
    loc.section = "code";
    loc.function = m_.func_display_name(func_index_);
    return Error(ErrorCode::Unsupported,
                 "SIMD instruction " + std::string(oi.text) + " is not supported (function " + loc.function + ")", loc);
  }
  for (uint32_t i = 0; i < s->nparams; ++i) src[i] = operand(s->nparams - 1 - i);
  pop(s->nparams);
  const uint32_t d = s->nresults ? push(s->result) : 0;
  if (in.op == Op::v128_const) {
    const uint32_t at = emit(&h_const128, 6);
    code_[at + 1].u32 = d;
    std::memcpy(&code_[at + 2], in.v128.bytes, 16);
    fusable({at + 1}, d);
    return {};
  }
  if (in.op == Op::v128_load || in.op == Op::v128_store) {
    const uint32_t at = emit(h, 4);
    code_[at + 1].u32 = src[0];
    code_[at + 2].u32 = in.op == Op::v128_load ? d : src[1];
    code_[at + 3].u32 = static_cast<uint32_t>(in.mem.offset);
    mark(at, in);
    if (in.op == Op::v128_load) fusable({at + 2}, d);
    return {};
  }
  const bool memarg = oi.imm == ImmKind::MemArg || oi.imm == ImmKind::MemArgLane, shuffle = in.op == Op::i8x16_shuffle;
  const uint32_t at = emit(h, memarg ? kSimdMemInstWords : shuffle ? kSimdShuffleWords : kSimdInstWords);
  code_[at + 1].u32 = d;
  code_[at + 2].u32 = src[0];
  code_[at + 3].u32 = src[1];
  code_[at + 4].u32 = src[2];
  code_[at + 5].u32 = in.lane;
  if (memarg) code_[at + 6].u32 = static_cast<uint32_t>(in.mem.offset);
  if (shuffle) std::memcpy(&code_[at + 6], in.v128.bytes, 16);
  if (memarg) mark(at, in);  // only memory accesses trap
  if (s->nresults) fusable({at + 1}, d);
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
  set_branch_target(c, emit(c.kind == FrameKind::Loop ? &h_br_loop : &h_br, 2), 1);
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
  if (n == 1 && retarget_result(fresh)) return (void)emit(&h_return, 1);
  uint32_t dst = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const Val& v = top(n - 1 - i);
    emit_move(v, dst);
    dst += v.width;
  }
  emit(&h_return, 1);
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
          at = emit(&h_br_unless, 3);
          code_[at + 1].u32 = cond;
          rel = at + 2;
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
        const uint32_t at = emit(&h_br, 2);
        c.fixups.push_back({at, at + 1});
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

}  // namespace

Result<CompiledFuncPtr> lower_function(const ModuleIR& module, uint32_t defined_index) {
  Lowerer l(module, defined_index);
  return l.run();
}

}  // namespace viv
