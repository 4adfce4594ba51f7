// Comparing an actual result against an assert_return expectation. Floats
// are compared by bits (so -0 != +0 and NaN payloads matter), NaN patterns
// (nan:canonical / nan:arithmetic) per value or per v128 lane.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "engine/text/wast.h"
#include "vivarium/types.h"

namespace vivarium::engine::script {

// Maps `ref.extern N` to the host reference the runner passes for N.
using ExternResolver = std::function<vivarium::Ref(uint32_t)>;

bool matches(const Expected& e, const vivarium::Value& v, const ExternResolver& resolve);

// Human-readable expectation, e.g. "i32:42", "f32:nan:canonical",
// "v128 f32x4 [1.0 nan:arithmetic ...]", "ref.null extern", "ref.extern 3".
std::string describe(const Expected& e);

// NaN classification on raw bits; `bits` is 32 or 64 wide.
bool is_canonical_nan(uint64_t value, int bits);
bool is_arithmetic_nan(uint64_t value, int bits);

}  // namespace vivarium::engine::script
