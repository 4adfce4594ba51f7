// Control transfer: branches (targets are relative Word offsets resolved at
// lowering), calls and returns on explicit frames (no native recursion per
// wasm call), and the metering hook at back-edges and calls: one decrement
// and one predictable branch; the rest happens in slow_check.
#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/interp/compiled.h"
#include "engine/interp/exec_state.h"
#include "engine/interp/ops.h"
#include "engine/runtime/call.h"

namespace vivarium::engine::interp {

using vivarium::detail::FuncInst;
using vivarium::detail::TableInst;

// The reference point of handler Words (handler.h); never executed.
VIV_HANDLER(h_anchor) { return trap(st, pc, ErrorCode::Internal); }
VIV_HANDLER(h_unreachable) { return trap(st, pc, ErrorCode::Unreachable); }
VIV_HANDLER(h_nop_exit) { return nullptr; }

VIV_HANDLER(h_br) { VIV_JUMP(pc + pc[1].i32); }
VIV_HANDLER(h_br_loop) { VIV_BACK_EDGE(1); }
VIV_HANDLER(h_br_if) {
  if (rd_u32(fp, pc[1].u32)) VIV_JUMP(pc + pc[2].i32);
  VIV_NEXT(3);
}
VIV_HANDLER(h_br_if_loop) {
  if (rd_u32(fp, pc[1].u32)) VIV_BACK_EDGE(2);
  VIV_NEXT(3);
}
VIV_HANDLER(h_br_unless) {
  if (!rd_u32(fp, pc[1].u32)) VIV_JUMP(pc + pc[2].i32);
  VIV_NEXT(3);
}
VIV_HANDLER(h_br_unless_loop) {
  if (!rd_u32(fp, pc[1].u32)) VIV_BACK_EDGE(2);
  VIV_NEXT(3);
}
VIV_HANDLER(h_br_table) {
  uint32_t i = rd_u32(fp, pc[1].u32);
  const uint32_t n = pc[2].u32;  // index of the default target
  if (i > n) i = n;
  VIV_JUMP(pc + pc[3 + i].i32);
}

// br_table whose index an i32.add of a constant just computed (a switch on
// `x - k`): [h][x][k][n][rel0]...
VIV_HANDLER(h_br_table_addi) {
  uint32_t i = rd_u32(fp, pc[1].u32) + pc[2].u32;
  const uint32_t n = pc[3].u32;
  if (i > n) i = n;
  VIV_JUMP(pc + pc[4 + i].i32);
}
// br_table whose index an i32.load8_u just loaded (a bytecode dispatch):
// [h][addr][off][n][rel0]...; traps like the load (same offset-table entry).
VIV_HANDLER(h_br_table_load8u) {
  const uint64_t addr = rd_u32(fp, pc[1].u32), off = pc[2].u32;
  if (!mem_in_bounds(st, addr, off, 1)) [[unlikely]] VIV_TAIL(h_trap_memory_oob);
  uint32_t i = mem[addr + off];
  const uint32_t n = pc[3].u32;
  if (i > n) i = n;
  VIV_JUMP(pc + pc[4 + i].i32);
}

VIV_HANDLER(h_return) {
  const Frame* f = st->frame--;
  st->inst = f->ret_inst;
  st->mem_size = f->ret_mem_size;
  fp = f->ret_fp;
  mem = f->ret_mem;
  VIV_SYNC();
  VIV_JUMP(f->ret_pc);
}

namespace {

// A function whose module's tier has native code for it (CompiledFunc::
// tier_up) runs there. The fuel this run holds goes back to the store first,
// so both tiers draw on the same fuel and run out at the same instruction count.
vivarium::Result<void> call_other_tier(ExecState* st, FuncInst* callee, Slot* args, Slot* res) {
  vivarium::detail::StoreImpl& s = *st->store;
  if (s.fuel_enabled) {
    s.fuel += static_cast<uint64_t>(std::max<int64_t>(st->budget, 0));
    st->budget = 0;
  }
  vivarium::Result<void> r = vivarium::detail::call_function(s, *callee, args, res);
  if (s.fuel_enabled) {
    const uint64_t grant = std::min<uint64_t>(s.fuel, kCheckInterval);
    s.fuel -= grant;
    st->budget = static_cast<int64_t>(grant);
  }
  return r;
}

// Whether a call to `cf` leaves the interpreter (see CompiledFunc::tier_up).
inline bool tiered_up(const CompiledFunc* cf, const FuncInst* callee) {
  const uint8_t t = cf->tier_up.load(std::memory_order_acquire);
  if (t == 0) return false;
  if (t == CompiledFunc::kTierUpAlways) return true;
  const auto& mems = callee->instance->memories;
  return mems.empty() || mems[0]->reserved >= vivarium::detail::kFullReservation;
}

// Calls a host function (or one another tier runs): arguments are the caller's slots at `args`; results
// go back to the same place (the wasm calling convention), via a buffer
// because a raw host function may write results before reading all arguments.
[[gnu::noinline]] bool call_host(ExecState* st, FuncInst* callee, Slot* args, const Word* pc) {
  const vivarium::FuncType& t = *callee->type;
  uint32_t nres = 0, nargs = 0;
  for (ValType v : t.results) nres += v == ValType::V128 ? 2 : 1;
  for (ValType v : t.params) nargs += v == ValType::V128 ? 2 : 1;
  Slot small[16];
  std::vector<Slot> big;
  Slot* res = small;
  if (nres > 16) {
    big.resize(nres);
    res = big.data();
  }
  if (!st->store->owner) {  // the store interface (StoreHost) runs host functions
    st->host_error = vivarium::Error(ErrorCode::Internal, "host function called without a Store");
    trap(st, pc, ErrorCode::HostTrap);
    return false;
  }
  // A host function may re-enter wasm: that run starts above these slots.
  Slot* saved_top = st->stack_top;
  st->stack_top = args + (nargs > nres ? nargs : nres);
  vivarium::Result<void> r = callee->is_host() ? st->store->owner->call_host(*callee, st->inst, args, res)
                                               : call_other_tier(st, callee, args, res);
  st->stack_top = saved_top;
  if (!r.ok()) {
    st->host_error = std::move(r).error();
    trap(st, pc, ErrorCode::HostTrap);
    return false;
  }
  std::memcpy(args, res, nres * sizeof(Slot));
  return true;
}

// Enters `callee` with its frame at `nfp`; returns the next pc (the callee's
// first instruction, or `ret` after a host call), or nullptr after a trap.
// Updates fp/mem for the callee.
inline const Word* enter(FuncInst* callee, const Word* pc, const Word* ret, Slot*& fp, uint8_t*& mem,
                         ExecState* st, Slot* nfp) {
  if (--st->budget < 0 && !slow_check(st, pc)) return nullptr;
  const CompiledFunc* cf = compiled(callee->code);
  if (!cf || tiered_up(cf, callee)) return call_host(st, callee, nfp, pc) ? ret : nullptr;
  if (st->frame + 1 == st->frames_end || nfp + cf->frame_slots > st->stack_end) {
    return trap(st, pc, ErrorCode::CallStackExhausted);
  }
  push_frame(st, ret, fp, mem, callee);
  std::memset(nfp + cf->param_slots, 0, (cf->local_slots - cf->param_slots) * sizeof(Slot));
  if (callee->instance != st->inst) mem = enter_instance(st, callee->instance);
  fp = nfp;
  return cf->code.get();
}


// The general call: host callees, another instance, metering slow path,
// stack exhaustion (cold handlers the fast ones tail-call).
VIV_HANDLER(h_call_slow) {
  FuncInst* callee = st->inst->funcs[pc[1].u32];
  const Word* n = enter(callee, pc, pc + 3, fp, mem, st, fp + pc[2].u32);
  if (!n) return nullptr;
  VIV_SYNC();
  VIV_JUMP(n);
}
VIV_HANDLER(h_call_indirect_slow) {
  const TableInst* t = st->inst->tables[pc[1].u32];
  const uint32_t i = rd_u32(fp, pc[4].u32);
  if (i >= t->elems.size()) return trap(st, pc, ErrorCode::UndefinedElement);
  FuncInst* callee = static_cast<FuncInst*>(t->elems[i]);
  if (!callee) return trap(st, pc, ErrorCode::UninitializedElement);
  if (callee->type_id != st->inst->type_ids[pc[3].u32]) return trap(st, pc, ErrorCode::IndirectCallTypeMismatch);
  const Word* n = enter(callee, pc, pc + 5, fp, mem, st, fp + pc[2].u32);
  if (!n) return nullptr;
  VIV_SYNC();
  VIV_JUMP(n);
}

// The common call: a wasm function of the same instance, budget left, room
// on the stacks. No call and no stack frame here; locals are zeroed inline
// (usually a few slots, where a memset call would cost more than the stores).
#if defined(__clang__)
#define VIV_NO_MEMSET __attribute__((no_builtin("memset")))
#else
#define VIV_NO_MEMSET
#endif
[[gnu::always_inline]] inline bool fast_enter(FuncInst* callee, const Word* ret, Slot*& fp, uint8_t* mem, ExecState* st,
                                                  Slot* nfp, const Word*& next) {
  const CompiledFunc* cf = compiled(callee->code);
  if (!cf || st->budget <= 0 || callee->instance != st->inst || st->frame + 1 == st->frames_end ||
      nfp + cf->frame_slots > st->stack_end || cf->tier_up.load(std::memory_order_relaxed) != 0) {
    return false;
  }
  --st->budget;
  push_frame(st, ret, fp, mem, callee);
#if defined(__clang__)
#pragma clang loop vectorize(disable) unroll(disable)
#endif
  for (Slot *p = nfp + cf->param_slots, *e = nfp + cf->local_slots; p < e; ++p) *p = 0;
  fp = nfp;
  next = cf->code.get();
  return true;
}

}  // namespace

VIV_NO_MEMSET VIV_HANDLER(h_call) {
  FuncInst* callee = st->inst->funcs[pc[1].u32];
  const Word* n;
  if (!fast_enter(callee, pc + 3, fp, mem, st, fp + pc[2].u32, n)) [[unlikely]] VIV_TAIL(h_call_slow);
  VIV_SYNC();
  VIV_JUMP(n);
}

VIV_NO_MEMSET VIV_HANDLER(h_call_indirect) {
  const TableInst* t = st->inst->tables[pc[1].u32];
  const uint32_t i = rd_u32(fp, pc[4].u32);
  FuncInst* callee = i < t->elems.size() ? static_cast<FuncInst*>(t->elems[i]) : nullptr;
  const Word* n;
  if (!callee || callee->type_id != st->inst->type_ids[pc[3].u32] ||
      !fast_enter(callee, pc + 5, fp, mem, st, fp + pc[2].u32, n)) [[unlikely]] {
    VIV_TAIL(h_call_indirect_slow);
  }
  VIV_SYNC();
  VIV_JUMP(n);
}

}  // namespace vivarium::engine::interp
