// Satisfies every import of a module with a host object of the right type,
// so fuzzed modules get past linking and their code actually runs.
#pragma once
#include "vivarium/vivarium.h"

namespace vivarium::engine::fuzz {

// Functions return zeros (null for references); memories, tables and
// globals are fresh objects of exactly the imported type. False when an
// object cannot be created (e.g. a memory bigger than the store's limit).
bool define_dummy_imports(vivarium::Linker& linker, vivarium::Store& store, const vivarium::Module& module);

}  // namespace vivarium::engine::fuzz
