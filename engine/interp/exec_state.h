// ExecState: the interpreter's per-store execution state (held opaque by the
// store as StoreImpl::tier_state, engine/runtime/objects.h). Holds the value stack that every wasm frame
// lives in and the explicit call frames, so wasm->wasm calls never recurse on
// the native stack; depth is bounded by StoreLimits (max_call_depth,
// max_stack_bytes) and ends in "call stack exhausted".
#pragma once
#include <cstdint>
#include <optional>

#include "engine/interp/handler.h"
#include "engine/runtime/objects.h"

namespace vivarium::engine {

namespace interp {
// One activation. `func` runs in this frame; the ret_* fields restore the
// caller's registers when it returns.
struct Frame {
  const Word* ret_pc;
  Slot* ret_fp;
  uint8_t* ret_mem;
  vivarium::detail::InstanceImpl* ret_inst;
  const uint64_t* ret_mem_size;
  vivarium::detail::FuncInst* func;
};

// Host -> wasm re-entry recurses natively (a host function calls back into
// wasm); this bounds how deep that may go so a 1 MB native stack suffices.
constexpr uint32_t kMaxNativeReentry = 100;
// Back-edges and calls between two checks of the deadline/interrupt flag.
constexpr int64_t kCheckInterval = 1 << 14;
}  // namespace interp

struct ExecState {
  vivarium::detail::StoreImpl* store = nullptr;
  vivarium::detail::InstanceImpl* inst = nullptr;  // instance of the running function
  const uint64_t* mem_size = nullptr;             // &memory0->size, or &kZero

  // Countdown to the next slow check (fuel refill, deadline, interrupt):
  // decremented at loop back-edges and calls; < 0 calls interp::slow_check.
  // With fuel on, the units in `budget` are already taken from the store's
  // fuel; the outermost invoke gives back what is left when it returns.
  int64_t budget = 0;

  interp::Frame* frame = nullptr;  // running frame (top)
  interp::Frame* frames = nullptr;
  interp::Frame* frames_end = nullptr;
  interp::Slot* stack = nullptr;
  interp::Slot* stack_end = nullptr;
  interp::Slot* stack_top = nullptr;  // first free slot while a host function runs
  uint32_t reentry = 0;
  void* region = nullptr;  // one mapping holding `frames` then `stack` (given back on destruction)
  vivarium::detail::InstanceAllocator* allocator = nullptr;  // where `region` came from
  uint64_t region_bytes = 0;

  // Set by a trap: what and where. A host function's own error is kept whole.
  bool trapped = false;
  vivarium::ErrorCode trap_code = vivarium::ErrorCode::Internal;
  const interp::Word* trap_pc = nullptr;
  std::optional<vivarium::Error> host_error;

  // Registers for the non-musttail dispatch loop (VIV_SYNC).
  interp::Slot* fp = nullptr;
  uint8_t* mem = nullptr;

  ~ExecState();
};

namespace interp {
// Fuel/deadline/interrupt check when `budget` ran out. Returns false (after
// recording the trap) when execution must stop.
bool slow_check(ExecState* st, const Word* pc);

// After a slow instruction (memory.grow, a large memory.fill or copy): the
// next back-edge or call runs slow_check, so a loop of them cannot outrun
// the deadline, an interrupt or a time slice by thousands of iterations.
// Fuel is unchanged (what was granted goes back to the store).
inline void check_soon(ExecState* st) {
  if (st->budget <= 0) return;
  if (st->store->fuel_enabled) st->store->fuel += static_cast<uint64_t>(st->budget);
  st->budget = 0;
}
constexpr uint64_t kSlowBulkBytes = 64 << 10;  // fill/copy sizes that call check_soon

// Memory 0 of the running instance: its size in bytes now.
inline uint64_t mem_size(const ExecState* st) { return *st->mem_size; }
// Effective-address check (spec 4.4.7): addr is the u32 operand, offset the
// memarg offset, n the access width; computed in 64 bits so it cannot wrap.
inline bool mem_in_bounds(const ExecState* st, uint64_t addr, uint64_t offset, uint64_t n) {
  return addr + offset + n <= *st->mem_size;
}
// Switch the state to `inst` (memory size pointer); returns its memory base.
uint8_t* enter_instance(ExecState* st, vivarium::detail::InstanceImpl* inst);
// Pushes the frame that returning from `callee` pops: where to resume (pc,
// frame, memory base) and the caller's instance. The one place that knows the
// Frame layout; callers have already checked that frames_end leaves room.
inline Frame* push_frame(ExecState* st, const Word* ret_pc, Slot* ret_fp, uint8_t* ret_mem,
                         vivarium::detail::FuncInst* callee) {
  Frame* f = ++st->frame;
  f->ret_pc = ret_pc;
  f->ret_fp = ret_fp;
  f->ret_mem = ret_mem;
  f->ret_inst = st->inst;
  f->ret_mem_size = st->mem_size;
  f->func = callee;
  return f;
}
}  // namespace interp

}  // namespace vivarium::engine
