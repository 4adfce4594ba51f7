// The disassembler's catalog (disasm.h): every handler the lowering can
// emit, with a name and its layouts.def row, found by asking the lowering's
// own selectors.
#include <map>

#include "engine/interp/disasm.h"
#include "engine/interp/fused_mem.h"
#include "engine/interp/ops.h"
#include "engine/interp/peephole.h"
#include "engine/interp/simd_opt.h"

namespace vivarium::engine::interp {
namespace {

class Catalog {
 public:
  Catalog();
  const HandlerInfo* find(Handler h) const {
    const auto it = map_.find(h);
    return it == map_.end() ? nullptr : &it->second;
  }
  size_t size() const { return map_.size(); }
  const std::vector<std::string>& conflicts() const { return conflicts_; }

 private:
  // The first name found for `h` stays; a second layout is a conflict.
  void add(Handler h, std::string_view name, LayoutId id) {
    if (!h) return;
    const auto [it, fresh] = map_.try_emplace(h, HandlerInfo{std::string(name), id});
    if (!fresh && it->second.layout != id)
      conflicts_.push_back(it->second.name + ": " + std::string(layout_desc(it->second.layout).name) + " and " +
                           std::string(layout_desc(id).name) + " (as " + std::string(name) + ")");
  }
  void add_direct();
  void add_uniform();
  void add_table_rows();
  void add_addr_rows(const AddrMatch& m, const std::string& text);
  void add_code_rules();

  std::map<Handler, HandlerInfo> map_;
  std::vector<std::string> conflicts_;
};

// Operators of the scalar instruction set (SIMD ones are never fused), and
// the binops among them.
bool scalar(Op op) { return info(op).prefix != 0xFD; }
bool is_binop(Op op) {
  const SigTypes* s = sig_types(info(op).sig);
  return s && s->nparams == 2 && s->nresults == 1 && info(op).imm != ImmKind::MemArg;
}
bool has_result(Op op) {
  const SigTypes* s = sig_types(info(op).sig);
  return s && s->nresults == 1;
}
bool wide_operands(Op op) {  // i64/f64 operands: a float constant of 8 bytes
  const SigTypes* s = sig_types(info(op).sig);
  return s && s->nparams && (s->params[0] == ValType::I64 || s->params[0] == ValType::F64);
}
template <class F>
void for_each_op(F f) {
  for (uint32_t i = 0; i < kOpCount; ++i) f(static_cast<Op>(i));
}

Catalog::Catalog() {
  add_direct();
  add_uniform();
  add_table_rows();
  add_code_rules();
}

// The handlers lower.cc (and invoke.cc) name, in the layout they are encoded with.
void Catalog::add_direct() {
  const struct {
    Handler h;
    std::string_view name;
    LayoutId id;
  } direct[] = {
      {&h_unreachable, "unreachable", LayoutId::trap_op},  {&h_nop_exit, "nop_exit", LayoutId::bare},
      {&h_return, "return", LayoutId::bare},                {&h_br, "br", LayoutId::jump},
      {&h_br_loop, "br_loop", LayoutId::jump},              {&h_br_if, "br_if", LayoutId::a_rel},
      {&h_br_if_loop, "br_if_loop", LayoutId::a_rel},       {&h_br_unless, "br_unless", LayoutId::a_rel},
      {&h_br_unless_loop, "br_unless_loop", LayoutId::a_rel}, {&h_br_table, "br_table", LayoutId::x_n},
      {&h_call, "call", LayoutId::call},                    {&h_call_indirect, "call_indirect", LayoutId::call_indirect},
      {&h_copy, "copy", LayoutId::copy},                    {&h_copy_n, "copy_n", LayoutId::copy_n},
      {&h_copy2, "copy2", LayoutId::copy},                  {&h_const16_n, "const16_n", LayoutId::const16},
      {&h_const32, "const32", LayoutId::const32},           {&h_const64, "const64", LayoutId::const64},
      {&h_const128, "const128", LayoutId::const128},        {&h_select, "select", LayoutId::a_b_c_d},
      {&h_select2, "select2", LayoutId::a_b_c_d},           {&h_global_get, "global.get", LayoutId::i_d},
      {&h_global_get2, "global.get2", LayoutId::i_d},       {&h_global_set, "global.set", LayoutId::i_s},
      {&h_global_set2, "global.set2", LayoutId::i_s},       {&h_ref_func, "ref.func", LayoutId::i_d},
      {&h_ref_is_null, "ref.is_null", LayoutId::unop},      {&h_memory_size, "memory.size", LayoutId::result},
      {&h_memory_grow, "memory.grow", LayoutId::unop},      {&h_memory_fill, "memory.fill", LayoutId::a_b_c},
      {&h_memory_copy, "memory.copy", LayoutId::a_b_c},     {&h_memory_init, "memory.init", LayoutId::a_b_c_i},
      {&h_data_drop, "data.drop", LayoutId::index},         {&h_elem_drop, "elem.drop", LayoutId::index},
      {&h_v128_load, "v128.load", LayoutId::load},          {&h_v128_store, "v128.store", LayoutId::store},
      {&h_table_get, "table.get", LayoutId::x_d_i},         {&h_table_set, "table.set", LayoutId::x_v_i},
      {&h_table_size, "table.size", LayoutId::d_i},         {&h_table_grow, "table.grow", LayoutId::a_b_d_i},
      {&h_table_fill, "table.fill", LayoutId::a_b_c_i},     {&h_table_copy, "table.copy", LayoutId::a_b_c_i_j},
      {&h_table_init, "table.init", LayoutId::a_b_c_i_j},
  };
  for (const auto& d : direct) add(d.h, d.name, d.id);
}

// op_table's uniform instructions (lower_fixed) and the SIMD instructions
// (lower_simd).
void Catalog::add_uniform() {
  for_each_op([&](Op op) {
    const OpInfo& oi = info(op);
    const SigTypes* s = sig_types(oi.sig);
    if (!s) return;
    const std::string text(oi.text);
    if (oi.prefix == 0xFD) {
#if VIV_HAVE_SIMD_HANDLERS
      if (op == Op::v128_load || op == Op::v128_store || op == Op::v128_const) return;
      const bool memarg = oi.imm == ImmKind::MemArg || oi.imm == ImmKind::MemArgLane;
      add(simd_handler(op), text,
          memarg ? LayoutId::simd_mem : op == Op::i8x16_shuffle ? LayoutId::simd_shuffle : LayoutId::simd);
#endif
      return;
    }
    const size_t i = static_cast<size_t>(op);
    for (const bool n : {true, false}) {
      const Handler h = op_table(n)[i];
      if (oi.imm == ImmKind::MemArg)
        add(h, text, s->nresults ? (n ? LayoutId::load_n : LayoutId::load) : (n ? LayoutId::store_n : LayoutId::store));
      else if (s->nparams == 1 && s->nresults == 1)
        add(h, text, n ? LayoutId::unop_n : LayoutId::unop);
      else if (s->nparams == 2 && s->nresults == 1)
        add(h, text, n ? LayoutId::binop_n : LayoutId::binop);
    }
  });
}

// The rows of fusions.def: each row's guard and handler over every operator
// pair its producer could offer, the layout the row's.
void Catalog::add_table_rows() {
  std::vector<Op> binops, producers;
  for_each_op([&](Op op) {
    if (!scalar(op)) return;
    if (is_binop(op)) binops.push_back(op);
    if (has_result(op)) producers.push_back(op);
  });
  // Binop rows: m = the binop `op` fed by producer `p`.
  for (const Op op : binops)
    for (const Op pop : producers)
      for (const bool left : {false, true})
        for (const bool imm : {false, true}) {
          BinopMatch m{op, Emitted{0, 0, pop, imm, 0, 0, 0}, left, 0, 0};
#define VIV_FUSION(name, producer, guard, handler, yields, lay, ...) \
  if (guard) add((handler), #name, LayoutId::lay);
#include "engine/interp/fusions.def"
#undef VIV_FUSION
        }
  // Branch rows: the condition p (a binop or an eqz), with or without an
  // i32.add / i32.and before it, into a branch or a back-edge.
  const Op prev_ops[] = {Op::nop, Op::i32_add, Op::i32_and};
  for (const Op pop : producers)
    for (const bool imm : {false, true})
      for (const Op prev_op : prev_ops)
        for (const bool prev_imm : {false, true})
          for (const bool loop : {false, true}) {
            const Emitted p{0, 0, pop, imm, 0, wide_operands(pop) ? 8u : 4u, 0};
            const Emitted prev = prev_op == Op::nop ? Emitted{} : Emitted{0, 0, prev_op, prev_imm, 0, 0, 0};
            for (const Producer kind : {Producer::binop, Producer::eqz}) {
              const BranchMatch m{kind, p, prev, Emitted{0, 0, Op::i32_load, false, 0, 0, 0}, loop, false, 0};
#define VIV_BRANCH_ROW(name, producer, guard, handler, lay, ...) \
  if (m.kind == Producer::producer && (guard)) add((handler), #name, LayoutId::lay);
#define VIV_BR_IF(...) VIV_BRANCH_ROW(__VA_ARGS__)
#define VIV_IF(...) VIV_BRANCH_ROW(__VA_ARGS__)
#include "engine/interp/fusions.def"
#undef VIV_IF
#undef VIV_BR_IF
#undef VIV_BRANCH_ROW
            }
          }
  // br_table rows: the index p.
  for (const Op pop : producers)
    for (const bool imm : {false, true}) {
      const IndexMatch m{Producer::binop, Emitted{0, 0, pop, imm, 0, 0, 0}, 0};
#define VIV_BR_TABLE(name, producer, guard, handler, lay, ...) \
  if (guard) add((handler), #name, LayoutId::lay);
#include "engine/interp/fusions.def"
#undef VIV_BR_TABLE
    }
  // Stored-value rows: every store of what a load or a float binop computed.
  for_each_op([&](Op op) {
    const SigTypes* s = sig_types(info(op).sig);
    if (!scalar(op) || info(op).imm != ImmKind::MemArg || !s || s->nresults) return;
    for (const Op pop : producers)
      for (const bool imm : {false, true})
        for (const bool fold : {false, true})
          for (const Producer kind : {Producer::load, Producer::fload}) {
            const Emitted mul{0, 0, mul_of_store(op), fold, 0, 0, 0};
            for (const uint32_t inner_d : {0u, 1u}) {
              const StoreMatch m{kind, Emitted{0, 0, pop, imm, 0, 0, 0},
                                 fold ? Emitted{0, 0, Op::i32_add, true, 0, 0, 0} : Emitted{}, op, 0, 0, 0, 0,
                                 mul, 0, 0, 0, mul, Emitted{0, 0, mul_of_store(op), false, 0, 0, inner_d}, 0};
#define VIV_STORE(name, producer, guard, handler, lay, ...) \
  if (m.kind == Producer::producer && (guard)) add((handler), #name, LayoutId::lay);
#include "engine/interp/fusions.def"
#undef VIV_STORE
            }
          }
  });
  {
    [[maybe_unused]] const CopyMatch m{Emitted{}, 0, 0};  // the guards may not read it
#define VIV_COPY(name, guard, handler, lay, ...) \
  if (guard) add((handler), #name, LayoutId::lay);
#include "engine/interp/fusions.def"
#undef VIV_COPY
  }
  // Shifted-index rows: an i32.add of an i32.shl by a constant, after any load.
  for (const Op pop : producers)
    for (const bool k : {false, true}) {
      const Emitted shl{0, 0, Op::i32_shl, true, 0, 0, 0};
      const IndexAddMatch m{Op::i32_add, shl, Emitted{0, 0, pop, false, 0, 0, 0}, k, 0, 0, 0};
#define VIV_INDEX(name, guard, handler, yields, lay, ...) \
  if (guard) add((handler), #name, LayoutId::lay);
#include "engine/interp/fusions.def"
#undef VIV_INDEX
    }
  // Constant-address and constant-value rows: every load and store.
  for_each_op([&](Op op) {
    const SigTypes* s = sig_types(info(op).sig);
    if (!scalar(op) || info(op).imm != ImmKind::MemArg || !s) return;
    const MemMatch m{op, s->nresults == 1, 0, 0, 0, 0, 0, 0};
#define VIV_CONST_ADDR(name, guard, handler, lay, ...) \
  if (guard) add((handler), #name " " + std::string(info(op).text), LayoutId::lay);
#define VIV_CONST_VALUE(...) VIV_CONST_ADDR(__VA_ARGS__)
#include "engine/interp/fusions.def"
#undef VIV_CONST_VALUE
#undef VIV_CONST_ADDR
    // Address rows: the access's address from each producer (an index8's
    // own index load any operator).
    const std::vector<Op> no_op{Op::nop};
    for (const Producer kind : {Producer::add, Producer::shl_add, Producer::index8})
      for (const Op pop : kind == Producer::index8 ? producers : no_op)
        for (const bool imm : {false, true}) {
          const AddrMatch am{kind, Emitted{0, 0, pop, imm, 0, 0, 0}, op, s->nresults == 1, 0, 0, 0};
          add_addr_rows(am, std::string(info(op).text));
        }
  });
  // Constant-operand rows: every binop, with the constant on either side.
  for (const Op op : binops)
    for (const bool k_left : {false, true}) {
      const ConstMatch m{op, k_left ? mirror_compare(op) : op, 0, k_left, wide_operands(op), 0, 0};
#define VIV_CONST_BINOP(name, guard, handler, yields, lay, ...) \
  if (guard) add((handler), #name " " + std::string(info(op).text), LayoutId::lay);
#include "engine/interp/fusions.def"
#undef VIV_CONST_BINOP
    }
}

void Catalog::add_addr_rows(const AddrMatch& m, const std::string& text) {
#define VIV_ADDR(name, producer, guard, handler, lay, ...) \
  if (m.kind == Producer::producer && (guard)) add((handler), #name " " + text, LayoutId::lay);
#include "engine/interp/fusions.def"
#undef VIV_ADDR
}

// The superinstruction rules still matched in code (lower_fused.cc), each
// with the layouts it encodes.
void Catalog::add_code_rules() {
  for_each_op([&](Op op) {
    if (!scalar(op)) return;
    const std::string text(info(op).text);
    const bool is64 = wide_operands(op);

    for (const bool left : {false, true})
      add(float_axpy_abs_handler(op, left), text + " axpy_abs", is64 ? LayoutId::axpy_abs64 : LayoutId::axpy_abs32);
    for (int kind = 0; kind < 4; ++kind) {
      add(float_mul_add_rmw_handler(op, kind), text + " mul_add_rmw", LayoutId::mul_rmw);
      for (const bool p_left : {false, true})
        add(float_mul3_add_rmw_handler(op, kind, p_left), text + " mul3_add_rmw", LayoutId::mul3_rmw);
    }
  });
}

const Catalog& catalog() {
  static const Catalog c;
  return c;
}

}  // namespace

const HandlerInfo* handler_info(Handler h) { return catalog().find(h); }
size_t handler_catalog_size() { return catalog().size(); }
const std::vector<std::string>& handler_catalog_conflicts() { return catalog().conflicts(); }

}  // namespace vivarium::engine::interp
