// The WebAssembly text format (spec chapter 6) -> binary format.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "vivarium/error.h"

namespace vivarium::engine {

// Parses one module: either "(module ...)" or a bare sequence of module fields.
// Produces the binary encoding; does not validate (a text module with a type
// error encodes fine and fails validation later). Malformed text gets an
// ErrorCode::TextSyntax error with line and column.
vivarium::Result<std::vector<uint8_t>> wat_to_binary(std::string_view text, std::string_view file = {});

}  // namespace vivarium::engine
