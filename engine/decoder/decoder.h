// Binary decoder: bytes -> ModuleIR (spec chapter 5). Checks everything the
// binary format says (section order and sizes, strict LEB128, UTF-8 names,
// function/code count agreement, data count) and nothing validation says.
// Function bodies and constant expressions are scanned structurally (every
// instruction and immediate well-formed, blocks nested, the final `end` at
// the entry's end), so everything malformed fails here and later stages can
// assume well-formed code; typing is left to the validator.
#pragma once
#include <memory>
#include <span>
#include <vector>

#include "engine/module/module.h"

namespace vivarium::engine {

// Errors are Malformed-phase, with the byte offset and the section name in
// Error::where(). Never reads out of bounds, never allocates more than the
// input can justify (counts are checked against remaining bytes first).
Result<std::unique_ptr<ModuleIR>> decode(std::span<const uint8_t> bytes);
// The same, taking over `bytes` instead of copying them (files just read).
Result<std::unique_ptr<ModuleIR>> decode(std::vector<uint8_t>&& bytes);

}  // namespace vivarium::engine
