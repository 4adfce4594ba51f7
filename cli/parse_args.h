// Command-line parsing shared by every command, so they all answer a bad
// command line the same way: CLI11's message on stderr and exit status 2
// (CLI11's own codes, 106/109/..., are not a documented contract); --help
// prints and exits 0.
#pragma once
#include <optional>

#include <CLI/CLI.hpp>

namespace vivarium::cli {

constexpr int kExitUsage = 2;

// nullopt when parsing succeeded and the command should run; otherwise the
// exit status to return.
inline std::optional<int> parse_args(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  return std::nullopt;
}

}  // namespace vivarium::cli
