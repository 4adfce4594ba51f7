// The translator's classes (engine/compiler/translate.h is the interface):
// ModuleTranslator owns the LLVM module and the per-function declarations;
// FuncTranslator turns one body into IR, its instruction groups split over
// translate.cc (control, locals, globals) and translate_ops.cc (memory,
// calls, tables, numeric).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>

#include "engine/binary/instr.h"
#include "engine/compiler/translate.h"
#include "vivarium/error.h"

namespace vivarium::engine::compiler {

// Slot layout (RawSlot) <-> an LLVM value of wasm type t.
llvm::Value* to_slot(llvm::IRBuilder<>& b, llvm::Value* v, ValType t);
llvm::Value* from_slot(llvm::IRBuilder<>& b, llvm::Value* s, ValType t);

class ModuleTranslator {
 public:
  ModuleTranslator(const ModuleIR& ir, const std::vector<uint32_t>& type_ids, llvm::LLVMContext& c);
  TranslatedModule run();

  const ModuleIR& ir() const { return ir_; }
  llvm::LLVMContext& context() { return ctx_; }
  llvm::Module& module() { return *mod_; }
  uint32_t type_id(uint32_t type_index) const { return type_ids_[type_index]; }
  // The compiled function `func_index` of this module, or nullptr.
  llvm::Function* func(uint32_t func_index) const { return funcs_[func_index]; }
  llvm::FunctionType* typed_sig(const FuncType& t);
  llvm::FunctionCallee helper(const char* name, llvm::Type* ret, std::vector<llvm::Type*> params);
  bool elide_bounds() const { return elide_bounds_; }
  // Type-based alias tags: wasm linear memory never aliases the runtime's
  // structures (NativeCtx, GlobalInst, MemoryInst), so LLVM may keep the
  // metering counter, globals and the memory size in registers across guest
  // stores and move guest loads across runtime stores.
  llvm::MDNode* tbaa_memory() const { return tbaa_memory_; }
  llvm::MDNode* tbaa_runtime() const { return tbaa_runtime_; }
  // Line-table debug info maps machine code back to wasm: each function's
  // instructions carry line = their wasm offset, in a file named by the
  // function index (inlined code keeps its own function), so a guard-page
  // fault reports the same function and offset as the interpreter
  // (Jit::trap_site reads the table).
  llvm::DISubprogram* subprogram(uint32_t func_index);

 private:
  void make_entry(uint32_t defined_index);

  const ModuleIR& ir_;
  const std::vector<uint32_t>& type_ids_;
  llvm::LLVMContext& ctx_;
  std::unique_ptr<llvm::Module> mod_;
  std::vector<llvm::Function*> funcs_;  // per function index
  bool elide_bounds_;                    // elides_bounds_checks(ir_)
  llvm::MDNode* tbaa_memory_ = nullptr;
  llvm::MDNode* tbaa_runtime_ = nullptr;
  std::unique_ptr<llvm::DIBuilder> di_;
  llvm::DICompileUnit* cu_ = nullptr;
};

class FuncTranslator {
  friend class SimdTranslator;  // engine/compiler/translate_simd.h

 public:
  FuncTranslator(ModuleTranslator& m, uint32_t func_index, llvm::Function* f);
  void translate();
  static llvm::Type* llvm_type(llvm::LLVMContext& c, ValType t);

 private:
  struct Local {
    llvm::AllocaInst* slot;
    ValType type;
  };
  struct Ctrl {
    enum Kind { Block, Loop, If } kind = Block;
    std::vector<ValType> params, results;
    std::vector<llvm::AllocaInst*> vars;         // what a branch to this label stores (loop: params)
    std::vector<llvm::AllocaInst*> result_vars;  // what falling off the end stores
    std::vector<llvm::Value*> if_params;         // If: the parameters, for the else arm
    llvm::BasicBlock* header = nullptr;          // Loop
    llvm::BasicBlock* end = nullptr;
    llvm::BasicBlock* else_bb = nullptr;         // If until its `else`
    size_t height = 0;                           // operand stack below the block's params
    bool unreachable = false;
  };

  llvm::Type* val_type(ValType t);
  void step(const Instr& in);
  bool control(const Instr& in);
  bool memory_op(const Instr& in);
  bool call_op(const Instr& in);
  bool table_op(const Instr& in);
  void numeric(const Instr& in);
  bool compare(const Instr& in);
  bool convert(const Instr& in);
  bool int_arith(const Instr& in);
  bool float_arith(const Instr& in);

  llvm::Value* pop();
  std::vector<llvm::Value*> pop_n(size_t n);
  void push(llvm::Value* v) { stack_.push_back(v); }
  void block_sig(const BlockType& bt, std::vector<ValType>& params, std::vector<ValType>& results);
  void store_branch_values(const Ctrl& c);
  llvm::BasicBlock* branch_target(const Ctrl& c);
  void push_vars(const Ctrl& c, const std::vector<ValType>& types);
  void push_vars_of(const std::vector<llvm::AllocaInst*>& vars, const std::vector<ValType>& types);
  void set_unreachable();
  llvm::AllocaInst* alloca_at_entry(llvm::Type* t);
  llvm::Value* field_ptr(llvm::Value* base, size_t offset);
  // Loads of runtime structures: `invariant` ones never change during an
  // activation (ctx->mem, ctx->globals, a memory's base), so LLVM may hoist
  // and merge them freely.
  llvm::LoadInst* load_runtime(llvm::Type* t, llvm::Value* base, size_t offset, bool invariant = false);
  llvm::Value* load_ptr(llvm::Value* base, size_t offset);
  llvm::StoreInst* store_runtime(llvm::Value* v, llvm::Value* base, size_t offset);
  // The metering counter lives in budget_ (a register after mem2reg) and is
  // written back to ctx->budget around calls and traps, where others read it.
  void spill_budget();
  void reload_budget();

  void store_depth(llvm::Value* v);
  void enter_checks(uint64_t offset);
  void check_depth(uint64_t offset);
  void meter(uint64_t offset);
  llvm::MDNode* cold_weights();
  void trap_if(llvm::Value* cond, vivarium::ErrorCode code, uint64_t offset);
  void emit_trap(vivarium::ErrorCode code, uint64_t offset);
  void locate(uint64_t offset);
  // Effective address of a memory access of `bytes` bytes, bounds-checked.
  llvm::Value* address(llvm::Value* index, uint64_t static_offset, uint32_t bytes, uint64_t offset);
  // Calls through the slot convention: args popped, results pushed.
  void call_slots(const FuncType& t, llvm::FunctionCallee fn, std::vector<llvm::Value*> lead, uint64_t offset);
  void call_typed(llvm::FunctionType* ft, llvm::Value* callee, const FuncType& t, uint64_t offset);
  llvm::Value* intrinsic(llvm::Intrinsic::ID id, std::vector<llvm::Value*> args);
  llvm::Value* call_helper(const char* name, llvm::Type* ret, std::vector<llvm::Value*> args);
  llvm::Value* opaque_if_constant(llvm::Value* v);
  llvm::Value* opaque(llvm::Value* v);  // the same value, hidden from the optimizer
  llvm::Value* truncate(llvm::Value* v, bool is_signed, llvm::Type* to, uint64_t offset);

  ModuleTranslator& m_;
  const ModuleIR& ir_;
  llvm::IRBuilder<> b_;
  llvm::Function* f_;
  uint32_t func_index_;
  llvm::Value* ctx_ = nullptr;
  llvm::DISubprogram* sp_ = nullptr;
  llvm::Value* mem_ = nullptr;       // MemoryInst* of memory 0
  llvm::Value* mem_base_ = nullptr;  // its base (never moves)
  llvm::Value* globals_ = nullptr;   // GlobalInst**
  llvm::Value* depth_ = nullptr;     // ctx->depth on entry, restored on return
  llvm::AllocaInst* budget_ = nullptr;  // ctx->budget while in this function
  std::vector<Local> locals_;
  std::vector<llvm::Value*> stack_;
  std::vector<Ctrl> ctrls_;
  uint32_t skip_ = 0;  // nesting inside unreachable code
  uint64_t cur_offset_ = 0;
};

}  // namespace vivarium::engine::compiler
