// ExecState lifetime, traps, the metering slow path and instance switching.
#include "engine/interp/exec_state.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include <sys/mman.h>

#include "engine/binary/reader.h"
#include "engine/interp/compiled.h"
#include "engine/text/writer.h"
#include "engine/interp/ops.h"

namespace vivarium::engine {

ExecState::~ExecState() {
  if (region) allocator->release_stack(region, region_bytes);
}

std::vector<uint8_t> CompiledFunc::encode_offsets(const std::vector<std::pair<uint32_t, uint32_t>>& entries) {
  std::vector<uint8_t> out;
  out.reserve(entries.size() * 2 + 8);
  uint32_t word = 0, offset = 0;
  for (const auto& [w, o] : entries) {
    text::put_u32(out, w - word);
    text::put_s64(out, static_cast<int64_t>(o) - static_cast<int64_t>(offset));
    word = w;
    offset = o;
  }
  return out;
}

uint64_t CompiledFunc::offset_of(const interp::Word* pc) const {
  if (pc < code.get() || pc >= code.get() + code_words) return vivarium::Location::kNone;
  const uint64_t at = static_cast<uint64_t>(pc - code.get());
  // The last entry whose Word index is <= at.
  Reader r({offset_table(), offset_table_bytes});
  uint64_t word = 0;
  int64_t offset = 0;
  uint64_t found = vivarium::Location::kNone;
  while (!r.at_end()) {
    auto dw = r.u32();
    auto doff = r.s64();
    if (!dw || !doff) break;  // cannot happen: the lowering wrote it
    word += *dw;
    offset += *doff;
    if (word > at) break;
    found = static_cast<uint64_t>(offset);
  }
  return found;
}

namespace interp {

namespace {
const uint64_t kZeroSize = 0;
}

const Word* trap(ExecState* st, const Word* pc, ErrorCode code) {
  st->trapped = true;
  st->trap_code = code;
  st->trap_pc = pc;
  return nullptr;
}

const Word* h_trap_memory_oob(const Word* pc, Slot*, uint8_t*, ExecState* st) {
  return trap(st, pc, ErrorCode::MemoryOutOfBounds);
}
const Word* h_trap_div_by_zero(const Word* pc, Slot*, uint8_t*, ExecState* st) {
  return trap(st, pc, ErrorCode::IntegerDivideByZero);
}
const Word* h_trap_int_overflow(const Word* pc, Slot*, uint8_t*, ExecState* st) {
  return trap(st, pc, ErrorCode::IntegerOverflow);
}

void sync_regs(ExecState* st, Slot* fp, uint8_t* mem) {
  st->fp = fp;
  st->mem = mem;
}

uint8_t* enter_instance(ExecState* st, vivarium::detail::InstanceImpl* inst) {
  st->inst = inst;
  if (inst && !inst->memories.empty()) {
    st->mem_size = &inst->memories[0]->size;
    return inst->memories[0]->base;
  }
  st->mem_size = &kZeroSize;
  return nullptr;
}

bool slow_check(ExecState* st, const Word* pc) {
  vivarium::detail::StoreImpl& s = *st->store;
  // First, so that a guest suspended here past its deadline stops at once
  // when it is resumed.
  if (s.check_hook != nullptr && !s.check_hook(s.check_hook_arg)) {
    st->budget = 0;
    st->host_error = vivarium::Error(ErrorCode::DeadlineExceeded, "stopped by the store's check hook");
    trap(st, pc, ErrorCode::DeadlineExceeded);
    return false;
  }
  if (s.interrupt_requested.exchange(false, std::memory_order_relaxed)) {
    st->budget = 0;
    st->host_error = vivarium::Error(ErrorCode::DeadlineExceeded, "interrupted");
    trap(st, pc, ErrorCode::DeadlineExceeded);
    return false;
  }
  if (s.has_deadline && std::chrono::steady_clock::now() >= s.deadline) {
    st->budget = 0;
    trap(st, pc, ErrorCode::DeadlineExceeded);
    return false;
  }
  if (s.fuel_enabled) {
    // The grant is used up; this event needs one more unit.
    if (s.fuel == 0) {
      st->budget = 0;
      trap(st, pc, ErrorCode::OutOfFuel);
      return false;
    }
    const uint64_t grant = std::min<uint64_t>(s.fuel, kCheckInterval);
    s.fuel -= grant;
    st->budget = static_cast<int64_t>(grant) - 1;
    return true;
  }
  st->budget = kCheckInterval;
  return true;
}

const OpTable& op_table(bool narrow) {
  static const OpTable tables[2] = {[] {
                                      OpTable t{};
                                      register_int_ops(t, false);
                                      register_float_ops(t, false);
                                      register_conv_ops(t, false);
                                      register_mem_ops(t, false);
                                      return t;
                                    }(),
                                    [] {
                                      OpTable t{};
                                      register_int_ops(t, true);
                                      register_float_ops(t, true);
                                      register_conv_ops(t, true);
                                      register_mem_ops(t, true);
                                      return t;
                                    }()};
  return tables[narrow ? 1 : 0];
}

}  // namespace interp
}  // namespace vivarium::engine
