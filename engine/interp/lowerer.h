// The lowering's state (lower.cc): one function body being translated to
// the internal form (compiled.h), with the shadow operand stack that places
// values in slots and the records of what was just emitted that the peephole
// stage (peephole.h, the pattern table fusions.def) and the two rules not in
// its table (lower_fused.cc) fuse with.
//
// The lowering keeps a shadow of the operand stack: for each value, the slot
// it will have when it must be in place ("canonical": locals + its stack
// position) and the slot it is in now ("loc"). A `local.get` pushes a value
// whose loc is the local's slot, so consumers read the local directly; such
// lazy values are copied to their canonical slot ("materialized") before the
// local is overwritten and at every control-flow merge point, where all paths
// must agree on where values are. Branch values are moved to the label's
// slots on the branching path, so the target finds them in place.
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/interp/code_buffer.h"
#include "engine/interp/compiled.h"
#include "engine/interp/interp.h"
#include "engine/interp/ops.h"
#include "engine/interp/peephole.h"
#include "engine/validator/validator.h"

namespace vivarium::engine::interp {

inline uint32_t slots_of_types(std::span<const ValType> ts) {
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
    vivarium::Location loc;
    loc.offset = in.offset;
    loc.section = "code";
    loc.function = m_.func_display_name(func_index_);
    return Error(ErrorCode::Internal, "interpreter lowering: " + what, loc);
  }

  // ---- emission ----
  uint32_t pos() const { return buf_.pos(); }
  // An offset entry for a loop back-edge just emitted at `inst` (it can end
  // in a fuel/deadline trap): known only once the target is, so not a Trap
  // field of its layout.
  void mark(uint32_t inst) { offsets_.emplace_back(inst, cur_offset_); }
  void patch(const Fixup& f, uint32_t target) { buf_.set_rel(f.word, f.inst, target); }
  // The last emitted instruction wrote `slot` through field `f`; a following
  // local.set may retarget it (see set_local).
  void fusable(Field f, uint32_t slot) {
    fuse_end_ = pos();
    fuse_field_ = f;
    fuse_slot_ = slot;
  }
  void no_fuse() { fuse_end_ = UINT32_MAX; }
  // Writes slot `v` into field `f`; false if a half-Word field cannot hold it.
  bool put(Field f, uint32_t v) { return buf_.put(f, v); }
  void record_binop(uint32_t at, Op op, bool imm, uint32_t a, uint32_t b, uint32_t d) {
    prev_binop_ = binop_;
    binop_ = Emitted{at, pos(), op, imm, a, b, d};
  }
  // An i32.add of a shifted index (the table's VIV_INDEX rows).
  bool fuse_index_add(const Instr& in);
  Emitted index8_;  // the last shl_add_index8: a = p, b = base, d, k = off8 << 5 | sh
  // Emits `h` at `at` in layout `id` (CodeBuffer::encode_at: what follows
  // `at` is dropped, a Trap field adds an offset entry; `rel` receives the
  // Word of a branch target to patch); false, with nothing changed, if the
  // values do not fit it.
  // Inlined: with the layout a constant at each call, the encoder unrolls.
  [[gnu::always_inline]] bool encode(uint32_t at, Handler h, LayoutId id, std::initializer_list<uint64_t> values,
                                     Field* result = nullptr, uint32_t* rel = nullptr) {
    return buf_.encode_at(at, h, id, values, result, rel);
  }
  // `hn` in narrow layout `ln` if it exists and the values fit, else `hw` in
  // `lw`, its wide twin (same fields, whole Words).
  [[gnu::always_inline]] void encode_narrow_or_wide(uint32_t at, Handler hn, LayoutId ln, Handler hw, LayoutId lw,
                             std::initializer_list<uint64_t> values, Field* result) {
    if (!hn || !encode(at, hn, ln, values, result)) encode(at, hw, lw, values, result);
  }
  static bool narrow(uint32_t a, uint32_t b = 0, uint32_t c = 0) {
    return a <= kNarrowMax && b <= kNarrowMax && c <= kNarrowMax;
  }

  // The shortest form that holds k: slots hold i32/f32 zero-extended, so
  // const32 fits i64s < 2^32 too.
  void emit_const(uint64_t k, uint32_t dst) {
    if (!encode(pos(), &h_const16_n, LayoutId::const16, {dst, k}) &&
        !encode(pos(), &h_const32, LayoutId::const32, {dst, k}))
      encode(pos(), &h_const64, LayoutId::const64, {dst, k});
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
      const uint32_t at = pos();
      encode(at, &h_copy_n, LayoutId::copy_n, {src, dst});
      copy_ = Emitted{at, pos(), Op::nop, false, src, 0, dst};
      return;
    }
    encode(pos(), width == 2 ? &h_copy2 : &h_copy, LayoutId::copy, {src, dst});
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
  bool fuse_binop_with(const Instr& in, const SigTypes* s, Producer kind, const Emitted& p);
  bool fed_by(const Emitted& p, BinopMatch& m);
  // Keeps what a fusion yields (fusions.def) for the rules that consume it;
  // `other` is the fused binop's other operand. Called before the fusion's
  // operands leave the shadow stack and before the records it used are cleared.
  void remember(const Yield& y, const Val& other);
  // A narrow copy joining the one just emitted (copy_pair, ops_int_fused.cc); true if emitted.
  bool pair_copy(uint32_t src, uint32_t dst);
  bool retarget_result(bool fresh);
  // Word `word` of the branch instruction at `at` targets frame `c`: a loop's
  // start now (a back-edge, where fuel traps land), else a fixup.
  void set_branch_target(Ctl& c, uint32_t at, uint32_t word) {
    if (c.kind == FrameKind::Loop) {
      buf_.set_rel(at + word, at, c.loop_start);
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
  // A store of the value just computed (the table's VIV_STORE rows).
  bool fuse_store(const Instr& in);
  // Float results stored at once (ops_float_mem.cc): the records the table's VIV_STORE rows take, and the rule not in the table.
  Emitted mul_feeding(const Val& x) const;
  Emitted loaded_addend(const Val& c, const Emitted& mul) const;
  void note_product(uint32_t at, Op op, bool load_left, uint32_t x, uint32_t addr, uint32_t k, uint64_t off,
                    uint32_t d);
  bool lower_float_store(const Instr& in);
  bool lower_float_axpy_abs(const Instr& in);
  // A constant operand of a binop as its immediate (the table's VIV_CONST_BINOP rows).
  bool fuse_const(const Instr& in, const SigTypes* s);
  // A load or store at a constant address, a store of a constant (the
  // table's VIV_CONST_ADDR and VIV_CONST_VALUE rows).
  bool fuse_const_addr(const Instr& in, const SigTypes* s);
  bool fuse_const_value(const Instr& in);
  // A load or store whose address the last instruction computed (the
  // table's VIV_ADDR rows); a store of a binop+load's result back where it
  // was loaded.
  bool fuse_addr(const Instr& in, const SigTypes* s);
  bool emitted(uint32_t at, Handler h) const;
  Emitted inner_mul(const Emitted& mul) const;
  Emitted plain_load_chain() const;
  void put_mul_rmw(uint32_t at, Handler h, const Emitted& m, const Emitted& p, uint32_t addr, uint32_t off,
                   uint64_t trap);
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
  // The last unop whose operand and result slots are narrow (a = operand,
  // d = result): the pattern table's `unop` producer.
  Emitted unop_;
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

}  // namespace vivarium::engine::interp
