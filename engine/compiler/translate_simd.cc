// SIMD instructions -> LLVM vector IR (design in translate_simd.h). Mostly
// target-independent IR that LLVM's x86 backend selects single instructions
// for (saturating arithmetic, pavg, pmaddwd, pmovmskb, ptest...); the only
// x86 intrinsic is pshufb for swizzle, whose out-of-range rule generic IR
// cannot state cheaply. The JIT targets the host CPU, so it is there.
#include "engine/compiler/translate_simd.h"

#include <cstdint>
#include <cstring>

#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsX86.h>

#include "engine/compiler/translate_ops.h"

namespace vivarium::engine::compiler {

using vivarium::ErrorCode;

llvm::FixedVectorType* v128_type(llvm::LLVMContext& c) {
  return llvm::FixedVectorType::get(llvm::Type::getInt64Ty(c), 2);
}

size_t slot_index(const std::vector<ValType>& types, size_t k) {
  size_t s = 0;
  for (size_t i = 0; i < k; ++i) s += types[i] == ValType::V128 ? 2 : 1;
  return s;
}

size_t slot_total(const std::vector<ValType>& types) { return slot_index(types, types.size()); }

llvm::Value* load_slot(llvm::IRBuilder<>& b, llvm::Value* slots, size_t index, ValType t) {
  llvm::Value* p = b.CreateConstGEP1_64(b.getInt64Ty(), slots, index);
  if (t == ValType::V128) return b.CreateAlignedLoad(v128_type(b.getContext()), p, llvm::MaybeAlign(8));
  return from_slot(b, b.CreateLoad(b.getInt64Ty(), p), t);
}

void store_slot(llvm::IRBuilder<>& b, llvm::Value* v, llvm::Value* slots, size_t index, ValType t) {
  llvm::Value* p = b.CreateConstGEP1_64(b.getInt64Ty(), slots, index);
  if (t == ValType::V128) {
    b.CreateAlignedStore(v, p, llvm::MaybeAlign(8));
  } else {
    b.CreateStore(to_slot(b, v, t), p);
  }
}

SimdTranslator::SimdTranslator(FuncTranslator& f) : f_(f), b_(f.b_) {}

llvm::Type* SimdTranslator::lane(Shape s) {
  switch (s) {
    case I8: return b_.getInt8Ty();
    case I16: return b_.getInt16Ty();
    case I32: return b_.getInt32Ty();
    case I64: return b_.getInt64Ty();
    case F32: return b_.getFloatTy();
    default: return b_.getDoubleTy();
  }
}

llvm::FixedVectorType* SimdTranslator::vec(Shape s) {
  static constexpr unsigned kLanes[] = {16, 8, 4, 2, 4, 2};
  return llvm::FixedVectorType::get(lane(s), kLanes[s]);
}

llvm::Value* SimdTranslator::as(llvm::Value* v, Shape s) { return b_.CreateBitCast(v, vec(s)); }
llvm::Value* SimdTranslator::pop_as(Shape s) { return as(f_.pop(), s); }
void SimdTranslator::push_v(llvm::Value* v) { f_.push(b_.CreateBitCast(v, v128_type(b_.getContext()))); }

llvm::Value* SimdTranslator::splat(llvm::Value* scalar, Shape s) {
  if (scalar->getType() != lane(s)) scalar = b_.CreateTrunc(scalar, lane(s));
  return b_.CreateVectorSplat(vec(s)->getNumElements(), scalar);
}

llvm::Value* SimdTranslator::half(llvm::Value* v, bool high) {
  const int n = static_cast<int>(llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements()) / 2;
  std::vector<int> mask;
  for (int i = 0; i < n; ++i) mask.push_back(high ? n + i : i);
  return b_.CreateShuffleVector(v, mask);
}

// Half the lanes of `v` (shape s), each extended to twice its width.
llvm::Value* SimdTranslator::widen(llvm::Value* v, Shape s, bool high, bool is_signed) {
  llvm::Value* h = half(as(v, s), high);
  auto* to = llvm::FixedVectorType::get(b_.getIntNTy(lane(s)->getIntegerBitWidth() * 2), vec(s)->getNumElements() / 2);
  return is_signed ? b_.CreateSExt(h, to) : b_.CreateZExt(h, to);
}

llvm::Value* SimdTranslator::call(llvm::Intrinsic::ID id, llvm::Type* overload, std::vector<llvm::Value*> args) {
  llvm::Function* fn = llvm::Intrinsic::getDeclaration(&f_.m_.module(), id,
                                                       overload ? std::vector<llvm::Type*>{overload} : std::vector<llvm::Type*>{});
  return b_.CreateCall(fn, args);
}

bool SimdTranslator::binary(const Instr& in, std::span<const BinOp> rows, bool hide_constants) {
  for (const BinOp& c : rows) {
    if (c.op != in.op) continue;
    llvm::Value* y = pop_as(c.s);
    llvm::Value* x = pop_as(c.s);
    if (hide_constants) {
      y = f_.opaque_if_constant(y);
      x = f_.opaque_if_constant(x);
    }
    push_v(b_.CreateBinOp(c.bo, x, y));
    return true;
  }
  return false;
}

bool SimdTranslator::intrinsic(const Instr& in, std::span<const IntrOp> rows, int arity) {
  for (const IntrOp& c : rows) {
    if (c.op != in.op) continue;
    std::vector<llvm::Value*> args(static_cast<size_t>(arity));
    for (int k = arity - 1; k >= 0; --k) args[static_cast<size_t>(k)] = pop_as(c.s);
    push_v(call(c.id, vec(c.s), args));
    return true;
  }
  return false;
}

void SimdTranslator::translate(const Instr& in) {
  if (memory(in) || lanes(in) || compare(in) || int_arith(in) || int_widening(in) || float_arith(in) ||
      convert(in) || reduce(in)) {
    return;
  }
  // can_compile() admits every op of the table; one missing here is a bug.
  f_.emit_trap(ErrorCode::Internal, in.offset);
  f_.set_unreachable();
}

// ---- memory -------------------------------------------------------------------
// Bounds as for scalar accesses (FuncTranslator::memory_op): an access the
// guard pages check is volatile, so the optimizer neither drops one that must
// trap nor reorders it with the accesses around it; all carry guest-memory TBAA.
bool SimdTranslator::memory(const Instr& in) {
  const bool is_check = f_.m_.elide_bounds() && in.mem.offset < (uint64_t{1} << 31);
  auto addr = [&](llvm::Value* index, uint32_t bytes) { return f_.address(index, in.mem.offset, bytes, in.offset); };
  auto load = [&](llvm::Type* t, llvm::Value* p) {
    llvm::LoadInst* l = b_.CreateAlignedLoad(t, p, llvm::MaybeAlign(1), is_check);
    l->setMetadata(llvm::LLVMContext::MD_tbaa, f_.m_.tbaa_memory());
    return l;
  };
  auto store = [&](llvm::Value* v, llvm::Value* p) {
    b_.CreateAlignedStore(v, p, llvm::MaybeAlign(1), is_check)->setMetadata(llvm::LLVMContext::MD_tbaa, f_.m_.tbaa_memory());
  };
  struct Extend {
    Op op;
    Shape from;
    bool is_signed;
  };
  static constexpr Extend kExtends[] = {
      {Op::v128_load8x8_s, I8, true},   {Op::v128_load8x8_u, I8, false},  {Op::v128_load16x4_s, I16, true},
      {Op::v128_load16x4_u, I16, false}, {Op::v128_load32x2_s, I32, true}, {Op::v128_load32x2_u, I32, false},
  };
  for (const Extend& e : kExtends) {
    if (e.op != in.op) continue;
    const unsigned n = vec(e.from)->getNumElements() / 2;
    llvm::Value* v = load(llvm::FixedVectorType::get(lane(e.from), n), addr(f_.pop(), 8));
    auto* to = llvm::FixedVectorType::get(b_.getIntNTy(lane(e.from)->getIntegerBitWidth() * 2), n);
    push_v(e.is_signed ? b_.CreateSExt(v, to) : b_.CreateZExt(v, to));
    return true;
  }
  static constexpr Shape kBySize[] = {I8, I16, I32, I64};  // by log2 of the lane's bytes
  const Shape s = kBySize[info(in.op).aux & 3];
  const uint32_t bytes = 1u << (info(in.op).aux & 3);
  switch (in.op) {
    case Op::v128_load: push_v(load(vec(I64), addr(f_.pop(), 16))); return true;
    case Op::v128_load8_splat:
    case Op::v128_load16_splat:
    case Op::v128_load32_splat:
    case Op::v128_load64_splat: push_v(splat(load(lane(s), addr(f_.pop(), bytes)), s)); return true;
    case Op::v128_load32_zero:
    case Op::v128_load64_zero: {
      llvm::Value* x = load(lane(s), addr(f_.pop(), bytes));
      push_v(b_.CreateInsertElement(llvm::Constant::getNullValue(vec(s)), x, uint64_t{0}));
      return true;
    }
    case Op::v128_load8_lane:
    case Op::v128_load16_lane:
    case Op::v128_load32_lane:
    case Op::v128_load64_lane: {
      llvm::Value* v = pop_as(s);
      llvm::Value* x = load(lane(s), addr(f_.pop(), bytes));
      push_v(b_.CreateInsertElement(v, x, uint64_t{in.lane}));
      return true;
    }
    case Op::v128_store: {
      llvm::Value* v = f_.pop();
      store(v, addr(f_.pop(), 16));
      return true;
    }
    case Op::v128_store8_lane:
    case Op::v128_store16_lane:
    case Op::v128_store32_lane:
    case Op::v128_store64_lane: {
      llvm::Value* x = b_.CreateExtractElement(pop_as(s), uint64_t{in.lane});
      store(x, addr(f_.pop(), bytes));
      return true;
    }
    default: return false;
  }
}

// ---- constants, splat, lanes, shuffles ------------------------------------------
bool SimdTranslator::lanes(const Instr& in) {
  struct LaneOp {
    Op splat, extract, extract_s, replace;  // extract_s: nop where lanes are not narrower than i32
    Shape s;
  };
  static constexpr LaneOp kLaneOps[] = {
      {Op::i8x16_splat, Op::i8x16_extract_lane_u, Op::i8x16_extract_lane_s, Op::i8x16_replace_lane, I8},
      {Op::i16x8_splat, Op::i16x8_extract_lane_u, Op::i16x8_extract_lane_s, Op::i16x8_replace_lane, I16},
      {Op::i32x4_splat, Op::i32x4_extract_lane, Op::nop, Op::i32x4_replace_lane, I32},
      {Op::i64x2_splat, Op::i64x2_extract_lane, Op::nop, Op::i64x2_replace_lane, I64},
      {Op::f32x4_splat, Op::f32x4_extract_lane, Op::nop, Op::f32x4_replace_lane, F32},
      {Op::f64x2_splat, Op::f64x2_extract_lane, Op::nop, Op::f64x2_replace_lane, F64},
  };
  for (const LaneOp& l : kLaneOps) {
    if (in.op == l.splat) {
      push_v(splat(f_.pop(), l.s));
    } else if (in.op == l.extract || in.op == l.extract_s) {
      llvm::Value* x = b_.CreateExtractElement(pop_as(l.s), uint64_t{in.lane});
      if (l.s == I8 || l.s == I16) {
        x = in.op == l.extract_s ? b_.CreateSExt(x, b_.getInt32Ty()) : b_.CreateZExt(x, b_.getInt32Ty());
      }
      f_.push(x);
    } else if (in.op == l.replace) {
      llvm::Value* x = f_.pop();
      if (x->getType() != lane(l.s)) x = b_.CreateTrunc(x, lane(l.s));
      push_v(b_.CreateInsertElement(pop_as(l.s), x, uint64_t{in.lane}));
    } else {
      continue;
    }
    return true;
  }
  switch (in.op) {
    case Op::v128_const: {
      uint64_t halves[2];
      std::memcpy(halves, in.v128.bytes, 16);
      f_.push(llvm::ConstantDataVector::get(b_.getContext(), llvm::ArrayRef<uint64_t>(halves, 2)));
      return true;
    }
    case Op::i8x16_shuffle: {
      llvm::Value* y = pop_as(I8);
      llvm::Value* x = pop_as(I8);
      std::vector<int> mask(in.v128.bytes, in.v128.bytes + 16);
      push_v(b_.CreateShuffleVector(x, y, mask));
      return true;
    }
    case Op::i8x16_swizzle: {
      // pshufb zeroes a lane whose index has bit 7 set and otherwise takes
      // index & 15; adding 0x70 with unsigned saturation keeps 0..15 and
      // sends every index >= 16 to 0x80..0xFF (engine/interp/simd/lanes.h).
      llvm::Value* idx = pop_as(I8);
      llvm::Value* x = pop_as(I8);
      llvm::Value* sel = call(llvm::Intrinsic::uadd_sat, vec(I8), {idx, splat(b_.getInt8(0x70), I8)});
      push_v(call(llvm::Intrinsic::x86_ssse3_pshuf_b_128, nullptr, {x, sel}));
      return true;
    }
    default: return false;
  }
}

// ---- comparisons: all-ones lanes where true --------------------------------------
bool SimdTranslator::compare(const Instr& in) {
  using P = llvm::CmpInst::Predicate;
  struct Cmp {
    Op op;
    Shape s;
    P pred;
  };
  static constexpr Cmp kCmps[] = {
      {Op::i8x16_eq, I8, P::ICMP_EQ},     {Op::i8x16_ne, I8, P::ICMP_NE},     {Op::i8x16_lt_s, I8, P::ICMP_SLT},
      {Op::i8x16_lt_u, I8, P::ICMP_ULT},  {Op::i8x16_gt_s, I8, P::ICMP_SGT},  {Op::i8x16_gt_u, I8, P::ICMP_UGT},
      {Op::i8x16_le_s, I8, P::ICMP_SLE},  {Op::i8x16_le_u, I8, P::ICMP_ULE},  {Op::i8x16_ge_s, I8, P::ICMP_SGE},
      {Op::i8x16_ge_u, I8, P::ICMP_UGE},  {Op::i16x8_eq, I16, P::ICMP_EQ},    {Op::i16x8_ne, I16, P::ICMP_NE},
      {Op::i16x8_lt_s, I16, P::ICMP_SLT}, {Op::i16x8_lt_u, I16, P::ICMP_ULT}, {Op::i16x8_gt_s, I16, P::ICMP_SGT},
      {Op::i16x8_gt_u, I16, P::ICMP_UGT}, {Op::i16x8_le_s, I16, P::ICMP_SLE}, {Op::i16x8_le_u, I16, P::ICMP_ULE},
      {Op::i16x8_ge_s, I16, P::ICMP_SGE}, {Op::i16x8_ge_u, I16, P::ICMP_UGE}, {Op::i32x4_eq, I32, P::ICMP_EQ},
      {Op::i32x4_ne, I32, P::ICMP_NE},    {Op::i32x4_lt_s, I32, P::ICMP_SLT}, {Op::i32x4_lt_u, I32, P::ICMP_ULT},
      {Op::i32x4_gt_s, I32, P::ICMP_SGT}, {Op::i32x4_gt_u, I32, P::ICMP_UGT}, {Op::i32x4_le_s, I32, P::ICMP_SLE},
      {Op::i32x4_le_u, I32, P::ICMP_ULE}, {Op::i32x4_ge_s, I32, P::ICMP_SGE}, {Op::i32x4_ge_u, I32, P::ICMP_UGE},
      {Op::i64x2_eq, I64, P::ICMP_EQ},    {Op::i64x2_ne, I64, P::ICMP_NE},    {Op::i64x2_lt_s, I64, P::ICMP_SLT},
      {Op::i64x2_gt_s, I64, P::ICMP_SGT}, {Op::i64x2_le_s, I64, P::ICMP_SLE}, {Op::i64x2_ge_s, I64, P::ICMP_SGE},
      {Op::f32x4_eq, F32, P::FCMP_OEQ},   {Op::f32x4_ne, F32, P::FCMP_UNE},   {Op::f32x4_lt, F32, P::FCMP_OLT},
      {Op::f32x4_gt, F32, P::FCMP_OGT},   {Op::f32x4_le, F32, P::FCMP_OLE},   {Op::f32x4_ge, F32, P::FCMP_OGE},
      {Op::f64x2_eq, F64, P::FCMP_OEQ},   {Op::f64x2_ne, F64, P::FCMP_UNE},   {Op::f64x2_lt, F64, P::FCMP_OLT},
      {Op::f64x2_gt, F64, P::FCMP_OGT},   {Op::f64x2_le, F64, P::FCMP_OLE},   {Op::f64x2_ge, F64, P::FCMP_OGE},
  };
  for (const Cmp& c : kCmps) {
    if (c.op != in.op) continue;
    llvm::Value* y = pop_as(c.s);
    llvm::Value* x = pop_as(c.s);
    push_v(b_.CreateSExt(b_.CreateCmp(c.pred, x, y), llvm::VectorType::getInteger(vec(c.s))));
    return true;
  }
  return false;
}

// ---- integer arithmetic, bitwise, shifts ----------------------------------------
bool SimdTranslator::int_arith(const Instr& in) {
  using BO = llvm::Instruction::BinaryOps;
  static constexpr BinOp kBins[] = {
      {Op::i8x16_add, I8, BO::Add},   {Op::i8x16_sub, I8, BO::Sub},   {Op::i16x8_add, I16, BO::Add},
      {Op::i16x8_sub, I16, BO::Sub},  {Op::i16x8_mul, I16, BO::Mul},  {Op::i32x4_add, I32, BO::Add},
      {Op::i32x4_sub, I32, BO::Sub},  {Op::i32x4_mul, I32, BO::Mul},  {Op::i64x2_add, I64, BO::Add},
      {Op::i64x2_sub, I64, BO::Sub},  {Op::i64x2_mul, I64, BO::Mul},  {Op::v128_and, I64, BO::And},
      {Op::v128_or, I64, BO::Or},     {Op::v128_xor, I64, BO::Xor},
  };
  static const IntrOp kIntrs[] = {
      {Op::i8x16_add_sat_s, I8, llvm::Intrinsic::sadd_sat},  {Op::i8x16_add_sat_u, I8, llvm::Intrinsic::uadd_sat},
      {Op::i8x16_sub_sat_s, I8, llvm::Intrinsic::ssub_sat},  {Op::i8x16_sub_sat_u, I8, llvm::Intrinsic::usub_sat},
      {Op::i16x8_add_sat_s, I16, llvm::Intrinsic::sadd_sat}, {Op::i16x8_add_sat_u, I16, llvm::Intrinsic::uadd_sat},
      {Op::i16x8_sub_sat_s, I16, llvm::Intrinsic::ssub_sat}, {Op::i16x8_sub_sat_u, I16, llvm::Intrinsic::usub_sat},
      {Op::i8x16_min_s, I8, llvm::Intrinsic::smin},          {Op::i8x16_min_u, I8, llvm::Intrinsic::umin},
      {Op::i8x16_max_s, I8, llvm::Intrinsic::smax},          {Op::i8x16_max_u, I8, llvm::Intrinsic::umax},
      {Op::i16x8_min_s, I16, llvm::Intrinsic::smin},         {Op::i16x8_min_u, I16, llvm::Intrinsic::umin},
      {Op::i16x8_max_s, I16, llvm::Intrinsic::smax},         {Op::i16x8_max_u, I16, llvm::Intrinsic::umax},
      {Op::i32x4_min_s, I32, llvm::Intrinsic::smin},         {Op::i32x4_min_u, I32, llvm::Intrinsic::umin},
      {Op::i32x4_max_s, I32, llvm::Intrinsic::smax},         {Op::i32x4_max_u, I32, llvm::Intrinsic::umax},
      {Op::i8x16_popcnt, I8, llvm::Intrinsic::ctpop},
  };
  if (binary(in, kBins, false) || intrinsic(in, kIntrs, in.op == Op::i8x16_popcnt ? 1 : 2)) return true;
  struct Unary {
    Op abs, neg;
    Shape s;
  };
  static constexpr Unary kUnary[] = {{Op::i8x16_abs, Op::i8x16_neg, I8},
                                     {Op::i16x8_abs, Op::i16x8_neg, I16},
                                     {Op::i32x4_abs, Op::i32x4_neg, I32},
                                     {Op::i64x2_abs, Op::i64x2_neg, I64}};
  for (const Unary& c : kUnary) {
    if (in.op == c.abs) {
      push_v(call(llvm::Intrinsic::abs, vec(c.s), {pop_as(c.s), b_.getFalse()}));  // abs(INT_MIN) wraps
    } else if (in.op == c.neg) {
      push_v(b_.CreateNeg(pop_as(c.s)));
    } else {
      continue;
    }
    return true;
  }
  struct Shift {
    Op shl, shr_s, shr_u;
    Shape s;
  };
  static constexpr Shift kShifts[] = {{Op::i8x16_shl, Op::i8x16_shr_s, Op::i8x16_shr_u, I8},
                                      {Op::i16x8_shl, Op::i16x8_shr_s, Op::i16x8_shr_u, I16},
                                      {Op::i32x4_shl, Op::i32x4_shr_s, Op::i32x4_shr_u, I32},
                                      {Op::i64x2_shl, Op::i64x2_shr_s, Op::i64x2_shr_u, I64}};
  for (const Shift& c : kShifts) {
    if (in.op != c.shl && in.op != c.shr_s && in.op != c.shr_u) continue;
    const unsigned bits = lane(c.s)->getIntegerBitWidth();
    llvm::Value* n = b_.CreateAnd(f_.pop(), b_.getInt32(bits - 1));  // the count is taken modulo the lane width
    n = splat(b_.CreateZExtOrTrunc(n, lane(c.s)), c.s);
    llvm::Value* x = pop_as(c.s);
    push_v(in.op == c.shl ? b_.CreateShl(x, n) : in.op == c.shr_s ? b_.CreateAShr(x, n) : b_.CreateLShr(x, n));
    return true;
  }
  switch (in.op) {
    case Op::v128_not: push_v(b_.CreateNot(pop_as(I64))); return true;
    case Op::v128_andnot: {
      llvm::Value* y = pop_as(I64);
      push_v(b_.CreateAnd(pop_as(I64), b_.CreateNot(y)));
      return true;
    }
    case Op::v128_bitselect: {
      llvm::Value* c = pop_as(I64);
      llvm::Value* y = pop_as(I64);
      llvm::Value* x = pop_as(I64);
      push_v(b_.CreateOr(b_.CreateAnd(x, c), b_.CreateAnd(y, b_.CreateNot(c))));
      return true;
    }
    case Op::i8x16_avgr_u:
    case Op::i16x8_avgr_u: {
      // (x + y + 1) >> 1 in twice the width: the pattern of pavgb/pavgw.
      const Shape s = in.op == Op::i8x16_avgr_u ? I8 : I16;
      auto* wide = llvm::FixedVectorType::get(b_.getIntNTy(lane(s)->getIntegerBitWidth() * 2), vec(s)->getNumElements());
      llvm::Value* y = b_.CreateZExt(pop_as(s), wide);
      llvm::Value* x = b_.CreateZExt(pop_as(s), wide);
      llvm::Value* one = llvm::ConstantInt::get(wide, 1);
      push_v(b_.CreateTrunc(b_.CreateLShr(b_.CreateAdd(b_.CreateAdd(x, y), one), one), vec(s)));
      return true;
    }
    case Op::i16x8_q15mulr_sat_s: {
      // pmulhrsw rounds (x * y + 0x4000) >> 15 exactly as wasm does, except
      // that -32768 * -32768 wraps to -32768 where wasm saturates to 32767:
      // flip those lanes (the interpreter's engine/interp/simd/int_arith.h).
      llvm::Value* y = pop_as(I16);
      llvm::Value* x = pop_as(I16);
      llvm::Value* r = call(llvm::Intrinsic::x86_ssse3_pmul_hr_sw_128, nullptr, {x, y});
      llvm::Value* wrapped = b_.CreateICmpEQ(r, splat(b_.getInt16(0x8000), I16));
      push_v(b_.CreateXor(r, b_.CreateSExt(wrapped, vec(I16))));
      return true;
    }
    default: return false;
  }
}

// ---- narrowing and widening integer ops -----------------------------------------
bool SimdTranslator::int_widening(const Instr& in) {
  struct Widen {
    Op op;
    Shape from;
    bool high, is_signed;
  };
  static constexpr Widen kExtends[] = {
      {Op::i16x8_extend_low_i8x16_s, I8, false, true},   {Op::i16x8_extend_high_i8x16_s, I8, true, true},
      {Op::i16x8_extend_low_i8x16_u, I8, false, false},  {Op::i16x8_extend_high_i8x16_u, I8, true, false},
      {Op::i32x4_extend_low_i16x8_s, I16, false, true},  {Op::i32x4_extend_high_i16x8_s, I16, true, true},
      {Op::i32x4_extend_low_i16x8_u, I16, false, false}, {Op::i32x4_extend_high_i16x8_u, I16, true, false},
      {Op::i64x2_extend_low_i32x4_s, I32, false, true},  {Op::i64x2_extend_high_i32x4_s, I32, true, true},
      {Op::i64x2_extend_low_i32x4_u, I32, false, false}, {Op::i64x2_extend_high_i32x4_u, I32, true, false},
  };
  for (const Widen& c : kExtends) {
    if (c.op != in.op) continue;
    push_v(widen(f_.pop(), c.from, c.high, c.is_signed));
    return true;
  }
  static constexpr Widen kExtmuls[] = {
      {Op::i16x8_extmul_low_i8x16_s, I8, false, true},   {Op::i16x8_extmul_high_i8x16_s, I8, true, true},
      {Op::i16x8_extmul_low_i8x16_u, I8, false, false},  {Op::i16x8_extmul_high_i8x16_u, I8, true, false},
      {Op::i32x4_extmul_low_i16x8_s, I16, false, true},  {Op::i32x4_extmul_high_i16x8_s, I16, true, true},
      {Op::i32x4_extmul_low_i16x8_u, I16, false, false}, {Op::i32x4_extmul_high_i16x8_u, I16, true, false},
      {Op::i64x2_extmul_low_i32x4_s, I32, false, true},  {Op::i64x2_extmul_high_i32x4_s, I32, true, true},
      {Op::i64x2_extmul_low_i32x4_u, I32, false, false}, {Op::i64x2_extmul_high_i32x4_u, I32, true, false},
  };
  for (const Widen& c : kExtmuls) {
    if (c.op != in.op) continue;
    llvm::Value* y = widen(f_.pop(), c.from, c.high, c.is_signed);
    llvm::Value* x = widen(f_.pop(), c.from, c.high, c.is_signed);
    push_v(b_.CreateMul(x, y));
    return true;
  }
  // Pairwise sums: even lanes plus odd lanes, each widened.
  auto pairwise = [&](llvm::Value* v, Shape from, bool is_signed) {
    const int n = static_cast<int>(vec(from)->getNumElements());
    std::vector<int> even, odd;
    for (int i = 0; i < n; i += 2) {
      even.push_back(i);
      odd.push_back(i + 1);
    }
    auto* to = llvm::FixedVectorType::get(b_.getIntNTy(lane(from)->getIntegerBitWidth() * 2), n / 2);
    llvm::Value* x = as(v, from);
    llvm::Value* e = b_.CreateShuffleVector(x, even);
    llvm::Value* o = b_.CreateShuffleVector(x, odd);
    return is_signed ? std::pair(b_.CreateSExt(e, to), b_.CreateSExt(o, to))
                     : std::pair(b_.CreateZExt(e, to), b_.CreateZExt(o, to));
  };
  switch (in.op) {
    case Op::i16x8_extadd_pairwise_i8x16_s:
    case Op::i16x8_extadd_pairwise_i8x16_u:
    case Op::i32x4_extadd_pairwise_i16x8_s:
    case Op::i32x4_extadd_pairwise_i16x8_u: {
      const Shape from = in.op == Op::i16x8_extadd_pairwise_i8x16_s || in.op == Op::i16x8_extadd_pairwise_i8x16_u ? I8 : I16;
      const bool is_signed = in.op == Op::i16x8_extadd_pairwise_i8x16_s || in.op == Op::i32x4_extadd_pairwise_i16x8_s;
      auto [e, o] = pairwise(f_.pop(), from, is_signed);
      push_v(b_.CreateAdd(e, o));
      return true;
    }
    case Op::i32x4_dot_i16x8_s: {
      // Products of 16-bit lanes fit in 32 bits; their pairwise sum wraps
      // only for (-32768)^2 * 2, as pmaddwd does.
      auto* wide = llvm::FixedVectorType::get(b_.getInt32Ty(), 8);
      llvm::Value* y = b_.CreateSExt(pop_as(I16), wide);
      llvm::Value* x = b_.CreateSExt(pop_as(I16), wide);
      llvm::Value* p = b_.CreateMul(x, y);
      llvm::Value* e = b_.CreateShuffleVector(p, {0, 2, 4, 6});
      llvm::Value* o = b_.CreateShuffleVector(p, {1, 3, 5, 7});
      push_v(b_.CreateAdd(e, o));
      return true;
    }
    case Op::i8x16_narrow_i16x8_s:
    case Op::i8x16_narrow_i16x8_u:
    case Op::i16x8_narrow_i32x4_s:
    case Op::i16x8_narrow_i32x4_u: {
      // Both operands' signed lanes side by side, clamped to the narrow
      // type's range (signed or unsigned), then truncated.
      const bool to8 = in.op == Op::i8x16_narrow_i16x8_s || in.op == Op::i8x16_narrow_i16x8_u;
      const bool is_signed = in.op == Op::i8x16_narrow_i16x8_s || in.op == Op::i16x8_narrow_i32x4_s;
      const Shape from = to8 ? I16 : I32;
      const unsigned bits = to8 ? 8 : 16;
      llvm::Value* y = pop_as(from);
      llvm::Value* x = pop_as(from);
      std::vector<int> all;
      for (int i = 0; i < static_cast<int>(2 * vec(from)->getNumElements()); ++i) all.push_back(i);
      llvm::Value* v = b_.CreateShuffleVector(x, y, all);
      auto* t = llvm::cast<llvm::FixedVectorType>(v->getType());
      const int64_t lo = is_signed ? -(int64_t{1} << (bits - 1)) : 0;
      const int64_t hi = is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
      v = call(llvm::Intrinsic::smax, t, {v, llvm::ConstantInt::getSigned(t, lo)});
      v = call(llvm::Intrinsic::smin, t, {v, llvm::ConstantInt::getSigned(t, hi)});
      push_v(b_.CreateTrunc(v, vec(to8 ? I8 : I16)));
      return true;
    }
    default: return false;
  }
}

// ---- float arithmetic -------------------------------------------------------------
bool SimdTranslator::float_arith(const Instr& in) {
  using BO = llvm::Instruction::BinaryOps;
  static constexpr BinOp kBins[] = {
      {Op::f32x4_add, F32, BO::FAdd}, {Op::f32x4_sub, F32, BO::FSub}, {Op::f32x4_mul, F32, BO::FMul},
      {Op::f32x4_div, F32, BO::FDiv}, {Op::f64x2_add, F64, BO::FAdd}, {Op::f64x2_sub, F64, BO::FSub},
      {Op::f64x2_mul, F64, BO::FMul}, {Op::f64x2_div, F64, BO::FDiv},
  };
  static const IntrOp kUnary[] = {
      {Op::f32x4_abs, F32, llvm::Intrinsic::fabs},        {Op::f64x2_abs, F64, llvm::Intrinsic::fabs},
      {Op::f32x4_sqrt, F32, llvm::Intrinsic::sqrt},       {Op::f64x2_sqrt, F64, llvm::Intrinsic::sqrt},
      {Op::f32x4_ceil, F32, llvm::Intrinsic::ceil},       {Op::f64x2_ceil, F64, llvm::Intrinsic::ceil},
      {Op::f32x4_floor, F32, llvm::Intrinsic::floor},     {Op::f64x2_floor, F64, llvm::Intrinsic::floor},
      {Op::f32x4_trunc, F32, llvm::Intrinsic::trunc},     {Op::f64x2_trunc, F64, llvm::Intrinsic::trunc},
      {Op::f32x4_nearest, F32, llvm::Intrinsic::roundeven}, {Op::f64x2_nearest, F64, llvm::Intrinsic::roundeven},
  };
  // Constants hidden from the optimizer, as for scalars: x * 1 must still quiet a signalling NaN.
  if (binary(in, kBins, true) || intrinsic(in, kUnary, 1)) return true;
  const Shape s = in.op == Op::f32x4_neg || in.op == Op::f32x4_min || in.op == Op::f32x4_max ||
                          in.op == Op::f32x4_pmin || in.op == Op::f32x4_pmax
                      ? F32
                      : F64;
  switch (in.op) {
    case Op::f32x4_neg:
    case Op::f64x2_neg: push_v(b_.CreateFNeg(pop_as(s))); return true;
    case Op::f32x4_min:
    case Op::f64x2_min:
    case Op::f32x4_max:
    case Op::f64x2_max: {
      // llvm.minimum/maximum: NaN if either is, and -0 < +0, as wasm's fmin/fmax.
      // x86 passes a signalling NaN through them, so NaN lanes become the
      // canonical NaN, as in the interpreter (engine/interp/simd/float_arith.h).
      llvm::Value* y = pop_as(s);
      llvm::Value* x = pop_as(s);
      const bool min = in.op == Op::f32x4_min || in.op == Op::f64x2_min;
      llvm::Value* r = call(min ? llvm::Intrinsic::minimum : llvm::Intrinsic::maximum, vec(s), {x, y});
      llvm::Value* nan = llvm::ConstantFP::getQNaN(vec(s));
      push_v(b_.CreateSelect(b_.CreateFCmpUNO(x, y), nan, r));
      return true;
    }
    case Op::f32x4_pmin:
    case Op::f64x2_pmin:
    case Op::f32x4_pmax:
    case Op::f64x2_pmax: {
      // pmin(a, b) = b < a ? b : a; pmax(a, b) = a < b ? b : a (no NaN or zero fix-ups).
      llvm::Value* y = pop_as(s);
      llvm::Value* x = pop_as(s);
      const bool min = in.op == Op::f32x4_pmin || in.op == Op::f64x2_pmin;
      push_v(b_.CreateSelect(min ? b_.CreateFCmpOLT(y, x) : b_.CreateFCmpOLT(x, y), y, x));
      return true;
    }
    default: return false;
  }
}

// ---- conversions --------------------------------------------------------------------
bool SimdTranslator::convert(const Instr& in) {
  auto* f32x2 = llvm::FixedVectorType::get(b_.getFloatTy(), 2);
  // Saturating float -> i32 lanes. llvm.fpto[su]i.sat on vectors is split
  // into scalar conversions on x86, so: convert only lanes inside the i32
  // range (the rest as 0, where fpto[su]i is defined), then put the bounds
  // into lanes above and below it. NaN fails every comparison: 0.
  auto sat = [&](llvm::Value* v, bool is_signed) {
    auto* t = llvm::cast<llvm::FixedVectorType>(v->getType());
    auto* to = llvm::FixedVectorType::get(b_.getInt32Ty(), t->getNumElements());
    const double lo = is_signed ? -2147483648.0 : 0.0;
    const double hi = is_signed ? 2147483648.0 : 4294967296.0;
    llvm::Value* above = b_.CreateFCmpOGE(v, llvm::ConstantFP::get(t, hi));
    llvm::Value* below = b_.CreateFCmpOLT(v, llvm::ConstantFP::get(t, lo));
    llvm::Value* inside = b_.CreateAnd(b_.CreateFCmpOGE(v, llvm::ConstantFP::get(t, lo)), b_.CreateNot(above));
    llvm::Value* x = b_.CreateSelect(inside, v, llvm::Constant::getNullValue(t));
    llvm::Value* r = is_signed ? b_.CreateFPToSI(x, to) : b_.CreateFPToUI(x, to);
    const uint32_t max = is_signed ? INT32_MAX : UINT32_MAX;
    r = b_.CreateSelect(above, llvm::ConstantInt::get(to, max), r);
    return is_signed ? b_.CreateSelect(below, llvm::ConstantInt::get(to, 0x80000000u), r) : r;
  };
  // Two lanes widened to four with zeros (the "_zero" forms).
  auto zero_high = [&](llvm::Value* v) {
    return b_.CreateShuffleVector(v, llvm::Constant::getNullValue(v->getType()), {0, 1, 2, 3});
  };
  switch (in.op) {
    case Op::i32x4_trunc_sat_f32x4_s:
    case Op::i32x4_trunc_sat_f32x4_u:
      push_v(sat(pop_as(F32), in.op == Op::i32x4_trunc_sat_f32x4_s));
      return true;
    case Op::i32x4_trunc_sat_f64x2_s_zero:
    case Op::i32x4_trunc_sat_f64x2_u_zero:
      push_v(zero_high(sat(pop_as(F64), in.op == Op::i32x4_trunc_sat_f64x2_s_zero)));
      return true;
    case Op::f32x4_convert_i32x4_s: push_v(b_.CreateSIToFP(pop_as(I32), vec(F32))); return true;
    case Op::f32x4_convert_i32x4_u: push_v(b_.CreateUIToFP(pop_as(I32), vec(F32))); return true;
    case Op::f64x2_convert_low_i32x4_s: push_v(b_.CreateSIToFP(half(pop_as(I32), false), vec(F64))); return true;
    case Op::f64x2_convert_low_i32x4_u: push_v(b_.CreateUIToFP(half(pop_as(I32), false), vec(F64))); return true;
    // Opaque operands, as for scalars: LLVM folds demote(promote(x)) to x.
    case Op::f32x4_demote_f64x2_zero:
      push_v(zero_high(b_.CreateFPTrunc(f_.opaque(pop_as(F64)), f32x2)));
      return true;
    case Op::f64x2_promote_low_f32x4:
      push_v(b_.CreateFPExt(half(f_.opaque(pop_as(F32)), false), vec(F64)));
      return true;
    default: return false;
  }
}

// ---- reductions to i32: any_true, all_true, bitmask ---------------------------------
bool SimdTranslator::reduce(const Instr& in) {
  struct Reduce {
    Op all_true, bitmask;
    Shape s;
  };
  static constexpr Reduce kReduce[] = {{Op::i8x16_all_true, Op::i8x16_bitmask, I8},
                                       {Op::i16x8_all_true, Op::i16x8_bitmask, I16},
                                       {Op::i32x4_all_true, Op::i32x4_bitmask, I32},
                                       {Op::i64x2_all_true, Op::i64x2_bitmask, I64}};
  if (in.op == Op::v128_any_true) {
    llvm::Value* v = b_.CreateBitCast(f_.pop(), b_.getInt128Ty());
    f_.push(b_.CreateZExt(b_.CreateICmpNE(v, b_.getIntN(128, 0)), b_.getInt32Ty()));
    return true;
  }
  for (const Reduce& c : kReduce) {
    if (in.op != c.all_true && in.op != c.bitmask) continue;
    llvm::Value* x = pop_as(c.s);
    llvm::Value* zero = llvm::Constant::getNullValue(vec(c.s));
    const unsigned n = vec(c.s)->getNumElements();
    // One bit per lane (a <n x i1> is an n-bit integer): the sign bits for
    // bitmask (pmovmskb), "lane is nonzero" for all_true.
    const bool all = in.op == c.all_true;
    llvm::Value* bits = b_.CreateBitCast(all ? b_.CreateICmpNE(x, zero) : b_.CreateICmpSLT(x, zero), b_.getIntNTy(n));
    if (all) bits = b_.CreateICmpEQ(bits, llvm::ConstantInt::get(bits->getType(), llvm::APInt::getAllOnes(n)));
    f_.push(b_.CreateZExt(bits, b_.getInt32Ty()));
    return true;
  }
  return false;
}

}  // namespace vivarium::engine::compiler
