// Memory, calls, tables and numeric instructions (control flow, locals and
// globals are in translate.cc). Traps compare and branch to a cold call of
// viv_native_trap with the interpreter's trap code, so both tiers report the
// same message at the same wasm offset.
#include <cstddef>

#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Intrinsics.h>

#include "engine/compiler/native_abi.h"
#include "engine/compiler/translate_ops.h"
#include "engine/compiler/translate_simd.h"

namespace vivarium::engine::compiler {

using vivarium::ErrorCode;
using vivarium::detail::FuncInst;
using vivarium::detail::MemoryInst;

llvm::Value* FuncTranslator::intrinsic(llvm::Intrinsic::ID id, std::vector<llvm::Value*> args) {
  llvm::Function* fn = llvm::Intrinsic::getDeclaration(&m_.module(), id, {args[0]->getType()});
  return b_.CreateCall(fn, args);
}

llvm::Value* FuncTranslator::call_helper(const char* name, llvm::Type* ret, std::vector<llvm::Value*> args) {
  std::vector<llvm::Type*> types;
  for (llvm::Value* a : args) types.push_back(a->getType());
  spill_budget();
  llvm::Value* r = b_.CreateCall(m_.helper(name, ret, types), args);
  reload_budget();
  return r;
}

// Bounds check in 64 bits: index + static offset + size <= memory size.
// With the full reservation, index + offset (< 4 GiB + 2 GiB) + size lies
// inside the 8 GiB reserved: the guard pages catch it (engine/compiler/guard_fault.h).
llvm::Value* FuncTranslator::address(llvm::Value* index, uint64_t static_offset, uint32_t bytes, uint64_t offset) {
  llvm::Value* ea = b_.CreateAdd(b_.CreateZExt(index, b_.getInt64Ty()), b_.getInt64(static_offset));
  if (m_.elide_bounds() && static_offset < (uint64_t{1} << 31)) return b_.CreateInBoundsGEP(b_.getInt8Ty(), mem_base_, ea);
  llvm::Value* size = load_runtime(b_.getInt64Ty(), mem_, offsetof(MemoryInst, size));
  trap_if(b_.CreateICmpUGT(b_.CreateAdd(ea, b_.getInt64(bytes)), size), ErrorCode::MemoryOutOfBounds, offset);
  return b_.CreateInBoundsGEP(b_.getInt8Ty(), mem_base_, ea);
}

bool FuncTranslator::memory_op(const Instr& in) {
  struct Access {
    Op op;
    uint8_t bytes;
    ValType type;
    bool sign;
  };
  static constexpr Access kLoads[] = {
      {Op::i32_load, 4, ValType::I32, false},     {Op::i64_load, 8, ValType::I64, false},
      {Op::f32_load, 4, ValType::F32, false},     {Op::f64_load, 8, ValType::F64, false},
      {Op::i32_load8_s, 1, ValType::I32, true},   {Op::i32_load8_u, 1, ValType::I32, false},
      {Op::i32_load16_s, 2, ValType::I32, true},  {Op::i32_load16_u, 2, ValType::I32, false},
      {Op::i64_load8_s, 1, ValType::I64, true},   {Op::i64_load8_u, 1, ValType::I64, false},
      {Op::i64_load16_s, 2, ValType::I64, true},  {Op::i64_load16_u, 2, ValType::I64, false},
      {Op::i64_load32_s, 4, ValType::I64, true},  {Op::i64_load32_u, 4, ValType::I64, false},
  };
  static constexpr Access kStores[] = {
      {Op::i32_store, 4, ValType::I32, false},  {Op::i64_store, 8, ValType::I64, false},
      {Op::f32_store, 4, ValType::F32, false},  {Op::f64_store, 8, ValType::F64, false},
      {Op::i32_store8, 1, ValType::I32, false}, {Op::i32_store16, 2, ValType::I32, false},
      {Op::i64_store8, 1, ValType::I64, false}, {Op::i64_store16, 2, ValType::I64, false},
      {Op::i64_store32, 4, ValType::I64, false},
  };
  for (const Access& a : kLoads) {
    if (a.op != in.op) continue;
    llvm::Value* p = address(pop(), in.mem.offset, a.bytes, in.offset);
    llvm::Type* full = val_type(a.type);
    const bool narrow = a.bytes * 8 < full->getPrimitiveSizeInBits();
    llvm::Type* lt = narrow ? b_.getIntNTy(a.bytes * 8) : full;
    // Without a bounds check the load itself is the check: volatile, so the
    // optimizer neither deletes one whose value it finds unused nor moves it
    // across the stores and calls around it (the differential fuzzer found
    // both with plain loads: traps lost, memory differing at a trap).
    const bool is_check = m_.elide_bounds() && in.mem.offset < (uint64_t{1} << 31);
    llvm::LoadInst* l = b_.CreateAlignedLoad(lt, p, llvm::MaybeAlign(1), is_check);
    l->setMetadata(llvm::LLVMContext::MD_tbaa, m_.tbaa_memory());
    llvm::Value* v = l;
    if (narrow) v = a.sign ? b_.CreateSExt(v, full) : b_.CreateZExt(v, full);
    push(v);
    return true;
  }
  for (const Access& a : kStores) {
    if (a.op != in.op) continue;
    llvm::Value* v = pop();
    llvm::Value* p = address(pop(), in.mem.offset, a.bytes, in.offset);
    if (a.bytes * 8 < v->getType()->getPrimitiveSizeInBits()) v = b_.CreateTrunc(v, b_.getIntNTy(a.bytes * 8));
    // Volatile too when the guard pages check it: LLVM would otherwise move a
    // store across a load or store to a provably different address, and the
    // first access to trap (its offset, what memory holds at the trap) would
    // differ from the interpreter's.
    const bool is_check = m_.elide_bounds() && in.mem.offset < (uint64_t{1} << 31);
    b_.CreateAlignedStore(v, p, llvm::MaybeAlign(1), is_check)->setMetadata(llvm::LLVMContext::MD_tbaa, m_.tbaa_memory());
    return true;
  }
  llvm::Value* fi = b_.getInt32(func_index_);
  llvm::Value* off = b_.getInt64(in.offset);
  llvm::Type* vd = b_.getVoidTy();
  switch (in.op) {
    case Op::memory_size:
      push(load_runtime(b_.getInt32Ty(), mem_, offsetof(MemoryInst, pages)));
      return true;
    case Op::memory_grow: push(call_helper("viv_native_memory_grow", b_.getInt32Ty(), {ctx_, pop()})); return true;
    case Op::memory_fill:
    case Op::memory_copy: {
      llvm::Value* n = pop();
      llvm::Value* s = pop();
      llvm::Value* d = pop();
      call_helper(in.op == Op::memory_fill ? "viv_native_memory_fill" : "viv_native_memory_copy", vd,
                  {ctx_, d, s, n, fi, off});
      return true;
    }
    case Op::memory_init: {
      llvm::Value* n = pop();
      llvm::Value* s = pop();
      llvm::Value* d = pop();
      call_helper("viv_native_memory_init", vd, {ctx_, b_.getInt32(in.index), d, s, n, fi, off});
      return true;
    }
    case Op::data_drop: call_helper("viv_native_data_drop", vd, {ctx_, b_.getInt32(in.index)}); return true;
    default: return false;
  }
}

void FuncTranslator::call_slots(const FuncType& t, llvm::FunctionCallee fn, std::vector<llvm::Value*> lead,
                                uint64_t offset) {
  const size_t n = std::max(slot_total(t.params), slot_total(t.results));
  llvm::Value* slots = alloca_at_entry(llvm::ArrayType::get(b_.getInt64Ty(), std::max<size_t>(n, 1)));
  std::vector<llvm::Value*> args = pop_n(t.params.size());
  for (size_t k = 0; k < args.size(); ++k) store_slot(b_, args[k], slots, slot_index(t.params, k), t.params[k]);
  lead.push_back(slots);
  lead.push_back(b_.getInt64(offset));
  spill_budget();
  b_.CreateCall(fn, lead);
  reload_budget();
  for (size_t k = 0; k < t.results.size(); ++k) push(load_slot(b_, slots, slot_index(t.results, k), t.results[k]));
}

void FuncTranslator::call_typed(llvm::FunctionType* ft, llvm::Value* callee, const FuncType& t, uint64_t offset) {
  std::vector<llvm::Value*> args{ctx_};
  for (llvm::Value* v : pop_n(t.params.size())) args.push_back(v);
  check_depth(offset);
  spill_budget();
  llvm::Value* r = b_.CreateCall(ft, callee, args);
  reload_budget();
  if (t.results.size() == 1) push(r);
  for (size_t k = 0; t.results.size() > 1 && k < t.results.size(); ++k)
    push(b_.CreateExtractValue(r, {static_cast<unsigned>(k)}));
}

bool FuncTranslator::call_op(const Instr& in) {
  llvm::Type* ptr = b_.getPtrTy();
  if (in.op == Op::call) {
    const FuncType& t = ir_.func_type(in.index);
    if (llvm::Function* callee = m_.func(in.index)) {
      call_typed(callee->getFunctionType(), callee, t, in.offset);
    } else {
      auto fn = m_.helper("viv_native_call", b_.getVoidTy(), {ptr, b_.getInt32Ty(), ptr, b_.getInt64Ty()});
      call_slots(t, fn, {ctx_, b_.getInt32(in.index)}, in.offset);
    }
    return true;
  }
  if (in.op != Op::call_indirect) return false;
  const FuncType& t = ir_.types[in.index];
  llvm::Value* i = pop();
  llvm::Value* other = alloca_at_entry(ptr);
  llvm::Value* entry = call_helper("viv_native_indirect", ptr,
                                   {ctx_, b_.getInt32(in.index2), b_.getInt32(in.index), i, other,
                                    b_.getInt32(func_index_), b_.getInt64(in.offset)});
  // Compiled code of this instance: a direct typed call. Anything else
  // (another instance, the interpreter, a host function): the slot convention.
  auto* fast = llvm::BasicBlock::Create(m_.context(), "ci.fast", f_);
  auto* slow = llvm::BasicBlock::Create(m_.context(), "ci.slow", f_);
  auto* join = llvm::BasicBlock::Create(m_.context(), "ci.join", f_);
  b_.CreateCondBr(b_.CreateIsNotNull(entry), fast, slow);
  const std::vector<llvm::Value*> saved = stack_;
  b_.SetInsertPoint(fast);
  call_typed(m_.typed_sig(t), entry, t, in.offset);
  std::vector<llvm::Value*> fast_results(stack_.end() - static_cast<ptrdiff_t>(t.results.size()), stack_.end());
  llvm::BasicBlock* fast_end = b_.GetInsertBlock();
  b_.CreateBr(join);
  stack_ = saved;
  b_.SetInsertPoint(slow);
  auto fn = m_.helper("viv_native_call_ref", b_.getVoidTy(), {ptr, ptr, ptr, b_.getInt64Ty()});
  call_slots(t, fn, {ctx_, b_.CreateLoad(ptr, other)}, in.offset);
  std::vector<llvm::Value*> slow_results(stack_.end() - static_cast<ptrdiff_t>(t.results.size()), stack_.end());
  llvm::BasicBlock* slow_end = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  stack_.resize(stack_.size() - t.results.size());
  for (size_t k = 0; k < t.results.size(); ++k) {
    llvm::PHINode* phi = b_.CreatePHI(fast_results[k]->getType(), 2);
    phi->addIncoming(fast_results[k], fast_end);
    phi->addIncoming(slow_results[k], slow_end);
    push(phi);
  }
  return true;
}

bool FuncTranslator::table_op(const Instr& in) {
  llvm::Value* fi = b_.getInt32(func_index_);
  llvm::Value* off = b_.getInt64(in.offset);
  llvm::Value* t = b_.getInt32(in.index);
  llvm::Type* vd = b_.getVoidTy();
  llvm::Type* i64 = b_.getInt64Ty();
  switch (in.op) {
    case Op::table_get: push(call_helper("viv_native_table_get", i64, {ctx_, t, pop(), fi, off})); return true;
    case Op::table_set: {
      llvm::Value* v = pop();
      call_helper("viv_native_table_set", vd, {ctx_, t, pop(), v, fi, off});
      return true;
    }
    case Op::table_size: push(call_helper("viv_native_table_size", b_.getInt32Ty(), {ctx_, t})); return true;
    case Op::table_grow: {
      llvm::Value* n = pop();
      push(call_helper("viv_native_table_grow", b_.getInt32Ty(), {ctx_, t, pop(), n}));
      return true;
    }
    case Op::table_fill: {
      llvm::Value* n = pop();
      llvm::Value* v = pop();
      call_helper("viv_native_table_fill", vd, {ctx_, t, pop(), v, n, fi, off});
      return true;
    }
    case Op::table_copy:
    case Op::table_init: {
      llvm::Value* n = pop();
      llvm::Value* s = pop();
      llvm::Value* d = pop();
      // table.copy: index = destination table, index2 = source table;
      // table.init: index = element segment, index2 = table.
      if (in.op == Op::table_copy) {
        call_helper("viv_native_table_copy", vd, {ctx_, t, b_.getInt32(in.index2), d, s, n, fi, off});
      } else {
        call_helper("viv_native_table_init", vd, {ctx_, b_.getInt32(in.index2), t, d, s, n, fi, off});
      }
      return true;
    }
    case Op::elem_drop: call_helper("viv_native_elem_drop", vd, {ctx_, t}); return true;
    case Op::ref_null: push(b_.getInt64(0)); return true;
    case Op::ref_is_null: push(b_.CreateZExt(b_.CreateICmpEQ(pop(), b_.getInt64(0)), b_.getInt32Ty())); return true;
    case Op::ref_func: push(call_helper("viv_native_ref_func", i64, {ctx_, t})); return true;
    default: return false;
  }
}

void FuncTranslator::numeric(const Instr& in) {
  switch (in.op) {
    case Op::i32_const: push(b_.getInt32(static_cast<uint32_t>(in.i32))); return;
    case Op::i64_const: push(b_.getInt64(static_cast<uint64_t>(in.i64))); return;
    case Op::f32_const: push(b_.CreateBitCast(b_.getInt32(in.f32_bits), b_.getFloatTy())); return;
    case Op::f64_const: push(b_.CreateBitCast(b_.getInt64(in.f64_bits), b_.getDoubleTy())); return;
    default: break;
  }
  if (compare(in) || int_arith(in) || float_arith(in) || convert(in)) return;
}

bool FuncTranslator::compare(const Instr& in) {
  using P = llvm::CmpInst::Predicate;
  struct Cmp {
    Op op32, op64;
    P pred;
  };
  static constexpr Cmp kInt[] = {
      {Op::i32_eq, Op::i64_eq, P::ICMP_EQ},      {Op::i32_ne, Op::i64_ne, P::ICMP_NE},
      {Op::i32_lt_s, Op::i64_lt_s, P::ICMP_SLT}, {Op::i32_lt_u, Op::i64_lt_u, P::ICMP_ULT},
      {Op::i32_gt_s, Op::i64_gt_s, P::ICMP_SGT}, {Op::i32_gt_u, Op::i64_gt_u, P::ICMP_UGT},
      {Op::i32_le_s, Op::i64_le_s, P::ICMP_SLE}, {Op::i32_le_u, Op::i64_le_u, P::ICMP_ULE},
      {Op::i32_ge_s, Op::i64_ge_s, P::ICMP_SGE}, {Op::i32_ge_u, Op::i64_ge_u, P::ICMP_UGE},
      {Op::f32_eq, Op::f64_eq, P::FCMP_OEQ},     {Op::f32_ne, Op::f64_ne, P::FCMP_UNE},
      {Op::f32_lt, Op::f64_lt, P::FCMP_OLT},     {Op::f32_gt, Op::f64_gt, P::FCMP_OGT},
      {Op::f32_le, Op::f64_le, P::FCMP_OLE},     {Op::f32_ge, Op::f64_ge, P::FCMP_OGE},
  };
  if (in.op == Op::i32_eqz || in.op == Op::i64_eqz) {
    llvm::Value* a = pop();
    push(b_.CreateZExt(b_.CreateICmpEQ(a, llvm::Constant::getNullValue(a->getType())), b_.getInt32Ty()));
    return true;
  }
  for (const Cmp& c : kInt) {
    if (c.op32 != in.op && c.op64 != in.op) continue;
    llvm::Value* y = pop();
    llvm::Value* x = pop();
    push(b_.CreateZExt(b_.CreateCmp(c.pred, x, y), b_.getInt32Ty()));
    return true;
  }
  return false;
}

bool FuncTranslator::int_arith(const Instr& in) {
  using BO = llvm::Instruction::BinaryOps;
  struct Bin {
    Op op32, op64;
    BO bo;
  };
  static constexpr Bin kSimple[] = {
      {Op::i32_add, Op::i64_add, BO::Add}, {Op::i32_sub, Op::i64_sub, BO::Sub}, {Op::i32_mul, Op::i64_mul, BO::Mul},
      {Op::i32_and, Op::i64_and, BO::And}, {Op::i32_or, Op::i64_or, BO::Or},    {Op::i32_xor, Op::i64_xor, BO::Xor},
  };
  for (const Bin& c : kSimple) {
    if (c.op32 != in.op && c.op64 != in.op) continue;
    llvm::Value* y = pop();
    llvm::Value* x = pop();
    push(b_.CreateBinOp(c.bo, x, y));
    return true;
  }
  switch (in.op) {
    case Op::i32_clz: case Op::i64_clz: push(intrinsic(llvm::Intrinsic::ctlz, {pop(), b_.getFalse()})); return true;
    case Op::i32_ctz: case Op::i64_ctz: push(intrinsic(llvm::Intrinsic::cttz, {pop(), b_.getFalse()})); return true;
    case Op::i32_popcnt: case Op::i64_popcnt: push(intrinsic(llvm::Intrinsic::ctpop, {pop()})); return true;
    case Op::i32_extend8_s: case Op::i64_extend8_s:
    case Op::i32_extend16_s: case Op::i64_extend16_s:
    case Op::i64_extend32_s: {
      llvm::Value* a = pop();
      const unsigned bits = in.op == Op::i32_extend8_s || in.op == Op::i64_extend8_s     ? 8
                            : in.op == Op::i32_extend16_s || in.op == Op::i64_extend16_s ? 16
                                                                                         : 32;
      push(b_.CreateSExt(b_.CreateTrunc(a, b_.getIntNTy(bits)), a->getType()));
      return true;
    }
    default: break;
  }
  const bool shift = in.op == Op::i32_shl || in.op == Op::i64_shl || in.op == Op::i32_shr_s || in.op == Op::i64_shr_s ||
                     in.op == Op::i32_shr_u || in.op == Op::i64_shr_u || in.op == Op::i32_rotl ||
                     in.op == Op::i64_rotl || in.op == Op::i32_rotr || in.op == Op::i64_rotr;
  if (shift) {
    llvm::Value* y = pop();
    llvm::Value* x = pop();
    const unsigned bits = x->getType()->getIntegerBitWidth();
    llvm::Value* n = b_.CreateAnd(y, llvm::ConstantInt::get(x->getType(), bits - 1));
    switch (in.op) {
      case Op::i32_shl: case Op::i64_shl: push(b_.CreateShl(x, n)); break;
      case Op::i32_shr_s: case Op::i64_shr_s: push(b_.CreateAShr(x, n)); break;
      case Op::i32_shr_u: case Op::i64_shr_u: push(b_.CreateLShr(x, n)); break;
      case Op::i32_rotl: case Op::i64_rotl: push(intrinsic(llvm::Intrinsic::fshl, {x, x, n})); break;
      default: push(intrinsic(llvm::Intrinsic::fshr, {x, x, n})); break;
    }
    return true;
  }
  const bool div = in.op == Op::i32_div_s || in.op == Op::i64_div_s || in.op == Op::i32_div_u ||
                   in.op == Op::i64_div_u || in.op == Op::i32_rem_s || in.op == Op::i64_rem_s ||
                   in.op == Op::i32_rem_u || in.op == Op::i64_rem_u;
  if (!div) return false;
  llvm::Value* y = pop();
  llvm::Value* x = pop();
  llvm::Type* t = x->getType();
  llvm::Value* zero = llvm::ConstantInt::get(t, 0);
  llvm::Value* minus1 = llvm::ConstantInt::getSigned(t, -1);
  trap_if(b_.CreateICmpEQ(y, zero), ErrorCode::IntegerDivideByZero, in.offset);
  switch (in.op) {
    case Op::i32_div_u: case Op::i64_div_u: push(b_.CreateUDiv(x, y)); break;
    case Op::i32_rem_u: case Op::i64_rem_u: push(b_.CreateURem(x, y)); break;
    case Op::i32_div_s: case Op::i64_div_s: {
      llvm::Value* min = llvm::ConstantInt::get(t, llvm::APInt::getSignedMinValue(t->getIntegerBitWidth()));
      trap_if(b_.CreateAnd(b_.CreateICmpEQ(x, min), b_.CreateICmpEQ(y, minus1)), ErrorCode::IntegerOverflow,
              in.offset);
      push(b_.CreateSDiv(x, y));
      break;
    }
    default: {
      // rem_s by -1 is 0 (and INT_MIN % -1 would fault on x86).
      llvm::Value* is_m1 = b_.CreateICmpEQ(y, minus1);
      llvm::Value* safe = b_.CreateSelect(is_m1, llvm::ConstantInt::get(t, 1), y);
      push(b_.CreateSelect(is_m1, zero, b_.CreateSRem(x, safe)));
      break;
    }
  }
  return true;
}

bool FuncTranslator::float_arith(const Instr& in) {
  using BO = llvm::Instruction::BinaryOps;
  using ID = llvm::Intrinsic::ID;
  struct Bin {
    Op op32, op64;
    BO bo;
  };
  static constexpr Bin kBin[] = {{Op::f32_add, Op::f64_add, BO::FAdd},
                                 {Op::f32_sub, Op::f64_sub, BO::FSub},
                                 {Op::f32_mul, Op::f64_mul, BO::FMul},
                                 {Op::f32_div, Op::f64_div, BO::FDiv}};
  for (const Bin& c : kBin) {
    if (c.op32 != in.op && c.op64 != in.op) continue;
    llvm::Value* y = opaque_if_constant(pop());
    llvm::Value* x = opaque_if_constant(pop());
    push(b_.CreateBinOp(c.bo, x, y));
    return true;
  }
  struct Intr {
    Op op32, op64;
    ID id;
    int arity;
  };
  static const Intr kIntr[] = {
      {Op::f32_min, Op::f64_min, llvm::Intrinsic::minimum, 2},
      {Op::f32_max, Op::f64_max, llvm::Intrinsic::maximum, 2},
      {Op::f32_copysign, Op::f64_copysign, llvm::Intrinsic::copysign, 2},
      {Op::f32_abs, Op::f64_abs, llvm::Intrinsic::fabs, 1},
      {Op::f32_ceil, Op::f64_ceil, llvm::Intrinsic::ceil, 1},
      {Op::f32_floor, Op::f64_floor, llvm::Intrinsic::floor, 1},
      {Op::f32_trunc, Op::f64_trunc, llvm::Intrinsic::trunc, 1},
      {Op::f32_nearest, Op::f64_nearest, llvm::Intrinsic::roundeven, 1},
      {Op::f32_sqrt, Op::f64_sqrt, llvm::Intrinsic::sqrt, 1},
  };
  for (const Intr& c : kIntr) {
    if (c.op32 != in.op && c.op64 != in.op) continue;
    if (c.arity == 2 && c.id != llvm::Intrinsic::copysign) {
      // x86's lowering of minimum/maximum passes a signalling NaN through;
      // wasm wants it quieted, which adding the operands does.
      llvm::Value* y = pop();
      llvm::Value* x = pop();
      push(b_.CreateSelect(b_.CreateFCmpUNO(x, y), b_.CreateFAdd(x, y), intrinsic(c.id, {x, y})));
    } else if (c.arity == 2) {
      llvm::Value* y = pop();
      llvm::Value* x = pop();
      push(intrinsic(c.id, {x, y}));
    } else {
      push(intrinsic(c.id, {pop()}));
    }
    return true;
  }
  if (in.op == Op::f32_neg || in.op == Op::f64_neg) {
    push(b_.CreateFNeg(pop()));
    return true;
  }
  return false;
}

// LLVM folds x*1, x/1, x-0 and the like to x, which returns a signalling NaN
// unchanged where wasm requires it quieted. An empty asm hides a constant
// operand's value from the optimizer (only constants enable those folds).
llvm::Value* FuncTranslator::opaque_if_constant(llvm::Value* v) {
  return llvm::isa<llvm::Constant>(v) ? opaque(v) : v;
}

llvm::Value* FuncTranslator::opaque(llvm::Value* v) {
  auto* ft = llvm::FunctionType::get(v->getType(), {v->getType()}, false);
  return b_.CreateCall(llvm::InlineAsm::get(ft, "", "=x,0", false), {v});
}

// Trapping float -> int: NaN is an invalid conversion, anything outside the
// open interval (lo, hi) (both exact in the source type) an overflow.
llvm::Value* FuncTranslator::truncate(llvm::Value* v, bool is_signed, llvm::Type* to, uint64_t offset) {
  const bool f32 = v->getType()->isFloatTy();
  const bool i32 = to->getIntegerBitWidth() == 32;
  double lo, hi;
  if (is_signed) {
    if (i32) {
      lo = f32 ? -2147483904.0 : -2147483649.0;
      hi = 2147483648.0;
    } else {
      lo = f32 ? -9223373136366403584.0 : -9223372036854777856.0;
      hi = 9223372036854775808.0;
    }
  } else {
    lo = -1.0;
    hi = i32 ? 4294967296.0 : 18446744073709551616.0;
  }
  trap_if(b_.CreateFCmpUNO(v, v), ErrorCode::InvalidConversion, offset);
  llvm::Value* in_range = b_.CreateAnd(b_.CreateFCmpOGT(v, llvm::ConstantFP::get(v->getType(), lo)),
                                       b_.CreateFCmpOLT(v, llvm::ConstantFP::get(v->getType(), hi)));
  trap_if(b_.CreateNot(in_range), ErrorCode::IntegerOverflow, offset);
  return is_signed ? b_.CreateFPToSI(v, to) : b_.CreateFPToUI(v, to);
}

bool FuncTranslator::convert(const Instr& in) {
  llvm::Type* i32 = b_.getInt32Ty();
  llvm::Type* i64 = b_.getInt64Ty();
  llvm::Type* f32 = b_.getFloatTy();
  llvm::Type* f64 = b_.getDoubleTy();
  auto sat = [&](bool is_signed, llvm::Type* to) {
    llvm::Value* v = pop();
    llvm::Function* fn = llvm::Intrinsic::getDeclaration(
        &m_.module(), is_signed ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat, {to, v->getType()});
    push(b_.CreateCall(fn, {v}));
  };
  switch (in.op) {
    case Op::i32_wrap_i64: push(b_.CreateTrunc(pop(), i32)); return true;
    case Op::i64_extend_i32_s: push(b_.CreateSExt(pop(), i64)); return true;
    case Op::i64_extend_i32_u: push(b_.CreateZExt(pop(), i64)); return true;
    case Op::i32_trunc_f32_s: case Op::i32_trunc_f64_s: push(truncate(pop(), true, i32, in.offset)); return true;
    case Op::i32_trunc_f32_u: case Op::i32_trunc_f64_u: push(truncate(pop(), false, i32, in.offset)); return true;
    case Op::i64_trunc_f32_s: case Op::i64_trunc_f64_s: push(truncate(pop(), true, i64, in.offset)); return true;
    case Op::i64_trunc_f32_u: case Op::i64_trunc_f64_u: push(truncate(pop(), false, i64, in.offset)); return true;
    case Op::i32_trunc_sat_f32_s: case Op::i32_trunc_sat_f64_s: sat(true, i32); return true;
    case Op::i32_trunc_sat_f32_u: case Op::i32_trunc_sat_f64_u: sat(false, i32); return true;
    case Op::i64_trunc_sat_f32_s: case Op::i64_trunc_sat_f64_s: sat(true, i64); return true;
    case Op::i64_trunc_sat_f32_u: case Op::i64_trunc_sat_f64_u: sat(false, i64); return true;
    case Op::f32_convert_i32_s: case Op::f32_convert_i64_s: push(b_.CreateSIToFP(pop(), f32)); return true;
    case Op::f32_convert_i32_u: case Op::f32_convert_i64_u: push(b_.CreateUIToFP(pop(), f32)); return true;
    case Op::f64_convert_i32_s: case Op::f64_convert_i64_s: push(b_.CreateSIToFP(pop(), f64)); return true;
    case Op::f64_convert_i32_u: case Op::f64_convert_i64_u: push(b_.CreateUIToFP(pop(), f64)); return true;
    // Opaque operands: LLVM folds demote(promote(x)) to x (a signalling NaN kept).
    case Op::f32_demote_f64: push(b_.CreateFPTrunc(opaque(pop()), f32)); return true;
    case Op::f64_promote_f32: push(b_.CreateFPExt(opaque(pop()), f64)); return true;
    case Op::i32_reinterpret_f32: push(b_.CreateBitCast(pop(), i32)); return true;
    case Op::i64_reinterpret_f64: push(b_.CreateBitCast(pop(), i64)); return true;
    case Op::f32_reinterpret_i32: push(b_.CreateBitCast(pop(), f32)); return true;
    case Op::f64_reinterpret_i64: push(b_.CreateBitCast(pop(), f64)); return true;
    default: return false;
  }
}

}  // namespace vivarium::engine::compiler
