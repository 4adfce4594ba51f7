// Each numeric operator's semantics, written once (spec 4.3.2, 4.3.3), as
// constexpr functions of C++ values: sem::Binop<Op::i32_add>::apply(a, b).
// The interpreter's plain handlers (ops_int.cc, ops_float.cc) and its
// superinstructions (ops_fused.cc, ops_int_fused.cc, float_arith.h)
// instantiate these, so a fused form cannot compute anything the unfused one
// does not; a compiler tier can use them for constant folding. Nothing here
// knows slots or Words.
#pragma once
#include <bit>
#include <cstdint>

#include "engine/interp/float_ops.h"
#include "engine/opcodes/opcodes.h"

namespace vivarium::engine::sem {

// X(id, operand type, expression over a, b). Integer results are of the
// operand type or bool (comparisons); signed ones are bit casts of the slot.
#define VIV_SEM_INT_CMPS_OF(X, w, U, S)                                              \
  X(w##_eq, U, a == b) X(w##_ne, U, a != b)                                           \
  X(w##_lt_s, S, a < b) X(w##_lt_u, U, a < b) X(w##_gt_s, S, a > b) X(w##_gt_u, U, a > b) \
  X(w##_le_s, S, a <= b) X(w##_le_u, U, a <= b) X(w##_ge_s, S, a >= b) X(w##_ge_u, U, a >= b)
#define VIV_SEM_I32_CMPS(X) VIV_SEM_INT_CMPS_OF(X, i32, uint32_t, int32_t)
#define VIV_SEM_I64_CMPS(X) VIV_SEM_INT_CMPS_OF(X, i64, uint64_t, int64_t)
#define VIV_SEM_INT_ARITH(X)                                                          \
  X(i32_add, uint32_t, uint32_t(a + b)) X(i32_sub, uint32_t, uint32_t(a - b))         \
  X(i32_mul, uint32_t, uint32_t(a * b))                                               \
  X(i32_and, uint32_t, a & b) X(i32_or, uint32_t, a | b) X(i32_xor, uint32_t, a ^ b)  \
  X(i32_shl, uint32_t, uint32_t(a << (b & 31))) X(i32_shr_u, uint32_t, a >> (b & 31)) \
  X(i32_shr_s, int32_t, int32_t(a >> (b & 31)))                                       \
  X(i32_rotl, uint32_t, std::rotl(a, int(b & 31)))                                    \
  X(i32_rotr, uint32_t, std::rotr(a, int(b & 31)))                                    \
  X(i64_add, uint64_t, uint64_t(a + b)) X(i64_sub, uint64_t, uint64_t(a - b))         \
  X(i64_mul, uint64_t, uint64_t(a * b))                                               \
  X(i64_and, uint64_t, a & b) X(i64_or, uint64_t, a | b) X(i64_xor, uint64_t, a ^ b)  \
  X(i64_shl, uint64_t, a << (b & 63)) X(i64_shr_u, uint64_t, a >> (b & 63))           \
  X(i64_shr_s, int64_t, int64_t(a >> (b & 63)))                                       \
  X(i64_rotl, uint64_t, std::rotl(a, int(b & 63)))                                    \
  X(i64_rotr, uint64_t, std::rotr(a, int(b & 63)))
// Every integer binop but division (whose traps the handlers check).
#define VIV_SEM_INT_BINOPS(X) VIV_SEM_INT_ARITH(X) VIV_SEM_I32_CMPS(X) VIV_SEM_I64_CMPS(X)

#define VIV_SEM_FLOAT_CMPS(X)                                                                       \
  X(f32_eq, float, a == b) X(f32_ne, float, a != b) X(f32_lt, float, a < b)                         \
  X(f32_gt, float, a > b) X(f32_le, float, a <= b) X(f32_ge, float, a >= b)                         \
  X(f64_eq, double, a == b) X(f64_ne, double, a != b) X(f64_lt, double, a < b)                      \
  X(f64_gt, double, a > b) X(f64_le, double, a <= b) X(f64_ge, double, a >= b)
// f32 arithmetic is done in float so it rounds to f32; the engine builds
// with -ffp-contract=off, so no a*b+c anywhere becomes an fma.
#define VIV_SEM_FLOAT_ARITH(X)                                                                      \
  X(f32_add, float, a + b) X(f32_sub, float, a - b) X(f32_mul, float, a * b)                        \
  X(f32_div, float, a / b) X(f32_min, float, interp::wasm_min(a, b))                                \
  X(f32_max, float, interp::wasm_max(a, b))                                                         \
  X(f64_add, double, a + b) X(f64_sub, double, a - b) X(f64_mul, double, a * b)                     \
  X(f64_div, double, a / b) X(f64_min, double, interp::wasm_min(a, b))                              \
  X(f64_max, double, interp::wasm_max(a, b))
#define VIV_SEM_FLOAT_BINOPS(X) VIV_SEM_FLOAT_ARITH(X) VIV_SEM_FLOAT_CMPS(X)

// Binop<op>::T is the operand type, Binop<op>::apply(a, b) the result.
template <Op> struct Binop;
#define VIV_SEM_BINOP(id, type, expr)                                           \
  template <> struct Binop<Op::id> {                                           \
    using T = type;                                                            \
    [[gnu::always_inline]] static constexpr auto apply(T a, T b) { return expr; } \
  };
VIV_SEM_INT_BINOPS(VIV_SEM_BINOP)
VIV_SEM_FLOAT_BINOPS(VIV_SEM_BINOP)
#undef VIV_SEM_BINOP

static_assert(Binop<Op::i32_sub>::apply(1, 2) == 0xFFFFFFFFu);
static_assert(Binop<Op::i32_lt_s>::apply(-1, 0) && !Binop<Op::i32_lt_u>::apply(0xFFFFFFFFu, 0));
static_assert(Binop<Op::i64_rotl>::apply(1ull << 63, 1) == 1);

}  // namespace vivarium::engine::sem
