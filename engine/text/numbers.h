// Numeric literals of the text format (spec 6.3.1-6.3.2): integers with
// optional sign, hex and `_` separators; floats in decimal or hex, inf, nan and
// nan:0xPAYLOAD. Floats are rounded exactly (round to nearest, ties to even).
#pragma once
#include <cstdint>
#include <string_view>

namespace vivarium::engine::text {

enum class NumStatus : uint8_t {
  Ok,
  Syntax,  // not a literal of this kind at all (the parser says "unknown operator")
  Range,   // well-formed but does not fit ("constant out of range")
};

// Unsigned literal (no sign) that must be <= max.
NumStatus parse_nat(std::string_view text, uint64_t max, uint64_t& out);
// Integer literal for an N-bit type (N = 8, 16, 32, 64): accepts [-2^(N-1), 2^N)
// and returns the N-bit two's-complement pattern (zero-extended).
NumStatus parse_int(std::string_view text, unsigned bits, uint64_t& out);
// Float literals, as IEEE bit patterns.
NumStatus parse_f32(std::string_view text, uint32_t& bits);
NumStatus parse_f64(std::string_view text, uint64_t& bits);
// True when `text` is a well-formed integer or float literal (in range or not).
bool is_number_syntax(std::string_view text);

}  // namespace vivarium::engine::text
