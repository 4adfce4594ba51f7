// Reading a module file given on the command line. One rule for every
// command, the library's (vivarium::Module::read_file): ".wasm" is binary,
// ".wat" is text, anything else is sniffed by the "\0asm" magic.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "vivarium/error.h"

namespace vivarium::cli {

// The module's binary encoding. Text parse errors carry file:line:col; I/O
// errors name the path and the reason.
Result<std::vector<uint8_t>> read_module_binary(const std::string& path);

}  // namespace vivarium::cli
