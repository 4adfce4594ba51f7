// The superinstruction rules of the lowering not yet rows of the pattern
// table (fusions.def): each matches on the records of what was just emitted
// (Lowerer's trackers) and re-emits it fused. What remains here are the
// memory and float families whose fused instructions are themselves consumed
// by later rules (a load fused with its address add, then with a binop, then
// with the store back: read-modify-write, axpy), and the address forms
// (shl_add, loaded index, constant address, constant stored).
#include <cstring>

#include "engine/interp/fused_mem.h"
#include "engine/interp/lowerer.h"

namespace vivarium::engine::interp {

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
    const uint32_t at =
        emit_const_form(float_compare_imm_handler(op, 0, true), float_compare_imm_handler(op, 0, false), a, d, k, is64);
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
    emit_const_form(float_binop_imm_handler(in.op, ki == 1, true), float_binop_imm_handler(in.op, ki == 1, false), a,
                    d, k, is64);
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

// [h][a|d][k..] with `hn` if a and d are narrow, else [h][a][d][k..] with
// `hw`; k one Word (f32) or two (f64).
uint32_t Lowerer::emit_const_form(Handler hn, Handler hw, uint32_t a, uint32_t d, uint64_t k, bool is64) {
  const bool n = narrow(a, d);
  const uint32_t base = n ? 2 : 3;
  const uint32_t at = emit(n ? hn : hw, base + (is64 ? 2 : 1));
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
  return at;
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

// A load whose address an i32.add (of two slots, or a slot and a constant)
// just computed: the add becomes the load (array indexing costs one
// dispatch, not two): [h][a][b-or-k][d][offset].
bool Lowerer::lower_load_add(const Instr& in, const SigTypes* s) {
  if (in.mem.offset <= UINT32_MAX &&
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
      return true;
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
      return true;
    }
  }
  return false;
}

// A store of a binop+load's result back to the loaded address and offset:
// [h][x|addr][off] / [h][x][addr][off].
bool Lowerer::lower_float_rmw(const Instr& in) {
  if (fload_.end == pos() &&
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
    return true;
  }
  return false;
}

// A store whose address an i32.add just computed, the value being already
// in a slot (a local, or computed before the address): same fusion,
// [h][a][b-or-k][v][offset].
bool Lowerer::lower_store_add(const Instr& in) {
  if (in.mem.offset <= UINT32_MAX &&
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
      return true;
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
      return true;
    }
  }
  return false;
}

}  // namespace vivarium::engine::interp
