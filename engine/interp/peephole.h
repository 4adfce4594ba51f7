// The peephole stage: superinstructions as rows of a pattern table
// (fusions.def), applied to the code the lowering just emitted.
//
// The lowering (lower.cc) translates each wasm instruction to its plain
// form and remembers what it emitted (Emitted records). When the next
// instruction consumes the result of the one just emitted -- a temporary
// that nothing else reads, with no label between them -- the lowering hands
// the pair to this stage, which tries the table's rows in order: the first
// whose handler exists for the pair and whose values fit its layout
// replaces the producer with one fused instruction (CodeBuffer::encode_at).
// Nothing in the lowering names a row: a new superinstruction is a row in
// fusions.def, its layout in layouts.def (if new), its handler, its test.
#pragma once
#include <cstdint>

#include "engine/interp/code_buffer.h"
#include "engine/interp/ops.h"
#include "engine/opcodes/opcodes.h"

namespace vivarium::engine::interp {

constexpr uint32_t kNowhere = UINT32_MAX - 16;
// An emitted instruction a later one may fuse with: where it is and what it did.
struct Emitted {
  uint32_t at = kNowhere, end = kNowhere;
  Op op = Op::nop;
  bool imm = false;      // b is an immediate
  uint32_t a = 0, b = 0, d = 0;
  uint64_t k = 0;        // a float comparison's constant (imm; b = its size in bytes)
  // An i32 shl_add (op nop): d = b + (a << k), b an immediate if imm.
  bool shl_add = false;
};

// Which record of the lowering produced the consumed value.
enum class Producer : uint8_t {
  binop,  // the last binop (plain, or with a constant right operand: imm)
  unop,   // the last unop (a = operand, d = result), both slots narrow
  eqz,    // the last i32.eqz
  load,   // the last i32.load (a, b: its address is a + b, b a constant if imm; k: its offset)
  load8u, // the last plain i32.load8_u (a: its address, b: its offset)
  fload,  // the last plain f32/f64.load (a: its address, b: its offset)
  fload_addi,  // the last load fused with an i32.add of a constant (a: address slot, b: the constant, k: offset)
  // Address producers (VIV_ADDR rows):
  add,      // the last i32.add (b a constant if imm)
  shl_add,  // the last shl_add: base + (idx << k), a = idx, b = base (a constant if imm)
  index8,   // the last shl_add_index8: base + (load(p + off8) << sh), a = p, b = base,
            // k = off8 << 5 | sh, op = the index's load
};

// A binop (`op`) one of whose operands the instruction `p` just computed
// into its temporary (read by nothing else).
struct BinopMatch {
  Op op;
  Emitted p;
  bool left;       // p's result is op's left operand
  uint32_t other;  // the slot of op's other operand
  uint32_t dst;    // the slot of op's result
};

// What a fused instruction counts as for later rules (the `yields` column
// of fusions.def): a record the lowering keeps for the superinstruction
// rules that consume it (lower_fused.cc), or none.
enum class Record : uint8_t {
  none,
  binop,  // a binop with an immediate (op, a, b = the immediate, d, k): the lowering's last binop
  shl_add,  // an address base + (idx << k): a = idx, b = base (a constant if imm), d, k
  index8,   // an address base + (load(p + off8) << sh): op = the load, a = p, b = base, d, k = off8 << 5 | sh
  fmadd,  // a narrow f32/f64 mul feeding add/sub: a, b = the product's operands, d = result,
          // op = the mul, k = its kind (float_mul_add_kind); a store back may take it
  fload,  // an f32/f64 binop of a just-loaded operand: a = address slot, b = offset, d = result,
          // imm = the load on the left, k = the binop; a store back (read-modify-write) may take it
  fload_addi,  // the same, the load's address an add of a constant (b): a mul of it feeds axpy
};
struct Yield {
  Record record = Record::none;
  // at, end: the fused instruction; op, a, b = the producer's; imm = the
  // producer is the binop's left operand; d = the result; k: the row's
  Emitted e;
};

// A binop one of whose operands is a constant (VIV_CONST_BINOP rows).
struct ConstMatch {
  Op op;
  Op cmp;          // op, or the mirrored comparison if k_left (nop if op is no comparison)
  uint64_t k;      // the constant's bits
  bool k_left;     // the constant is the left operand
  bool is64;       // i64 / f64 operands
  uint32_t a, d;   // the other operand's slot, the result's
};
// An i64 immediate is sign-extended from 32 bits: whether k survives that.
inline bool fits_imm32(const ConstMatch& m) {
  return !m.is64 || static_cast<int64_t>(m.k) == static_cast<int64_t>(static_cast<int32_t>(m.k));
}
// Tries the VIV_CONST_BINOP rows in order; emits the first that applies at
// the end of the code and returns true, with `result` and `y` as below.
bool fuse_const_binop(CodeBuffer& buf, const ConstMatch& m, Field& result, Yield& y);

// A load or store with a constant address or a constant stored value
// (VIV_CONST_ADDR, VIV_CONST_VALUE rows).
struct MemMatch {
  Op op;
  bool load;
  uint64_t ea;      // constant address + offset
  uint64_t k;       // a stored constant's bits
  uint32_t addr;    // the address slot
  uint32_t v;       // a load's result slot, a store's value slot
  uint64_t off;     // the memarg offset
  uint64_t trap;    // the instruction's module offset
};
// Try the VIV_CONST_ADDR (`value` false) or VIV_CONST_VALUE rows in order;
// emit the first that applies at the end of the code, `result` receiving
// its result field.
bool fuse_const_mem(CodeBuffer& buf, const MemMatch& m, bool value, Field& result);

// An i32.add (op) of what the binop `p` just computed into a temporary and
// of a slot or a constant (VIV_INDEX rows).
struct IndexAddMatch {
  Op op;
  Emitted p;
  Emitted prev;    // the i32.load8_u or i32.load ending where p starts, or at == kNowhere
  bool other_k;    // the other operand is a constant (other = its value)
  uint32_t other;
  uint32_t dst;
  uint32_t temps;  // the first operand-stack slot
};
// p is an i32.shl by a constant, feeding an i32.add.
inline bool shifted_index(const IndexAddMatch& m) {
  return m.op == Op::i32_add && m.p.op == Op::i32_shl && m.p.imm;
}
// prev exists and read p's operand into a temporary only p reads.
inline bool feeds_index(const IndexAddMatch& m) {
  return m.prev.at != kNowhere && m.prev.d == m.p.a && m.p.a >= m.temps;
}
// Tries the VIV_INDEX rows in order: the first that applies replaces p (or
// prev and p), `result` receiving its result field and `y` what it yields.
bool fuse_index_add(CodeBuffer& buf, const IndexAddMatch& m, Field& result, Yield& y);

// A store of the value `p` just computed into a temporary only it reads
// (VIV_STORE rows).
struct StoreMatch {
  Producer kind;   // load or fload
  Emitted p;
  Emitted prev;    // kind load: the i32.add of a constant computing the store's address, or at == kNowhere
  Op op;           // the store
  uint32_t addr;   // its address slot
  uint32_t x;      // kind fload: the binop's other operand
  uint64_t off;    // its memarg offset
  uint64_t trap;   // its module offset
  // Kind fload, what came before p:
  Emitted prod;         // an f32/f64 mul of a loaded operand (imm: the load on the left, a: its
                        // address slot, b: the constant added to it, k: offset), or at == kNowhere
  uint32_t prod_x = 0;  // its other operand
  uint64_t prod_trap = 0;  // its load's module offset
  uint32_t load_at = kNowhere;  // where the last load was emitted
  Emitted mul;          // the mul that computed x (k: the load's module offset), or at == kNowhere
  Emitted inner;        // the mul that computed one of its factors (d), or at == kNowhere
  uint32_t temps = 0;   // the first operand-stack slot
};
// The f32/f64 mul of a store's type.
inline Op mul_of_store(Op store) {
  return store == Op::f64_store ? Op::f64_mul : store == Op::f32_store ? Op::f32_mul : Op::nop;
}
// The fload's load read the address and offset the store writes, of the same type.
inline bool stores_back(const StoreMatch& m) {
  const Op load = m.op == Op::f64_store ? Op::f64_load : m.op == Op::f32_store ? Op::f32_load : Op::nop;
  return m.addr == m.p.a && m.off == m.p.b && load != Op::nop && load == float_load_of(m.p.op);
}
bool fuse_store(CodeBuffer& buf, const StoreMatch& m);

// A narrow copy right after the last one, p (VIV_COPY rows).
struct CopyMatch {
  Emitted p;
  uint32_t src, dst;
};
bool fuse_copy(CodeBuffer& buf, const CopyMatch& m);

// A load or store whose address `p` just computed into a temporary only it
// reads (VIV_ADDR rows).
struct AddrMatch {
  Producer kind;
  Emitted p;
  Op op;
  bool load;
  uint32_t v;      // a load's result slot, a store's value slot
  uint64_t off;    // the memarg offset
  uint64_t trap;   // the access's module offset
};
// The first VIV_ADDR row that applies (its encoding replaces p; the
// lowering writes it once it has prepared the code), or h == nullptr.
Encoding match_addr(const CodeBuffer& buf, const AddrMatch& m);

// Tries the binop rows of fusions.def for producer kind `kind`, in order;
// emits the first that applies in place of m.p and returns true, with
// `result` the field of its result and `y` what it counts as.
bool fuse_binop(CodeBuffer& buf, Producer kind, const BinopMatch& m, Field& result, Yield& y);

// A conditional branch (br_if, or `if`, which branches when its condition
// is false) whose condition `p` just computed into its temporary. The
// instructions before p that a row may take too, if they end where the next
// one starts with no label between (else at == kNowhere):
struct BranchMatch {
  Producer kind;   // binop or eqz
  Emitted p;
  Emitted prev;    // kind binop: the binop before p; kind eqz: the binop before the eqz
  Emitted load;    // kind binop: the plain i32.load before p
  bool loop;       // the target is a loop's start: a back-edge
  bool on_false;   // `if`: branch when the condition is false
  uint32_t temps;  // the first operand-stack slot (below it: locals)
};
// Whether `e` exists and computed p's left operand into a temporary that
// only p read.
inline bool feeds(const Emitted& e, const BranchMatch& m) {
  return e.at != kNowhere && e.d == m.p.a && e.d >= m.temps;
}
// The br_if rows (branch when the condition holds) or, if m.on_false, the
// `if` rows (branch when it does not) of fusions.def: the first that applies
// replaces what it consumes (from its `from` instruction on). `at` receives
// the fused instruction's start, `rel` its branch-target Word.
bool fuse_branch(CodeBuffer& buf, const BranchMatch& m, uint32_t& at, uint32_t& rel);

// A br_table of n + 1 targets whose index `p` just computed into its temporary.
struct IndexMatch {
  Producer kind;
  Emitted p;
  uint32_t n;
};
// The br_table rows of fusions.def: the first that applies replaces p with
// the fused table jump's prefix at `at` (its n + 1 targets are the lowering's).
bool fuse_br_table(CodeBuffer& buf, const IndexMatch& m, uint32_t& at);

}  // namespace vivarium::engine::interp
