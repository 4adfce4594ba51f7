// WebAssembly SIMD (the 0xFD-prefixed instructions of Wasm 2.0) -> LLVM IR.
// A v128 is an LLVM <2 x i64> on the operand stack, in locals and in typed
// signatures; each instruction bitcasts it to its lane shape (<16 x i8>,
// <8 x i16>, <4 x i32>, <2 x i64>, <4 x float>, <2 x double>) and back, which
// costs nothing in machine code. In the runtime's slot layout a v128 takes two
// consecutive 8-byte slots (engine/api/value_slots.h), so calls between tiers,
// entries and globals go through slot_index/load_slot/store_slot.
// Semantics follow the interpreter's (engine/interp/simd/*.h), op for op.
#pragma once
#include <cstddef>
#include <span>
#include <vector>

#include <llvm/IR/IRBuilder.h>

#include "engine/binary/instr.h"

namespace vivarium::engine::compiler {

class FuncTranslator;

// The LLVM type of a v128 value.
llvm::FixedVectorType* v128_type(llvm::LLVMContext& c);

// Slot layout: the first slot of value `k` of `types`, and the slots they take.
size_t slot_index(const std::vector<ValType>& types, size_t k);
size_t slot_total(const std::vector<ValType>& types);
// A value of wasm type t at slot `index` of the 8-byte slot array `slots`.
llvm::Value* load_slot(llvm::IRBuilder<>& b, llvm::Value* slots, size_t index, ValType t);
void store_slot(llvm::IRBuilder<>& b, llvm::Value* v, llvm::Value* slots, size_t index, ValType t);

// Translates one 0xFD-prefixed instruction of `f` (operands popped, result pushed).
class SimdTranslator {
 public:
  explicit SimdTranslator(FuncTranslator& f);
  void translate(const Instr& in);

 private:
  enum Shape { I8, I16, I32, I64, F32, F64 };
  // Table rows: an op of one shape that is one LLVM instruction or intrinsic.
  struct BinOp {
    Op op;
    Shape s;
    llvm::Instruction::BinaryOps bo;
  };
  struct IntrOp {
    Op op;
    Shape s;
    llvm::Intrinsic::ID id;
  };
  // The row of `in` applied to `arity` operands (binary: hide_constants as
  // FuncTranslator::opaque_if_constant); false when `in` has no row.
  bool binary(const Instr& in, std::span<const BinOp> rows, bool hide_constants);
  bool intrinsic(const Instr& in, std::span<const IntrOp> rows, int arity);
  llvm::FixedVectorType* vec(Shape s);
  llvm::Type* lane(Shape s);
  llvm::Value* as(llvm::Value* v, Shape s);   // bitcast a v128 to a shape
  llvm::Value* pop_as(Shape s);
  void push_v(llvm::Value* v);                // any 128-bit vector, pushed as a v128
  llvm::Value* splat(llvm::Value* scalar, Shape s);
  llvm::Value* half(llvm::Value* v, bool high); // the low or high half of the lanes
  llvm::Value* widen(llvm::Value* v, Shape s, bool high, bool is_signed);
  llvm::Value* call(llvm::Intrinsic::ID id, llvm::Type* overload, std::vector<llvm::Value*> args);

  bool memory(const Instr& in);
  bool lanes(const Instr& in);
  bool compare(const Instr& in);
  bool int_arith(const Instr& in);
  bool int_widening(const Instr& in);
  bool float_arith(const Instr& in);
  bool convert(const Instr& in);
  bool reduce(const Instr& in);

  FuncTranslator& f_;
  llvm::IRBuilder<>& b_;
};

}  // namespace vivarium::engine::compiler
