// The spec's C.refs (3.4.10, "Modules"): the functions a `ref.func` inside a
// function body may name. A function is declared when its index occurs in the
// module outside function bodies and the start section: in an element
// segment, an export, or a global's initializer.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/module/module.h"

namespace vivarium::engine {

// Sets out[f] = 1 for every declared function f (out is resized to
// total_funcs()). Indices out of range are skipped here: module validation
// reports them where they occur.
void collect_declared_funcs(const ModuleIR& module, std::vector<uint8_t>& out);

}  // namespace vivarium::engine
