// The small languages of the control plane: deployment names (DNS labels),
// durations ("90s", "5m", "1h30m", "250ms") and byte sizes ("64MiB", "512k").
// One parser each, shared by the admin API, the CLI, flags and --config, so
// every entry point accepts the same spellings and reports the same errors.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "vivarium/error.h"

namespace vivarium::server {

// A deployment name is one DNS label (RFC 1123): 1-63 characters of a-z, 0-9
// and '-', neither first nor last a '-'. Lower case only: Host routing
// lower-cases, so "Hello" could never be reached. The error says which rule.
Result<void> validate_name(std::string_view name);

// "90s", "5m", "1h", "1d", "250ms", or a sum "1h30m"; a bare number is
// seconds. Zero is allowed (callers say what it means: e.g. no TTL).
Result<std::chrono::milliseconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::milliseconds d);  // "5m", "1h30m", "250ms"

// "1048576", "512k"/"512KiB", "64M"/"64MiB", "1G"/"1GiB" (powers of 1024).
Result<uint64_t> parse_size(std::string_view text);

}  // namespace vivarium::server
