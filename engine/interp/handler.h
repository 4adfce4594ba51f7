// The interpreter's handler ABI: what one operation of the internal form looks
// like, how it reaches its operands, how it dispatches to the next one and how
// it traps. Every handler — scalar ones here in engine/interp, SIMD ones in
// engine/interp/simd — is written against this header only.
//
// Internal form (see engine/interp/compiled.h for why): a function is an array
// of 8-byte Words. An instruction is one Word holding its Handler followed by
// its operand Words. Operands are *slot indices* relative to the frame pointer
// `fp`: fp[0..] are the parameters, then the declared locals, then the
// operand-stack positions the lowering assigned. A v128 takes two consecutive
// slots (low 8 bytes first). Nothing is pushed or popped at run time.
//
// Dispatch: with clang, each handler ends in a guaranteed tail call
// (`[[clang::musttail]]`) to the next instruction's handler, so the four
// arguments (pc, fp, mem, st) stay in registers for the whole run. Compilers
// without musttail (g++) use a loop in engine/interp/run.cc that calls one
// handler at a time: handlers then *return* the next pc, and the few that move
// fp/mem (calls, returns) store them in ExecState first (VIV_SYNC).
//
// ---- How to write a handler (including SIMD) -----------------------------
//   VIV_HANDLER(h_i32_add) {
//     const uint32_t a = pc[1].u32[0], b = pc[1].u32[1], d = pc[2].u32[0];
//     fp[d] = uint32_t(uint32_t(fp[a]) + uint32_t(fp[b]));
//     VIV_NEXT(3);                  // 3 = Words this instruction occupies
//   }
//   Traps: `return viv::interp::trap(st, pc, ErrorCode::IntegerDivideByZero);`
//   (the message is derived from the code; see trap.cc).
//   Memory: `mem` is the base of the current instance's memory 0;
//   `viv::interp::mem_size(st)` its size in bytes now. Use mem_in_bounds().
#pragma once
#include <cstdint>
#include <cstring>

#include "engine/opcodes/opcodes.h"
#include "vivarium/error.h"

namespace viv {
struct ExecState;
}

namespace viv::interp {

using vivarium::ErrorCode;
using Slot = uint64_t;

union Word;
// The fixed handler signature. All four arguments live in registers.
using Handler = const Word* (*)(const Word* pc, Slot* fp, uint8_t* mem, ExecState* st);

union Word {
  Handler h;
  uint64_t u64;
  int64_t i64;
  uint32_t u32[2];
  int32_t i32[2];
  const void* ptr;
};
static_assert(sizeof(Word) == 8);

#define VIV_HANDLER(name) \
  const ::viv::interp::Word* name(const ::viv::interp::Word* pc, ::viv::interp::Slot* fp, uint8_t* mem, ::viv::ExecState* st)

#if defined(__clang__) && __has_cpp_attribute(clang::musttail) && !defined(VIV_NO_MUSTTAIL)
#define VIV_MUSTTAIL 1
// Jump to the instruction at `next` (a const Word*).
#define VIV_JUMP(next)                                         \
  do {                                                         \
    const ::viv::interp::Word* viv_n_ = (next);                \
    [[clang::musttail]] return viv_n_->h(viv_n_, fp, mem, st); \
  } while (0)
// fp/mem changed: nothing to do, they are passed along in registers.
#define VIV_SYNC() ((void)0)
#else
#define VIV_MUSTTAIL 0
#define VIV_JUMP(next) return (next)
#define VIV_SYNC() (::viv::interp::sync_regs(st, fp, mem))
#endif
// Continue with the instruction `words` Words after this one.
#define VIV_NEXT(words) VIV_JUMP(pc + (words))
// Hand this same instruction to another handler (a cold path: a trap, the
// general case of a call). A tail call keeps the hot handler free of calls,
// so it needs no callee-saved registers and no stack frame.
#if VIV_MUSTTAIL
#define VIV_TAIL(handler) [[clang::musttail]] return handler(pc, fp, mem, st)
#else
#define VIV_TAIL(handler) return handler(pc, fp, mem, st)
#endif

// Records a trap (code -> spec message) at `pc` and ends the run.
// Returns nullptr, the "stop" value of the dispatch chain.
const Word* trap(ExecState* st, const Word* pc, ErrorCode code);
// Cold trap handlers for VIV_TAIL: record the trap at `pc`, end the run.
const Word* h_trap_memory_oob(const Word* pc, Slot* fp, uint8_t* mem, ExecState* st);
const Word* h_trap_div_by_zero(const Word* pc, Slot* fp, uint8_t* mem, ExecState* st);
const Word* h_trap_int_overflow(const Word* pc, Slot* fp, uint8_t* mem, ExecState* st);
void sync_regs(ExecState* st, Slot* fp, uint8_t* mem);
// Defined inline in exec_state.h (included at the end of this header):
//   uint64_t mem_size(const ExecState* st);   memory 0's size in bytes now
//   bool mem_in_bounds(st, addr, offset, n);  addr + offset + n <= size, in 64 bits

// Slot accessors: i32/f32 live in the low 4 bytes of a slot. Writers of i32
// store the zero-extended value so a slot read as u64 is deterministic.
inline uint32_t rd_u32(const Slot* fp, uint32_t s) { return static_cast<uint32_t>(fp[s]); }
inline uint64_t rd_u64(const Slot* fp, uint32_t s) { return fp[s]; }
inline float rd_f32(const Slot* fp, uint32_t s) { float f; uint32_t b = static_cast<uint32_t>(fp[s]); std::memcpy(&f, &b, 4); return f; }
inline double rd_f64(const Slot* fp, uint32_t s) { double d; std::memcpy(&d, &fp[s], 8); return d; }
inline void wr_u32(Slot* fp, uint32_t s, uint32_t v) { fp[s] = v; }
inline void wr_u64(Slot* fp, uint32_t s, uint64_t v) { fp[s] = v; }
inline void wr_f32(Slot* fp, uint32_t s, float f) { uint32_t b; std::memcpy(&b, &f, 4); fp[s] = b; }
inline void wr_f64(Slot* fp, uint32_t s, double d) { std::memcpy(&fp[s], &d, 8); }

// ---- SIMD handlers -------------------------------------------------------
// Every SIMD opcode (prefix 0xFD) has a fixed signature in opcodes.def, so the
// lowering emits all of them (except v128.load, v128.store and v128.const,
// which are scalar-side) in one layout, SimdInst:
//
//   Word 0  handler
//   Word 1  u32[0] = dst slot (first slot of a v128 result; unused if none)
//           u32[1] = a   (first operand, deepest on the wasm stack)
//   Word 2  u32[0] = b   (second operand), u32[1] = c (third operand)
//   Word 3  u32[0] = lane (lane immediate), u32[1] = unused
//   Word 4  u64    = memarg offset (loads/stores; address operand is `a`)
//   Word 5-6        = 16 immediate bytes (i8x16.shuffle lane indices)
//
// Operand slots hold the value in slot layout: a v128 operand at slot s is
// bytes [s*8, s*8+16) of the frame (memcpy 16 bytes from &fp[s]); a scalar
// operand is a normal slot (rd_u32/rd_u64/rd_f32/rd_f64). The result is
// written the same way at `dst` (i32 results with wr_u32). dst never aliases
// a *different* operand's later-read bytes: read all operands before writing.
// A SIMD handler ends with VIV_NEXT(kSimdInstWords).
constexpr uint32_t kSimdInstWords = 7;
struct SimdOperands {
  uint32_t dst, a, b, c, lane;
  uint64_t offset;
  const uint8_t* imm;  // 16 bytes
};
inline SimdOperands simd_operands(const Word* pc) {
  return {pc[1].u32[0], pc[1].u32[1], pc[2].u32[0], pc[2].u32[1], pc[3].u32[0], pc[4].u64,
          reinterpret_cast<const uint8_t*>(pc + 5)};
}

// Registration: the SIMD engineer provides engine/interp/simd/simd.h declaring
//
//   namespace viv::interp { Handler simd_handler(Op op); }
//
// (returning nullptr for an opcode without a handler), defined in
// engine/interp/simd/*.cc. The lowering picks it up with __has_include, so
// nothing breaks before it exists; an opcode without a handler fails to lower
// with Unsupported "SIMD instruction <name> is not supported (function $f)".
}  // namespace viv::interp

#include "engine/interp/exec_state.h"  // IWYU pragma: export
