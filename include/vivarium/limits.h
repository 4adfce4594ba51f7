// StoreLimits: what one store may allocate and how deep it may call. Its own
// header so that the engine's lower layers can read limits without the
// public Store.
#pragma once
#include <cstdint>

namespace vivarium {

// What one store may allocate, checked before anything is allocated (as
// wasmtime's ResourceLimiter): at instantiation (which fails with
// LimitExceeded naming the limit) and at every memory.grow / table.grow
// (which returns -1 to the guest, as the spec allows).
struct StoreLimits {
  uint32_t max_memory_pages = 65536;       // per memory, 64 KiB pages (65536 = 4 GiB)
  uint32_t max_table_elements = 10000000;  // per table
  uint32_t max_instances = 10000;
  uint32_t max_call_depth = 20000;         // wasm frames before "call stack exhausted"
  uint64_t max_stack_bytes = 16u << 20;    // operand+locals stack size
  // Appended (so positional initializers written before them still mean
  // what they meant):
  uint32_t max_memories = 10000;           // linear memories in the store (defined or host-created)
  uint32_t max_tables = 10000;             // tables in the store (defined or host-created)
  // Bytes across all memories (64 KiB per page) and tables (8 per element)
  // of the store. The default is no limit beyond the per-object ones.
  uint64_t max_total_bytes = UINT64_MAX;
};

}  // namespace vivarium
