// invoke: the runtime's entry into the interpreter. Sets up an entry frame
// on the store's ExecState, runs the dispatch chain, and turns a trap into a
// vivarium::Error with the spec message and a backtrace of guest frames.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/mman.h>

#include "engine/interp/compiled.h"
#include "engine/interp/exec_state.h"
#include "engine/interp/native_stack.h"
#include "engine/interp/interp.h"
#include "engine/interp/ops.h"
#include "engine/runtime/call.h"

namespace vivarium::engine {

using interp::Frame;
using interp::Slot;
using interp::Word;
using vivarium::Error;
using vivarium::ErrorCode;
using vivarium::detail::FuncInst;
using vivarium::detail::StoreImpl;

namespace {

// Returning from the entry frame lands here and ends the run. (A handler
// Word is a distance computed at run time, hence the constructor.)
struct ExitCode {
  Word w[1];
  ExitCode() { interp::encode_handler(&interp::h_nop_exit, w[0]); }
};
const ExitCode kExitCode;
const Word* const kExit = kExitCode.w;

ExecState* exec_state(StoreImpl& store) {
  if (store.tier_state) return reinterpret_cast<ExecState*>(store.tier_state.get());
  auto* st = new ExecState;
  st->store = &store;
  const uint64_t slots = std::max<uint64_t>(store.limits.max_stack_bytes / sizeof(Slot), 1024);
  const uint64_t nframes = uint64_t{store.limits.max_call_depth} + 2;  // + bottom sentinel
  // One mapping for frames and value stack, from the engine's instance
  // allocator: faulted in page by page as deep calls touch it, so the first
  // call on a new store costs one mmap (or, pooled, nothing), not a calloc of
  // the whole frame array.
  st->region_bytes = nframes * sizeof(Frame) + slots * sizeof(Slot);
  st->allocator = store.allocator;
  void* region = st->allocator->allocate_stack(st->region_bytes);
  if (region != nullptr) {
    st->region = region;
    st->frames = static_cast<Frame*>(region);
    st->frames_end = st->frames + nframes;
    st->stack = reinterpret_cast<Slot*>(st->frames_end);
    st->stack_end = st->stack + slots;
  }
  st->stack_top = st->stack;
  st->frame = st->frames;
  store.tier_state = std::unique_ptr<vivarium::detail::TierStoreState, void (*)(vivarium::detail::TierStoreState*)>(
      reinterpret_cast<vivarium::detail::TierStoreState*>(st),
      [](vivarium::detail::TierStoreState* p) { delete reinterpret_cast<ExecState*>(p); });
  return st;
}

void run(ExecState* st, const Word* pc, Slot* fp, uint8_t* mem) {
#if VIV_MUSTTAIL
  interp::handler_at(pc)(pc, fp, mem, st);
#else
  st->fp = fp;
  st->mem = mem;
  while (pc) pc = interp::handler_at(pc)(pc, st->fp, st->mem, st);
#endif
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Describes the guest frames from the trapping one (innermost) down to, and
// including, `entry`, then unwinds them.
Error trap_error(ExecState* st, Frame* entry) {
  Error err = st->host_error ? std::move(*st->host_error)
                             : Error(st->trap_code, vivarium::trap_message(st->trap_code));
  st->host_error.reset();
  std::string bt;
  const Word* pc = st->trap_pc;
  bool first = true;
  // Deep recursion would make a backtrace of thousands of identical lines:
  // keep the innermost and outermost frames and count the rest.
  constexpr ptrdiff_t kHead = 32, kTail = 16;
  const ptrdiff_t depth = st->frame - entry + 1;
  for (Frame* f = st->frame; f >= entry; --f) {
    const ptrdiff_t i = st->frame - f;
    if (depth > kHead + kTail && i >= kHead && i < depth - kTail) {
      if (i == kHead) bt += "  ... " + std::to_string(depth - kHead - kTail) + " more frames\n";
      pc = f->ret_pc ? f->ret_pc - 1 : nullptr;
      continue;
    }
    const CompiledFunc* cf = compiled(f->func->code);
    std::string name = cf && cf->module ? cf->module->func_display_name(cf->func_index)
                                        : "func[" + std::to_string(f->func->func_index) + "]";
    const uint64_t off = cf && pc ? cf->offset_of(pc) : vivarium::Location::kNone;
    if (first && err.where().function.empty()) {
      err.where().function = name;
      if (off != vivarium::Location::kNone && err.where().offset == vivarium::Location::kNone) err.where().offset = off;
    }
    first = false;
    bt += "  at " + name;
    if (off != vivarium::Location::kNone) bt += " (offset " + hex(off) + ")";
    bt += "\n";
    // The caller resumes after its call instruction: the call is just before.
    pc = f->ret_pc ? f->ret_pc - 1 : nullptr;
  }
  if (err.backtrace().empty()) err.with_backtrace(std::move(bt));
  st->trapped = false;
  st->trap_pc = nullptr;
  return err;
}

}  // namespace

Result<void> invoke(StoreImpl& store, FuncInst* f, const RawSlot* args, RawSlot* results) {
  if (f->is_host()) return vivarium::detail::call_function(store, *f, args, results);
  ExecState* st = exec_state(store);
  if (!st->stack || !st->frames) return Error(ErrorCode::LimitExceeded, "cannot allocate the interpreter stack");
  const CompiledFunc* cf = compiled(f->code);
  if (!cf) return Error(ErrorCode::Internal, "function has no code");

  const bool outermost = st->reentry == 0;
  Slot* base = outermost ? st->stack : st->stack_top;
  if (st->reentry >= interp::kMaxNativeReentry || (st->reentry != 0 && interp::native_stack_low()) ||
      st->frame + 1 >= st->frames_end ||
      base + std::max(cf->frame_slots, cf->result_slots) > st->stack_end) {
    Error e(ErrorCode::CallStackExhausted, "call stack exhausted");
    e.where().function = cf->module ? cf->module->func_display_name(cf->func_index) : "";
    return e;
  }
  // args/results may be null for [] -> [] (a start function): never passed on.
  if (cf->param_slots) {
    if (args) std::memcpy(base, args, cf->param_slots * sizeof(Slot));
    else std::memset(base, 0, cf->param_slots * sizeof(Slot));
  }
  std::memset(base + cf->param_slots, 0, (cf->local_slots - cf->param_slots) * sizeof(Slot));

  if (outermost) {
    if (store.fuel_enabled) {
      const uint64_t grant = std::min<uint64_t>(store.fuel, interp::kCheckInterval);
      store.fuel -= grant;
      st->budget = static_cast<int64_t>(grant);
    } else {
      st->budget = interp::kCheckInterval;
    }
  }

  // Entry frame: returning from it restores the state of whoever called us
  // (nothing, or the wasm code that called the host function we run under).
  Frame* entry = interp::push_frame(st, kExit, base, nullptr, f);
  Slot* saved_top = st->stack_top;
  uint8_t* mem = interp::enter_instance(st, f->instance);
  ++st->reentry;
  run(st, cf->code.get(), base, mem);
  --st->reentry;
  st->stack_top = saved_top;

  Result<void> out;
  if (st->trapped) {
    out = trap_error(st, entry);
    st->frame = entry - 1;
    st->inst = entry->ret_inst;
    st->mem_size = entry->ret_mem_size;
  } else {
    if (cf->result_slots && results) std::memcpy(results, base, cf->result_slots * sizeof(Slot));
  }
  if (outermost && store.fuel_enabled) {
    store.fuel += static_cast<uint64_t>(std::max<int64_t>(st->budget, 0));
    st->budget = 0;
  }
  return out;
}

size_t compiled_size(const CompiledFunc& f) {
  return sizeof(CompiledFunc) + f.code_words * sizeof(Word) + f.offset_table_bytes;
}

void destroy_compiled(CompiledFunc* f) { delete f; }

}  // namespace vivarium::engine
