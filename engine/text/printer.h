// Disassembles decoded function bodies to text-format instructions, for
// `vivarium inspect` and diagnostics. Reads code through InstrReader and takes
// every mnemonic from the opcode table; names come from the name section.
#pragma once
#include <cstdint>
#include <string>

#include "engine/module/module.h"

namespace vivarium::engine {

// The instructions of defined function `defined_index` (0-based among the
// module's own functions, imports excluded), one per line, indented by block
// depth, without the function's final `end`. Malformed code prints what could
// be read followed by a `(; error: ... ;)` line. An out-of-range index yields "".
std::string print_function_body(const ModuleIR& m, uint32_t defined_index);

// The whole function as a `(func ...)` form: name, type, params, results and
// locals, then the body.
std::string print_function(const ModuleIR& m, uint32_t defined_index);

}  // namespace vivarium::engine
