// How the end of a guest's run becomes an Outcome: its response when `run`
// returned, otherwise a 500 (504 for the wall-time limit) whose body carries
// the trap or panic message — never a half-written response.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "host/terrarium/guest_runner.h"

namespace vivarium::terrarium {

// The guest's response, minus the framing headers the server computes itself
// (content-length, transfer-encoding, connection, ...).
Outcome ok_outcome(HttpResponse response);
// `phase` says what failed ("instantiation", "run") for the log message.
Outcome failure_outcome(const Error& e, const std::optional<std::string>& panic, const GuestLimits& limits,
                        std::string_view phase);

}  // namespace vivarium::terrarium
