// The interpreter's handler ABI: what one operation of the internal form looks
// like, how it reaches its operands, how it dispatches to the next one and how
// it traps. Every handler — scalar ones here in engine/interp, SIMD ones in
// engine/interp/simd — is written against this header only.
//
// Internal form (see engine/interp/compiled.h for why): a function is an array
// of 4-byte Words. An instruction is one Word naming its Handler followed by
// its operand Words. Operands are *slot indices* relative to the frame pointer
// `fp`: fp[0..] are the parameters, then the declared locals, then the
// operand-stack positions the lowering assigned. A v128 takes two consecutive
// slots (low 8 bytes first). Nothing is pushed or popped at run time.
//
// The handler Word holds the handler's address as a signed 32-bit distance
// from h_anchor: all handlers are in this one binary, so the distance always
// fits, and 4-byte operands instead of 8-byte pointers keep the form compact
// (issue 5: at most 3x the code section). Dispatch pays one add for it.
// 64-bit immediates take two Words (low first) and are read unaligned.
//
// Dispatch: with clang, each handler ends in a guaranteed tail call
// (`[[clang::musttail]]`) to the next instruction's handler, so the four
// arguments (pc, fp, mem, st) stay in registers for the whole run. Compilers
// without musttail (g++) use a loop in engine/interp/invoke.cc that calls one
// handler at a time: handlers then *return* the next pc, and the few that move
// fp/mem (calls, returns) store them in ExecState first (VIV_SYNC).
//
// ---- How to write a handler (including SIMD) -----------------------------
//   VIV_HANDLER(h_i32_add) {
//     const uint32_t a = pc[1].u32, b = pc[2].u32, d = pc[3].u32;
//     fp[d] = uint32_t(uint32_t(fp[a]) + uint32_t(fp[b]));
//     VIV_NEXT(4);                  // 4 = Words this instruction occupies
//   }
//   Traps: `return vivarium::engine::interp::trap(st, pc, ErrorCode::IntegerDivideByZero);`
//   (the message is derived from the code; see trap.cc).
//   Memory: `mem` is the base of the current instance's memory 0;
//   `vivarium::engine::interp::mem_size(st)` its size in bytes now. Use mem_in_bounds().
#pragma once
#include <cstdint>
#include <cstring>

#include "engine/opcodes/opcodes.h"
#include "vivarium/error.h"

namespace vivarium::engine {
struct ExecState;
}

namespace vivarium::engine::interp {

using vivarium::ErrorCode;
using Slot = uint64_t;

union Word;
// The fixed handler signature. All four arguments live in registers.
using Handler = const Word* (*)(const Word* pc, Slot* fp, uint8_t* mem, ExecState* st);

union Word {
  uint32_t u32;  // a slot index, an index, an unsigned immediate
  int32_t i32;   // a relative branch target (in Words), a signed immediate, a handler
};
static_assert(sizeof(Word) == 4);

// The reference point of handler Words (ops_control.cc). Hidden, so that even
// in a shared library its address is a pc-relative constant, not a GOT load.
[[gnu::visibility("hidden")]] const Word* h_anchor(const Word* pc, Slot* fp, uint8_t* mem, ExecState* st);

// The handler named by the instruction at `pc`.
inline Handler handler_at(const Word* pc) {
  return reinterpret_cast<Handler>(reinterpret_cast<intptr_t>(&h_anchor) + static_cast<intptr_t>(pc->i32));
}
// The Word naming `h`, or false if it is out of reach (it never is for
// handlers linked into one binary; the lowering reports it as an internal error).
inline bool encode_handler(Handler h, Word& w) {
  const intptr_t d = reinterpret_cast<intptr_t>(h) - reinterpret_cast<intptr_t>(&h_anchor);
  if (d != static_cast<intptr_t>(static_cast<int32_t>(d))) return false;
  w.i32 = static_cast<int32_t>(d);
  return true;
}
// A 64-bit immediate stored in Words k, k+1 (low first).
inline uint64_t imm64(const Word* pc, uint32_t k) {
  uint64_t v;
  std::memcpy(&v, pc + k, 8);
  return v;
}

#define VIV_HANDLER(name) \
  const ::vivarium::engine::interp::Word* name(const ::vivarium::engine::interp::Word* pc, ::vivarium::engine::interp::Slot* fp, uint8_t* mem, ::vivarium::engine::ExecState* st)

#if defined(__clang__) && __has_cpp_attribute(clang::musttail) && !defined(VIV_NO_MUSTTAIL)
#define VIV_MUSTTAIL 1
// Jump to the instruction at `next` (a const Word*).
#define VIV_JUMP(next)                                         \
  do {                                                         \
    const ::vivarium::engine::interp::Word* viv_n_ = (next);                \
    [[clang::musttail]] return ::vivarium::engine::interp::handler_at(viv_n_)(viv_n_, fp, mem, st); \
  } while (0)
// fp/mem changed: nothing to do, they are passed along in registers.
#define VIV_SYNC() ((void)0)
#else
#define VIV_MUSTTAIL 0
#define VIV_JUMP(next) return (next)
#define VIV_SYNC() (::vivarium::engine::interp::sync_regs(st, fp, mem))
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
// which are scalar-side) in one layout, SimdInst, whose tail only the
// instructions that need it carry:
//
//   Word 0  handler
//   Word 1  dst slot (first slot of a v128 result; unused if none)
//   Word 2  a   (first operand, deepest on the wasm stack)
//   Word 3  b   (second operand)
//   Word 4  c   (third operand)
//   Word 5  lane (lane immediate)            -- kSimdInstWords end here
//   Word 6  memarg offset (memory instructions: kSimdMemInstWords)
//   Word 6-9  16 immediate bytes (i8x16.shuffle: kSimdShuffleWords)
//
// Operand slots hold the value in slot layout: a v128 operand at slot s is
// bytes [s*8, s*8+16) of the frame (memcpy 16 bytes from &fp[s]); a scalar
// operand is a normal slot (rd_u32/rd_u64/rd_f32/rd_f64). The result is
// written the same way at `dst` (i32 results with wr_u32). dst never aliases
// a *different* operand's later-read bytes: read all operands before writing.
// A SIMD handler ends with VIV_NEXT of its layout's size.
constexpr uint32_t kSimdInstWords = 6;
constexpr uint32_t kSimdMemInstWords = 7;
constexpr uint32_t kSimdShuffleWords = 10;
struct SimdOperands {
  uint32_t dst, a, b, c, lane;
};
inline SimdOperands simd_operands(const Word* pc) {
  return {pc[1].u32, pc[2].u32, pc[3].u32, pc[4].u32, pc[5].u32};
}
// Memory instructions only.
inline uint64_t simd_offset(const Word* pc) { return pc[6].u32; }
// i8x16.shuffle only.
inline const uint8_t* simd_imm(const Word* pc) { return reinterpret_cast<const uint8_t*>(pc + 6); }

// Registration: the SIMD engineer provides engine/interp/simd/simd.h declaring
//
//   namespace vivarium::engine::interp { Handler simd_handler(Op op); }
//
// (returning nullptr for an opcode without a handler), defined in
// engine/interp/simd/*.cc. The lowering picks it up with __has_include, so
// nothing breaks before it exists; an opcode without a handler fails to lower
// with Unsupported "SIMD instruction <name> is not supported (function $f)".
}  // namespace vivarium::engine::interp

#include "engine/interp/exec_state.h"  // IWYU pragma: export
