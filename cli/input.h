// Reading a module file given on the command line: a file that starts with
// the binary magic "\0asm" is taken as a binary module, anything else as text
// (WAT) and encoded with the project's text parser. Shared by the commands
// so that every one of them accepts .wasm and .wat alike.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "vivarium/error.h"

namespace vivarium::cli {

// The raw bytes of a file, or an Io error naming the path.
Result<std::vector<uint8_t>> read_file(const std::string& path);

// The module's binary encoding. Text parse errors carry file:line:col.
Result<std::vector<uint8_t>> read_module_binary(const std::string& path);

// True when `bytes` starts with the wasm magic number.
bool is_wasm_binary(const std::vector<uint8_t>& bytes);

}  // namespace vivarium::cli
