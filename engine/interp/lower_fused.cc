// The lowering's side of the superinstructions: how it offers an
// instruction to the pattern table's row kinds that have their own entry
// point (VIV_INDEX, VIV_STORE, VIV_COPY; the others are in lower.cc), the
// records a row yields (remember) and the records of what was emitted that
// the rows read, and the two rules that cannot be rows (each says why:
// lower_float_store, lower_float_axpy_abs).
#include <cstring>

#include "engine/interp/fused_mem.h"
#include "engine/interp/lowerer.h"

namespace vivarium::engine::interp {

// `x + (idx << k)` or `(idx << k) + x`, the shl by a constant just emitted
// into the temporary the add consumes, x a slot or a constant: the table's
// VIV_INDEX rows (a shl_add, or with the load that read idx an index8).
bool Lowerer::fuse_index_add(const Instr& in) {
  const Emitted& p = binop_;
  if (p.end != pos() || fuse_end_ != pos() || fuse_slot_ != p.d || p.at < label_pos_) return false;
  int si = -1;  // stack index of p's result
  for (int i = 0; i < 2; ++i)
    if (top(i).loc == top(i).canon && top(i).loc == p.d) si = i;
  if (si < 0) return false;
  const Val& o = top(1 - si);
  const bool k = o.loc == kConstLoc;
  const Emitted& ld = iload_.end == p.at ? iload_ : ild_;
  const IndexAddMatch m{in.op, p, ld.end == p.at && ld.at >= label_pos_ ? ld : Emitted{}, k,
                        k ? static_cast<uint32_t>(o.k) : o.loc, top(1).canon, L_};
  Field f;
  Yield y;
  if (!interp::fuse_index_add(buf_, m, f, y)) return false;
  remember(y, o);
  pop(2);
  push(ValType::I32);  // m.dst
  fusable(f, m.dst);
  return true;
}

// A narrow copy right after another (no label between): the table's
// VIV_COPY rows.
bool Lowerer::pair_copy(uint32_t src, uint32_t dst) {
  if (copy_.end != pos() || copy_.at < copy_barrier_ || !fuse_copy(buf_, CopyMatch{copy_, src, dst})) return false;
  copy_ = Emitted{};
  return true;
}

void Lowerer::remember(const Yield& y, const Val& other) {
  switch (y.record) {
    case Record::none:
      return;
    case Record::binop:
      prev_binop_ = binop_;
      binop_ = y.e;
      return;
    case Record::shl_add:
      prev_binop_ = Emitted{};
      binop_ = y.e;
      return;
    case Record::index8:
      iload_ = ild_ = binop_ = prev_binop_ = Emitted{};
      index8_ = y.e;
      return;
    case Record::fmadd:  // with the load of its addend and the multiply of a factor, if any
      fmadd_ = y.e;
      fmadd_ld_ = loaded_addend(other, y.e);
      mul0_ = inner_mul(y.e);
      return;
    case Record::fload: {  // with the multiply that computed its other operand, if any
      const Op op = static_cast<Op>(y.e.k);
      const Emitted mul = mul_feeding(other);
      fload_ = Emitted{y.e.at, y.e.end, op, y.e.imm, y.e.a, y.e.b, y.e.d};
      fload_x_ = other.loc;
      fload_mul_ = mul;
      mul0_ = inner_mul(mul);
      note_product(y.e.at, op, y.e.imm, other.loc, y.e.a, 0, y.e.b, y.e.d);
      load_ = Emitted{};
      return;
    }
    case Record::fload_addi:  // a product of a loaded operand, for axpy
      note_product(y.e.at, static_cast<Op>(y.e.k), y.e.imm, other.loc, y.e.a, y.e.b, mem_load_.k, y.e.d);
      mem_load_ = load_ = Emitted{};
      return;
  }
}

// Records the load just emitted at `at` (address `addr` + `k`, `addi`: in
// place of that i32.add) for the memory copy (VIV_STORE rows), with the i32.add of a constant
// just before it, if any (for an addi load it is the binop before the one the
// load replaced).
void Lowerer::note_load(uint32_t at, const Instr& in, uint32_t addr, uint32_t k, uint32_t d, bool addi) {
  mem_load_ = Emitted{at, pos(), in.op, addi, addr, k, d, in.mem.offset};
  mem_load_offset_ = static_cast<uint32_t>(in.offset);
  const Emitted& prev = addi ? prev_binop_ : binop_;
  const bool adjacent = prev.end == at && prev.op == Op::i32_add && prev.imm && !prev.shl_add && prev.at >= label_pos_;
  mem_st_add_ = adjacent ? prev : Emitted{};
}

// A store of the value the last instruction computed into a temporary only
// the store reads, a load (a memory copy) or a float binop of a loaded
// operand (a read-modify-write): the table's VIV_STORE rows.
bool Lowerer::fuse_store(const Instr& in) {
  const Val& v = top(0);
  const Val& a = top(1);
  if (fuse_end_ != pos() || v.loc != v.canon || fuse_slot_ != v.loc || a.loc == kConstLoc) return false;
  StoreMatch m{Producer::load, {}, {}, in.op, a.loc, fload_x_, in.mem.offset, in.offset,
               fprod_, fprod_x_, fprod_offset_, mem_load_.at, fload_mul_, mul0_, L_};
  if (mem_load_.end == pos() && mem_load_.d == v.loc) {
    m.p = mem_load_;
    // The store's address an i32.add of a constant just before the load.
    if (mem_st_add_.end == m.p.at && a.loc == a.canon && mem_st_add_.d == a.loc) m.prev = mem_st_add_;
  } else if (fload_.end == pos() && fload_.d == v.loc) {
    m.kind = Producer::fload;
    m.p = fload_;
  } else {
    return false;
  }
  if (!interp::fuse_store(buf_, m)) return false;
  pop(2);
  no_fuse();
  if (m.kind == Producer::load) mem_load_ = mem_st_add_ = load_ = iload_ = binop_ = prev_binop_ = Emitted{};
  else fload_ = fload_mul_ = fprod_ = mul0_ = mem_load_ = load_ = binop_ = prev_binop_ = Emitted{};
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

// A store of a mul+add/sub's result back where its addend was loaded, the
// load a few instructions earlier: the load leaves its place (CodeBuffer::
// remove) and the fused read-modify-write does it. Not a VIV_STORE row: a
// row replaces what it takes from one instruction to the end of the code,
// and this takes an instruction out of the middle, shifting the code and
// offset entries between.
bool Lowerer::lower_float_store(const Instr& in) {
  if (fuse_end_ != pos() || in.mem.offset > UINT32_MAX) return false;
  const Val& v = top(0);
  const Val& a = top(1);
  if (v.loc != v.canon || fuse_slot_ != v.loc || a.loc == kConstLoc) return false;
  const bool f64 = in.op == Op::f64_store;
  if (!f64 && in.op != Op::f32_store) return false;
  const Op mul_op = f64 ? Op::f64_mul : Op::f32_mul;
  const uint32_t off = static_cast<uint32_t>(in.mem.offset);
  const Emitted m = fmadd_;
  // c loaded from the very address and offset stored to (the address a
  // local, unchanged since the load: it is still read lazily): the load
  // leaves its place and the fused instruction does it (mul_rmw, mul3_rmw).
  const Emitted ld = fmadd_ld_;
  if (m.end == pos() && m.d == v.loc && m.op == mul_op && ld.end != kNowhere && a.loc == ld.a && a.loc != a.canon &&
      off == ld.b && !offsets_.empty() && offsets_.back().first == ld.at && narrow(ld.a)) {
    const uint32_t len = ld.end - ld.at;
    const Emitted p = mul0_.end == m.at && mul0_.at == ld.end ? mul0_ : Emitted{};
    const int kind = static_cast<int>(m.k);
    pop(2);
    buf_.remove(ld.at, ld.end);
    put_mul_rmw((p.end == kNowhere ? m.at : p.at) - len,
                p.end == kNowhere ? float_mul_add_rmw_handler(m.op, kind)
                                  : float_mul3_add_rmw_handler(m.op, kind, p.d == m.a),
                m, p, ld.a, off, ld.k);  // traps like the load
    no_fuse();
    fmadd_ = fmadd_ld_ = mul0_ = binop_ = prev_binop_ = load_ = mem_load_ = Emitted{};
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
      !emitted(p.at, op_table(true)[static_cast<size_t>(p.op)]) || layout::binop_n::a(&code_[p.at]) != p.a ||
      layout::binop_n::b(&code_[p.at]) != p.b || layout::binop_n::d(&code_[p.at]) != p.d)
    return Emitted{};
  return p;
}

// A mul+rmw `h` at `at` (what follows is dropped): mul_rmw of m's product,
// or with p (inner_mul) mul3_rmw; `trap` is the load's module offset. The
// matches guarantee narrow operands.
void Lowerer::put_mul_rmw(uint32_t at, Handler h, const Emitted& m, const Emitted& p, uint32_t addr, uint32_t off,
                          uint64_t trap) {
  if (p.end == kNowhere) encode(at, h, LayoutId::mul_rmw, {trap, m.a, m.b, addr, off});
  else encode(at, h, LayoutId::mul3_rmw, {trap, p.a, p.b, p.d == m.a ? m.b : m.a, addr, off});
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
// loads' trap offsets at its Words 0 and 1. Not a row: no record names this
// window (the rows read the lowering's records of single producers), so it
// decodes the emitted Words through their layouts.
bool Lowerer::lower_float_axpy_abs(const Instr& in) {
  const bool f64 = in.op == Op::f64_store;
  const uint32_t kw = f64 ? 2 : 1;  // Words of the constant
  if ((!f64 && in.op != Op::f32_store) || fuse_end_ != pos() || pos() < 11 + kw || top(1).loc != kConstLoc ||
      offsets_.size() < 2)
    return false;
  const Val& v = top(0);
  const uint64_t eq = static_cast<uint32_t>(top(1).k) + in.mem.offset;
  const uint32_t pd = pos() - layout::binop_n::kWords, pb = pd - layout::load_abs::kWords,
                 pm = pb - (f64 ? layout::ad_k64::kWords : layout::ad_k32::kWords), pa = pm - layout::load_abs::kWords;
  const size_t n = offsets_.size();
  const Op ld = f64 ? Op::f64_load : Op::f32_load;
  const Word* a = &code_[pa];
  const Word* b = &code_[pb];
  const Word* mp = &code_[pm];
  const Word* dp = &code_[pd];
  if (v.loc != v.canon || fuse_slot_ != v.loc || pa < label_pos_ || offsets_[n - 2].first != pa ||
      offsets_[n - 1].first != pb || !emitted(pa, abs_mem_handler(ld)) || !emitted(pb, abs_mem_handler(ld)) ||
      layout::load_abs::ea(b) != eq)
    return false;
  const uint32_t t1 = layout::load_abs::d(a), t3 = layout::load_abs::d(b), t2 = layout::ad_k32::d(mp);
  const Op mul = f64 ? Op::f64_mul : Op::f32_mul;
  const bool k_left = emitted(pm, float_binop_imm_handler(mul, true, true));
  if ((!k_left && !emitted(pm, float_binop_imm_handler(mul, false, true))) || layout::ad_k32::a(mp) != t1 ||
      t1 < L_ || t2 < L_ || t3 < L_ || layout::binop_n::d(dp) != v.loc)
    return false;
  Op op = f64 ? Op::f64_add : Op::f32_add;
  if (!emitted(pd, op_table(true)[static_cast<size_t>(op)])) op = f64 ? Op::f64_sub : Op::f32_sub;
  if (!emitted(pd, op_table(true)[static_cast<size_t>(op)]) || layout::binop_n::a(dp) != t2 ||
      layout::binop_n::b(dp) != t3)
    return false;
  const uint64_t k = f64 ? layout::ad_k64::k(mp) : layout::ad_k32::k(mp);
  pop(2);
  encode(pa, float_axpy_abs_handler(op, k_left), f64 ? LayoutId::axpy_abs64 : LayoutId::axpy_abs32,
         {offsets_[n - 2].second, offsets_[n - 1].second, layout::load_abs::ea(a), eq, k});
  no_fuse();
  binop_ = prev_binop_ = Emitted{};
  return true;
}

void Lowerer::note_product(uint32_t at, Op op, bool load_left, uint32_t x, uint32_t addr, uint32_t k, uint64_t off,
                           uint32_t d) {
  if ((op != Op::f64_mul && op != Op::f32_mul) || mem_load_.at != at || !narrow(x, addr)) return;
  fprod_ = Emitted{at, pos(), op, load_left, addr, k, d, off};
  fprod_x_ = x;
  fprod_offset_ = mem_load_offset_;
}

}  // namespace vivarium::engine::interp
