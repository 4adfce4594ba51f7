// Runs a parsed WAST script (engine/text/wast.h) against the engine through
// the public API: one Store per script, a Linker holding the spectest module
// and every `register`ed instance. Each command is one check that passes or
// fails; nothing is printed here — the report carries every outcome so the
// caller can weigh it against a known-failure list before printing.
#pragma once
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "engine/text/wast.h"
#include "vivarium/error.h"
#include "vivarium/module.h"

namespace vivarium::engine::script {

struct Outcome {
  uint32_t line = 0;
  bool passed = false;
  std::string command;  // "assert_return (invoke \"f\")", "module $M", ...
  std::string detail;   // for failures: expected vs. got
};

struct ScriptReport {
  std::string file;
  std::vector<Outcome> outcomes;  // in script order
  uint32_t passed() const {
    uint32_t n = 0;
    for (const Outcome& o : outcomes) n += o.passed ? 1 : 0;
    return n;
  }
  uint32_t failed() const { return static_cast<uint32_t>(outcomes.size()) - passed(); }
};

struct RunnerOptions {
  // Where spectest.print* writes; nullptr discards.
  std::FILE* spectest_output = nullptr;
  // When set, every module binary the script contains (valid or not) is
  // written here as <script>-<line>.wasm: the fuzzer's seed corpus.
  std::string emit_modules_dir;
  // The tier every module of the script is compiled for.
  vivarium::ExecutionTier tier = vivarium::ExecutionTier::Interpreter;
  // Progress hooks: before each command runs, and after it has an outcome.
  // `vivarium wast` runs scripts in a child process and streams these to the
  // parent, so a crash or hang still names the command that caused it.
  std::function<void(uint32_t line)> on_command_start;
  std::function<void(const Outcome&)> on_outcome;
};

// Runs every command of `script`.
ScriptReport run_script(const Script& script, const RunnerOptions& opts = {});

// Reads and parses `path`, then runs it. A script that cannot be read or
// parsed yields one failed outcome at the error's line.
ScriptReport run_wast_file(const std::string& path, const RunnerOptions& opts = {});

}  // namespace vivarium::engine::script
