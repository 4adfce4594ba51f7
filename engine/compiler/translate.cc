// Translation of one validated wasm function body to LLVM IR (design in
// translate.h). The operand stack is a vector of llvm::Value*; locals and the
// values carried by branches live in allocas, which LLVM's mem2reg/SROA turn
// into SSA registers and phis, so the translator never builds phis itself.
// Code after an unconditional branch is skipped up to the end of its block
// (it is unreachable, and the validator already typed it).
#include "engine/compiler/translate.h"

#include <cstddef>
#include <string>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "engine/binary/instr.h"
#include "engine/compiler/native_abi.h"
#include "engine/compiler/translate_ops.h"
#include "engine/compiler/translate_simd.h"

namespace vivarium::engine::compiler {

using vivarium::ErrorCode;
using vivarium::detail::GlobalInst;
using vivarium::detail::MemoryInst;

// Every validated body compiles (SIMD in engine/compiler/translate_simd.cc);
// only a body that no longer decodes is left to the interpreter.
bool can_compile(const ModuleIR& ir, uint32_t defined_index) {
  const FuncDef& fd = ir.funcs[defined_index];
  InstrReader rd(ir.span(fd.body), fd.body.begin);
  Instr in;
  while (!rd.at_end())
    if (!rd.read(in)) return false;
  return true;
}

bool elides_bounds_checks(const ModuleIR& ir) {
  if (ir.total_memories() == 0) return false;
  const Limits l = ir.memory_type(0).limits;
  return !l.has_max || l.max >= vivarium::detail::kMaxWasmPages;
}

llvm::Type* FuncTranslator::val_type(ValType t) {
  switch (t) {
    case ValType::I32: return b_.getInt32Ty();
    case ValType::F32: return b_.getFloatTy();
    case ValType::F64: return b_.getDoubleTy();
    case ValType::V128: return v128_type(b_.getContext());
    default: return b_.getInt64Ty();  // i64 and references (pointers as integers)
  }
}

llvm::FunctionType* ModuleTranslator::typed_sig(const FuncType& t) {
  llvm::IRBuilder<> b(ctx_);
  std::vector<llvm::Type*> params{b.getPtrTy()};
  for (ValType v : t.params) params.push_back(FuncTranslator::llvm_type(ctx_, v));
  llvm::Type* ret = b.getVoidTy();
  if (t.results.size() == 1) {
    ret = FuncTranslator::llvm_type(ctx_, t.results[0]);
  } else if (t.results.size() > 1) {
    std::vector<llvm::Type*> rs;
    for (ValType v : t.results) rs.push_back(FuncTranslator::llvm_type(ctx_, v));
    ret = llvm::StructType::get(ctx_, rs);
  }
  return llvm::FunctionType::get(ret, params, false);
}

llvm::Type* FuncTranslator::llvm_type(llvm::LLVMContext& c, ValType t) {
  switch (t) {
    case ValType::I32: return llvm::Type::getInt32Ty(c);
    case ValType::F32: return llvm::Type::getFloatTy(c);
    case ValType::F64: return llvm::Type::getDoubleTy(c);
    case ValType::V128: return v128_type(c);
    default: return llvm::Type::getInt64Ty(c);
  }
}

ModuleTranslator::ModuleTranslator(const ModuleIR& ir, const std::vector<uint32_t>& type_ids, llvm::LLVMContext& c)
    : ir_(ir), type_ids_(type_ids), ctx_(c), mod_(std::make_unique<llvm::Module>("wasm", c)),
      elide_bounds_(elides_bounds_checks(ir)) {
  llvm::MDBuilder mdb(c);
  llvm::MDNode* root = mdb.createTBAARoot("vivarium native");
  llvm::MDNode* memory = mdb.createTBAAScalarTypeNode("wasm linear memory", root);
  llvm::MDNode* runtime = mdb.createTBAAScalarTypeNode("runtime structures", root);
  tbaa_memory_ = mdb.createTBAAStructTagNode(memory, memory, 0);
  tbaa_runtime_ = mdb.createTBAAStructTagNode(runtime, runtime, 0);
  di_ = std::make_unique<llvm::DIBuilder>(*mod_);
  cu_ = di_->createCompileUnit(llvm::dwarf::DW_LANG_C, di_->createFile("wasm", ""), "vivarium", true, "", 0, "",
                               llvm::DICompileUnit::LineTablesOnly);
  mod_->addModuleFlag(llvm::Module::Warning, "Debug Info Version", llvm::DEBUG_METADATA_VERSION);
  mod_->addModuleFlag(llvm::Module::Warning, "Dwarf Version", 4);
}

llvm::DISubprogram* ModuleTranslator::subprogram(uint32_t func_index) {
  llvm::DIFile* file = di_->createFile(std::to_string(func_index), "");
  return di_->createFunction(file, "f" + std::to_string(func_index), "", file, 0,
                             di_->createSubroutineType(di_->getOrCreateTypeArray({})), 0, llvm::DINode::FlagZero,
                             llvm::DISubprogram::SPFlagDefinition | llvm::DISubprogram::SPFlagOptimized);
}

llvm::FunctionCallee ModuleTranslator::helper(const char* name, llvm::Type* ret, std::vector<llvm::Type*> params) {
  auto* ft = llvm::FunctionType::get(ret, params, false);
  llvm::FunctionCallee fc = mod_->getOrInsertFunction(name, ft);
  return fc;
}

TranslatedModule ModuleTranslator::run() {
  TranslatedModule out;
  out.compiled.assign(ir_.funcs.size(), 0);
  funcs_.assign(ir_.total_funcs(), nullptr);
  for (uint32_t i = 0; i < ir_.funcs.size(); ++i) {
    if (!can_compile(ir_, i)) continue;
    out.compiled[i] = 1;
    const uint32_t fi = ir_.num_imported_funcs + i;
    funcs_[fi] = llvm::Function::Create(typed_sig(ir_.func_type(fi)), llvm::GlobalValue::ExternalLinkage,
                                        "f" + std::to_string(i), *mod_);
  }
  for (uint32_t i = 0; i < ir_.funcs.size(); ++i) {
    if (!out.compiled[i]) continue;
    const uint32_t fi = ir_.num_imported_funcs + i;
    FuncTranslator ft(*this, fi, funcs_[fi]);
    ft.translate();
    make_entry(i);
  }
  di_->finalize();
  out.module = std::move(mod_);
  return out;
}

// entry<i>(ctx, args, results): slots -> typed call -> slots.
void ModuleTranslator::make_entry(uint32_t defined_index) {
  const uint32_t fi = ir_.num_imported_funcs + defined_index;
  const FuncType& t = ir_.func_type(fi);
  llvm::IRBuilder<> b(ctx_);
  auto* ft = llvm::FunctionType::get(b.getVoidTy(), {b.getPtrTy(), b.getPtrTy(), b.getPtrTy()}, false);
  auto* f = llvm::Function::Create(ft, llvm::GlobalValue::ExternalLinkage, "entry" + std::to_string(defined_index), *mod_);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "", f));
  // Entered from the runtime: the frame count check a compiled caller does.
  llvm::Value* depth = b.CreateLoad(b.getInt32Ty(), b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), f->getArg(0), offsetof(NativeCtx, depth)));
  llvm::Value* maxd = b.CreateLoad(b.getInt32Ty(), b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), f->getArg(0), offsetof(NativeCtx, max_depth)));
  auto* deep = llvm::BasicBlock::Create(ctx_, "deep", f);
  auto* go = llvm::BasicBlock::Create(ctx_, "", f);
  b.CreateCondBr(b.CreateICmpUGE(depth, maxd), deep, go);
  b.SetInsertPoint(deep);
  b.CreateCall(helper("viv_native_trap", b.getVoidTy(), {b.getPtrTy(), b.getInt32Ty(), b.getInt32Ty(), b.getInt64Ty()}),
               {f->getArg(0), b.getInt32(static_cast<uint32_t>(ErrorCode::CallStackExhausted)), b.getInt32(fi),
                b.getInt64(ir_.funcs[defined_index].body.begin)})
      ->setDoesNotReturn();
  b.CreateUnreachable();
  b.SetInsertPoint(go);
  std::vector<llvm::Value*> args{f->getArg(0)};
  for (size_t k = 0; k < t.params.size(); ++k)
    args.push_back(load_slot(b, f->getArg(1), slot_index(t.params, k), t.params[k]));
  llvm::Value* r = b.CreateCall(funcs_[fi], args);
  for (size_t k = 0; k < t.results.size(); ++k) {
    llvm::Value* v = t.results.size() == 1 ? r : b.CreateExtractValue(r, {static_cast<unsigned>(k)});
    store_slot(b, v, f->getArg(2), slot_index(t.results, k), t.results[k]);
  }
  b.CreateRetVoid();
}

llvm::Value* to_slot(llvm::IRBuilder<>& b, llvm::Value* v, ValType t) {
  switch (t) {
    case ValType::I32: return b.CreateZExt(v, b.getInt64Ty());
    case ValType::F32: return b.CreateZExt(b.CreateBitCast(v, b.getInt32Ty()), b.getInt64Ty());
    case ValType::F64: return b.CreateBitCast(v, b.getInt64Ty());
    default: return v;
  }
}

llvm::Value* from_slot(llvm::IRBuilder<>& b, llvm::Value* s, ValType t) {
  switch (t) {
    case ValType::I32: return b.CreateTrunc(s, b.getInt32Ty());
    case ValType::F32: return b.CreateBitCast(b.CreateTrunc(s, b.getInt32Ty()), b.getFloatTy());
    case ValType::F64: return b.CreateBitCast(s, b.getDoubleTy());
    default: return s;
  }
}

// ---------------------------------------------------------------------------

FuncTranslator::FuncTranslator(ModuleTranslator& m, uint32_t func_index, llvm::Function* f)
    : m_(m), ir_(m.ir()), b_(m.context()), f_(f), func_index_(func_index) {}

void FuncTranslator::translate() {
  const FuncDef& fd = ir_.funcs[func_index_ - ir_.num_imported_funcs];
  const FuncType& t = ir_.func_type(func_index_);
  auto* entry = llvm::BasicBlock::Create(m_.context(), "entry", f_);
  b_.SetInsertPoint(entry);
  ctx_ = f_->getArg(0);
  sp_ = m_.subprogram(func_index_);
  f_->setSubprogram(sp_);
  locate(fd.body.begin);
  // Locals: parameters, then declared locals zeroed.
  for (size_t k = 0; k < t.params.size(); ++k) {
    auto* a = b_.CreateAlloca(val_type(t.params[k]));
    b_.CreateStore(f_->getArg(static_cast<unsigned>(k + 1)), a);
    locals_.push_back({a, t.params[k]});
  }
  for (const auto& [n, vt] : fd.local_groups) {
    for (uint32_t k = 0; k < n; ++k) {
      auto* a = b_.CreateAlloca(val_type(vt));
      b_.CreateStore(llvm::Constant::getNullValue(val_type(vt)), a);
      locals_.push_back({a, vt});
    }
  }
  budget_ = b_.CreateAlloca(b_.getInt64Ty());
  reload_budget();
  if (ir_.total_memories() > 0) {
    mem_ = load_ptr(ctx_, offsetof(NativeCtx, mem));
    mem_base_ = load_ptr(mem_, offsetof(MemoryInst, base));
  }
  if (ir_.total_globals() > 0) globals_ = load_ptr(ctx_, offsetof(NativeCtx, globals));

  enter_checks(fd.body.begin);

  // The body is a block whose end returns.
  Ctrl body;
  body.kind = Ctrl::Block;
  body.results = t.results;
  body.end = llvm::BasicBlock::Create(m_.context(), "ret", f_);
  body.height = 0;
  for (ValType v : t.results) body.vars.push_back(alloca_at_entry(val_type(v)));
  body.result_vars = body.vars;
  ctrls_.push_back(body);

  InstrReader rd(ir_.span(fd.body), fd.body.begin);
  Instr in;
  while (!ctrls_.empty() && rd.read(in)) step(in);

  // The function's end block: results from the body's vars.
  b_.SetInsertPoint(body.end);
  store_depth(depth_);
  spill_budget();
  if (t.results.empty()) {
    b_.CreateRetVoid();
  } else if (t.results.size() == 1) {
    b_.CreateRet(b_.CreateLoad(val_type(t.results[0]), body.vars[0]));
  } else {
    llvm::Value* agg = llvm::UndefValue::get(f_->getReturnType());
    for (size_t k = 0; k < t.results.size(); ++k) {
      agg = b_.CreateInsertValue(agg, b_.CreateLoad(val_type(t.results[k]), body.vars[k]), {static_cast<unsigned>(k)});
    }
    b_.CreateRet(agg);
  }
}

void FuncTranslator::locate(uint64_t offset) {
  b_.SetCurrentDebugLocation(llvm::DILocation::get(m_.context(), static_cast<unsigned>(offset), 0, sp_));
}

// x86 folds a load into the instruction that uses it (add, compare,
// extension, ...): that instruction then faults, so it takes the load's
// location. With two loaded operands the folded one is usually the second.
// The loads that can fault are the volatile ones (guard-page checked).
void locate_folded_loads(llvm::Module& m) {
  for (llvm::Function& f : m) {
    for (llvm::BasicBlock& bb : f) {
      for (llvm::Instruction& i : bb) {
        if (llvm::isa<llvm::LoadInst>(i) || llvm::isa<llvm::StoreInst>(i) || llvm::isa<llvm::CallBase>(i)) continue;
        for (llvm::Value* op : i.operands()) {
          auto* l = llvm::dyn_cast<llvm::LoadInst>(op);
          if (l && l->isVolatile() && l->getDebugLoc()) i.setDebugLoc(l->getDebugLoc());
        }
      }
    }
  }
}

llvm::AllocaInst* FuncTranslator::alloca_at_entry(llvm::Type* t) {
  llvm::IRBuilder<> eb(&f_->getEntryBlock(), f_->getEntryBlock().begin());
  return eb.CreateAlloca(t);
}

llvm::Value* FuncTranslator::field_ptr(llvm::Value* base, size_t offset) {
  return b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), base, offset);
}
llvm::LoadInst* FuncTranslator::load_runtime(llvm::Type* t, llvm::Value* base, size_t offset, bool invariant) {
  llvm::LoadInst* l = b_.CreateLoad(t, field_ptr(base, offset));
  l->setMetadata(llvm::LLVMContext::MD_tbaa, m_.tbaa_runtime());
  if (invariant) l->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(m_.context(), {}));
  return l;
}
llvm::StoreInst* FuncTranslator::store_runtime(llvm::Value* v, llvm::Value* base, size_t offset) {
  llvm::StoreInst* st = b_.CreateStore(v, field_ptr(base, offset));
  st->setMetadata(llvm::LLVMContext::MD_tbaa, m_.tbaa_runtime());
  return st;
}
// The pointers compiled code reads from its context (memory, globals, a
// memory's base: never moved, engine/memory/linear_memory.h) are fixed for
// the whole activation.
llvm::Value* FuncTranslator::load_ptr(llvm::Value* base, size_t offset) {
  return load_runtime(b_.getPtrTy(), base, offset, true);
}

void FuncTranslator::store_depth(llvm::Value* v) {
  if (v) store_runtime(v, ctx_, offsetof(NativeCtx, depth));
}

void FuncTranslator::spill_budget() {
  store_runtime(b_.CreateLoad(b_.getInt64Ty(), budget_), ctx_, offsetof(NativeCtx, budget));
}
void FuncTranslator::reload_budget() {
  b_.CreateStore(load_runtime(b_.getInt64Ty(), ctx_, offsetof(NativeCtx, budget)), budget_);
}

// Function entry: wasm frame depth, native stack, metering (the interpreter
// checks the same three at each call).
// The frame count is checked by the caller (check_depth), where the
// interpreter reports it: at the call instruction.
// The stack pointer is read as a register (llvm.frameaddress would force a
// frame pointer on every function).
void FuncTranslator::enter_checks(uint64_t offset) {
  llvm::Value* d = b_.CreateAdd(load_runtime(b_.getInt32Ty(), ctx_, offsetof(NativeCtx, depth)), b_.getInt32(1));
  llvm::Function* rr = llvm::Intrinsic::getDeclaration(&m_.module(), llvm::Intrinsic::read_register, {b_.getInt64Ty()});
  llvm::Metadata* rsp = llvm::MDString::get(m_.context(), "rsp");
  llvm::Value* sp = b_.CreateCall(rr, {llvm::MetadataAsValue::get(m_.context(), llvm::MDNode::get(m_.context(), rsp))});
  llvm::Value* lim = load_runtime(b_.getInt64Ty(), ctx_, offsetof(NativeCtx, stack_limit), true);
  trap_if(b_.CreateICmpULT(sp, lim), ErrorCode::CallStackExhausted, offset);
  store_depth(d);
  depth_ = b_.CreateSub(d, b_.getInt32(1));
  meter(offset);
}

void FuncTranslator::check_depth(uint64_t offset) {
  llvm::Value* d = load_runtime(b_.getInt32Ty(), ctx_, offsetof(NativeCtx, depth));
  llvm::Value* maxd = load_runtime(b_.getInt32Ty(), ctx_, offsetof(NativeCtx, max_depth), true);
  trap_if(b_.CreateICmpUGE(d, maxd), ErrorCode::CallStackExhausted, offset);
}

void FuncTranslator::meter(uint64_t offset) {
  llvm::Value* nb = b_.CreateSub(b_.CreateLoad(b_.getInt64Ty(), budget_), b_.getInt64(1));
  b_.CreateStore(nb, budget_);
  auto* slow = llvm::BasicBlock::Create(m_.context(), "meter", f_);
  auto* cont = llvm::BasicBlock::Create(m_.context(), "", f_);
  b_.CreateCondBr(b_.CreateICmpSLT(nb, b_.getInt64(0)), slow, cont, cold_weights());
  b_.SetInsertPoint(slow);
  spill_budget();
  b_.CreateCall(m_.helper("viv_native_check", b_.getVoidTy(), {b_.getPtrTy(), b_.getInt32Ty(), b_.getInt64Ty()}),
                {ctx_, b_.getInt32(func_index_), b_.getInt64(offset)});
  reload_budget();
  b_.CreateBr(cont);
  b_.SetInsertPoint(cont);
}

llvm::MDNode* FuncTranslator::cold_weights() {
  return llvm::MDBuilder(m_.context()).createBranchWeights(1, 1 << 20);
}

void FuncTranslator::trap_if(llvm::Value* cond, ErrorCode code, uint64_t offset) {
  auto* bad = llvm::BasicBlock::Create(m_.context(), "trap", f_);
  auto* cont = llvm::BasicBlock::Create(m_.context(), "", f_);
  b_.CreateCondBr(cond, bad, cont, cold_weights());
  b_.SetInsertPoint(bad);
  emit_trap(code, offset);
  b_.SetInsertPoint(cont);
}

void FuncTranslator::emit_trap(ErrorCode code, uint64_t offset) {
  auto fc = m_.helper("viv_native_trap", b_.getVoidTy(), {b_.getPtrTy(), b_.getInt32Ty(), b_.getInt32Ty(), b_.getInt64Ty()});
  if (budget_) spill_budget();  // the unspent fuel goes back to the store
  auto* call = b_.CreateCall(fc, {ctx_, b_.getInt32(static_cast<uint32_t>(code)), b_.getInt32(func_index_),
                                  b_.getInt64(offset)});
  call->setDoesNotReturn();
  b_.CreateUnreachable();
}

llvm::Value* FuncTranslator::pop() {
  llvm::Value* v = stack_.back();
  stack_.pop_back();
  return v;
}

std::vector<llvm::Value*> FuncTranslator::pop_n(size_t n) {
  std::vector<llvm::Value*> v(stack_.end() - static_cast<ptrdiff_t>(n), stack_.end());
  stack_.resize(stack_.size() - n);
  return v;
}

void FuncTranslator::block_sig(const BlockType& bt, std::vector<ValType>& params, std::vector<ValType>& results) {
  params.clear();
  results.clear();
  if (bt.kind == BlockType::Value) results.push_back(bt.value);
  if (bt.kind == BlockType::TypeIndex) {
    params = ir_.types[bt.type_index].params;
    results = ir_.types[bt.type_index].results;
  }
}

// Stores the top values for a branch to `c` (without popping them).
void FuncTranslator::store_branch_values(const Ctrl& c) {
  const size_t n = c.vars.size();
  for (size_t k = 0; k < n; ++k) b_.CreateStore(stack_[stack_.size() - n + k], c.vars[k]);
}

llvm::BasicBlock* FuncTranslator::branch_target(const Ctrl& c) { return c.kind == Ctrl::Loop ? c.header : c.end; }

void FuncTranslator::push_vars(const Ctrl& c, const std::vector<ValType>& types) {
  for (size_t k = 0; k < types.size(); ++k) stack_.push_back(b_.CreateLoad(val_type(types[k]), c.vars[k]));
}

void FuncTranslator::set_unreachable() {
  ctrls_.back().unreachable = true;
  skip_ = 0;
}

// One instruction. While the innermost block is unreachable only its nesting
// is tracked, to find its `else` or `end`.
void FuncTranslator::step(const Instr& in) {
  locate(in.offset);
  if (ctrls_.back().unreachable) {
    switch (in.op) {
      case Op::block:
      case Op::loop:
      case Op::if_: ++skip_; return;
      case Op::else_:
        if (skip_ == 0) break;
        return;
      case Op::end:
        if (skip_ == 0) break;
        --skip_;
        return;
      default: return;
    }
  }
  if (control(in)) return;
  if (memory_op(in)) return;
  if (call_op(in)) return;
  if (table_op(in)) return;
  if (info(in.op).prefix == 0xFD) return SimdTranslator(*this).translate(in);
  numeric(in);
}

bool FuncTranslator::control(const Instr& in) {
  llvm::LLVMContext& c = m_.context();
  switch (in.op) {
    case Op::nop: return true;
    case Op::unreachable:
      emit_trap(ErrorCode::Unreachable, in.offset);
      set_unreachable();
      return true;
    case Op::block:
    case Op::loop: {
      Ctrl k;
      k.kind = in.op == Op::block ? Ctrl::Block : Ctrl::Loop;
      block_sig(in.block, k.params, k.results);
      k.height = stack_.size() - k.params.size();
      k.end = llvm::BasicBlock::Create(c, "end", f_);
      for (ValType v : k.results) k.result_vars.push_back(alloca_at_entry(val_type(v)));
      if (k.kind == Ctrl::Loop) {
        for (ValType v : k.params) k.vars.push_back(alloca_at_entry(val_type(v)));
        k.header = llvm::BasicBlock::Create(c, "loop", f_);
        store_branch_values(k);
        pop_n(k.params.size());
        b_.CreateBr(k.header);
        b_.SetInsertPoint(k.header);
        meter(in.offset);
        push_vars(k, k.params);
      } else {
        k.vars = k.result_vars;
      }
      ctrls_.push_back(std::move(k));
      return true;
    }
    case Op::if_: {
      llvm::Value* cond = b_.CreateICmpNE(pop(), b_.getInt32(0));
      Ctrl k;
      k.kind = Ctrl::If;
      block_sig(in.block, k.params, k.results);
      k.height = stack_.size() - k.params.size();
      k.if_params.assign(stack_.end() - static_cast<ptrdiff_t>(k.params.size()), stack_.end());
      k.end = llvm::BasicBlock::Create(c, "endif", f_);
      k.else_bb = llvm::BasicBlock::Create(c, "else", f_);
      for (ValType v : k.results) k.result_vars.push_back(alloca_at_entry(val_type(v)));
      k.vars = k.result_vars;
      auto* then_bb = llvm::BasicBlock::Create(c, "then", f_);
      b_.CreateCondBr(cond, then_bb, k.else_bb);
      b_.SetInsertPoint(then_bb);
      ctrls_.push_back(std::move(k));
      return true;
    }
    case Op::else_: {
      Ctrl& k = ctrls_.back();
      if (!k.unreachable) {
        store_branch_values(k);
        b_.CreateBr(k.end);
      }
      stack_.resize(k.height);
      b_.SetInsertPoint(k.else_bb);
      for (llvm::Value* v : k.if_params) stack_.push_back(v);
      k.else_bb = nullptr;
      k.unreachable = false;
      return true;
    }
    case Op::end: {
      Ctrl k = std::move(ctrls_.back());
      ctrls_.pop_back();
      if (!k.unreachable) {
        for (size_t n = 0; n < k.results.size(); ++n)
          b_.CreateStore(stack_[stack_.size() - k.results.size() + n], k.result_vars[n]);
        b_.CreateBr(k.end);
      }
      if (k.else_bb) {  // an `if` without `else`: its parameters pass through
        b_.SetInsertPoint(k.else_bb);
        for (size_t n = 0; n < k.if_params.size(); ++n) b_.CreateStore(k.if_params[n], k.result_vars[n]);
        b_.CreateBr(k.end);
      }
      stack_.resize(k.height);
      if (ctrls_.empty()) return true;  // the body: translate() emits the return
      b_.SetInsertPoint(k.end);
      push_vars_of(k.result_vars, k.results);
      return true;
    }
    case Op::br: {
      const Ctrl& k = ctrls_[ctrls_.size() - 1 - in.index];
      store_branch_values(k);
      b_.CreateBr(branch_target(k));
      set_unreachable();
      return true;
    }
    case Op::br_if: {
      llvm::Value* cond = b_.CreateICmpNE(pop(), b_.getInt32(0));
      const Ctrl& k = ctrls_[ctrls_.size() - 1 - in.index];
      store_branch_values(k);
      auto* cont = llvm::BasicBlock::Create(c, "", f_);
      b_.CreateCondBr(cond, branch_target(k), cont);
      b_.SetInsertPoint(cont);
      return true;
    }
    case Op::br_table: {
      llvm::Value* idx = pop();
      const size_t n = in.br_targets.size() - 1;
      // Every target's values first (each label once), then the switch.
      std::vector<uint8_t> stored(ctrls_.size(), 0);
      for (uint32_t depth : in.br_targets) {
        const size_t at = ctrls_.size() - 1 - depth;
        if (!stored[at]) store_branch_values(ctrls_[at]);
        stored[at] = 1;
      }
      auto* sw = b_.CreateSwitch(idx, branch_target(ctrls_[ctrls_.size() - 1 - in.br_targets[n]]),
                                 static_cast<unsigned>(n));
      for (size_t i = 0; i < n; ++i) {
        sw->addCase(b_.getInt32(static_cast<uint32_t>(i)), branch_target(ctrls_[ctrls_.size() - 1 - in.br_targets[i]]));
      }
      set_unreachable();
      return true;
    }
    case Op::return_: {
      const Ctrl& k = ctrls_.front();
      store_branch_values(k);
      b_.CreateBr(k.end);
      set_unreachable();
      return true;
    }
    case Op::drop: pop(); return true;
    case Op::select:
    case Op::select_t: {
      llvm::Value* cond = b_.CreateICmpNE(pop(), b_.getInt32(0));
      llvm::Value* v2 = pop();
      llvm::Value* v1 = pop();
      stack_.push_back(b_.CreateSelect(cond, v1, v2));
      return true;
    }
    case Op::local_get: {
      const Local& l = locals_[in.index];
      stack_.push_back(b_.CreateLoad(val_type(l.type), l.slot));
      return true;
    }
    case Op::local_set: b_.CreateStore(pop(), locals_[in.index].slot); return true;
    case Op::local_tee: b_.CreateStore(stack_.back(), locals_[in.index].slot); return true;
    case Op::global_get:
    case Op::global_set: {
      // The value itself carries no alias tag: tagged apart from guest
      // memory, LLVM moved a global.set after a later guest load, so a
      // guard-page trap left the global unset (the differential fuzzer).
      llvm::Value* g = load_ptr(globals_, in.index * sizeof(GlobalInst*));
      llvm::Value* slot = field_ptr(g, offsetof(GlobalInst, slots));
      const ValType t = ir_.global_type(in.index).type;
      if (in.op == Op::global_get) {
        stack_.push_back(load_slot(b_, slot, 0, t));
      } else {
        store_slot(b_, pop(), slot, 0, t);
      }
      return true;
    }
    default: return false;
  }
}

void FuncTranslator::push_vars_of(const std::vector<llvm::AllocaInst*>& vars, const std::vector<ValType>& types) {
  for (size_t k = 0; k < types.size(); ++k) stack_.push_back(b_.CreateLoad(val_type(types[k]), vars[k]));
}

}  // namespace vivarium::engine::compiler

namespace vivarium::engine::compiler {

TranslatedModule translate_module(const ModuleIR& ir, const std::vector<uint32_t>& type_ids, llvm::LLVMContext& c) {
  ModuleTranslator t(ir, type_ids, c);
  return t.run();
}

}  // namespace vivarium::engine::compiler
