// Handlers of the v128 memory instructions other than v128.load/v128.store:
// load-extend, load-splat, load-zero and load/store-lane.
#pragma once
#include "engine/interp/handler.h"

namespace vivarium::engine::interp {

// Fills table[op] for each of those opcodes (table has kOpCount entries).
void register_memory_handlers(Handler* table);

}  // namespace vivarium::engine::interp
