// Runs one WAST script in a child process. An engine crash or hang then
// costs one failed command (named by its line) instead of the whole suite's
// report, which matters while the engine is young and is what a test
// harness over hostile inputs should do anyway.
#pragma once
#include <string>

#include "tools/script/runner.h"

namespace vivarium::cli {

// The child streams each command's start and outcome through a pipe. If it
// dies by a signal, or runs longer than `timeout_seconds` (then it is
// killed), the report ends with a failed outcome at the line of the command
// that was running.
vivarium::engine::script::ScriptReport run_wast_isolated(const std::string& path, const vivarium::engine::script::RunnerOptions& opts,
                                            unsigned timeout_seconds);

}  // namespace vivarium::cli
