// The `spectest` host module that the spec test suite imports from
// (print*, global_*, table, memory), defined into a Linker for one Store.
#pragma once
#include <cstdio>

#include "vivarium/linker.h"
#include "vivarium/store.h"

namespace vivarium::engine::script {

// Defines every spectest export under module name "spectest". The memory,
// table and globals are created in `store`, so the linker can then only
// instantiate into that store. `print_to` receives the print* output
// ("42 : i32" per value, as the reference interpreter prints); nullptr
// discards it, which keeps test logs readable.
vivarium::Result<void> define_spectest(vivarium::Linker& linker, vivarium::Store& store,
                                       std::FILE* print_to = nullptr);

}  // namespace vivarium::engine::script
