// `vivarium wast PATH...`: runs WAST scripts (files, or directories of
// *.wast) and prints per-file counts, every unexpected result with
// file:line, the command, expected vs. got, and a closing line
// `N passed, M failed`. With --known-failures, listed failures are expected
// and listed passes are errors (see tools/script/known_failures.h).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/parse_args.h"
#include "cli/isolated_script.h"
#include "tools/script/known_failures.h"
#include "tools/script/runner.h"

namespace vivarium::cli {
namespace {

namespace fs = std::filesystem;

// Files in argument order; a directory contributes its *.wast files sorted.
std::vector<std::string> expand(const std::vector<std::string>& paths, uint64_t& empty_dirs) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> in_dir;
      for (const auto& entry : fs::directory_iterator(p, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".wast") in_dir.push_back(entry.path().string());
      }
      std::sort(in_dir.begin(), in_dir.end());
      // A folder that holds no script is a mistake (a wrong path), not a run
      // of zero tests that passes: say so, and let the caller fail.
      if (in_dir.empty()) {
        std::fprintf(stderr, "vivarium wast: no .wast scripts in directory %s\n", p.c_str());
        ++empty_dirs;
      }
      out.insert(out.end(), in_dir.begin(), in_dir.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

// The comment lines at the top of an existing list, kept when rewriting it.
std::string header_of(const std::string& path) {
  std::ifstream in(path);
  std::string header, line;
  while (std::getline(in, line) && (line.empty() || line[0] == '#')) header += line + "\n";
  return header;
}

}  // namespace

int cmd_wast(int argc, char** argv) {
  CLI::App app{"Run WebAssembly spec test scripts", "vivarium wast"};
  std::vector<std::string> paths;
  std::string known_path, emit_dir;
  bool update = false, verbose = false, print = false, in_process = false;
  uint32_t collapse_over = 100;
  unsigned timeout = 300;
  std::string tier = "interp";
  app.add_option("PATH", paths, ".wast files, or directories whose *.wast files are run")->required();
  app.add_option("--known-failures", known_path, "list of assertions expected to fail (FILE.wast[:LINE] per line)");
  app.add_flag("--update-known-failures", update,
               "rewrite the --known-failures list with the current failures of the scripts run");
  app.add_option("--collapse-over", collapse_over,
                 "with --update-known-failures: list a whole file when more lines than this fail")
      ->capture_default_str();
  app.add_option("--emit-modules", emit_dir, "write every module of the scripts to DIR as .wasm (fuzzing corpus)");
  app.add_option("--tier", tier, "interp (default) or native: the tier that runs every module")
      ->check(CLI::IsMember({"interp", "native"}));
  app.add_flag("--print", print, "show spectest.print* output");
  app.add_flag("-v,--verbose", verbose, "also show failures the list expects");
  app.add_option("--timeout", timeout, "seconds one script may run before it is killed and counted as failed")
      ->capture_default_str();
  app.add_flag("--in-process", in_process,
               "run scripts in this process (for debuggers) instead of one child process per script");
  if (auto status = parse_args(app, argc, argv)) return *status;
  if (update && known_path.empty()) {
    std::fprintf(stderr, "vivarium wast: --update-known-failures needs --known-failures FILE\n");
    return 2;
  }

  std::optional<vivarium::engine::script::KnownFailures> known;
  if (!known_path.empty()) {
    auto kf = vivarium::engine::script::KnownFailures::load(known_path);
    if (!kf.ok() && !(update && kf.error().code() == ErrorCode::Io)) {
      std::fprintf(stderr, "%s\n", kf.error().to_string().c_str());
      return 2;
    }
    known = kf.ok() ? std::move(kf).value() : vivarium::engine::script::KnownFailures();
  }
  if (!emit_dir.empty()) {
    std::error_code ec;
    fs::create_directories(emit_dir, ec);
  }

  vivarium::engine::script::RunnerOptions opts;
  opts.spectest_output = print ? stdout : nullptr;
  opts.emit_modules_dir = emit_dir;
  if (tier == "native") {
    if (!vivarium::Module::native_tier_available()) {
      std::fprintf(stderr, "vivarium wast: this build has no native tier (built without LLVM)\n");
      return 2;
    }
    opts.tier = vivarium::ExecutionTier::Native;
  }

  uint64_t passed = 0, failed = 0, expected_failures = 0;
  uint64_t empty_dirs = 0;
  const std::vector<std::string> files = expand(paths, empty_dirs);
  failed += empty_dirs;  // each counts as one failure in the closing line
  for (const std::string& file : files) {
    vivarium::engine::script::ScriptReport report =
        in_process ? vivarium::engine::script::run_wast_file(file, opts) : run_wast_isolated(file, opts, timeout);
    vivarium::engine::script::Reconciled r;
    if (known) {
      r = known->reconcile(report);
      if (verbose) {
        for (const auto& o : report.outcomes) {
          if (!o.passed && (known->whole_file(file) || known->listed(file, o.line))) {
            std::printf("  (known) %s:%u: %s: %s\n", file.c_str(), o.line, o.command.c_str(), o.detail.c_str());
          }
        }
      }
      if (update) known->update(report, collapse_over);
    } else {
      for (const auto& o : report.outcomes) {
        if (o.passed) {
          ++r.passed;
        } else {
          ++r.failed;
          r.problems.push_back(file + ":" + std::to_string(o.line) + ": " + o.command + ": " + o.detail);
        }
      }
    }
    for (const std::string& p : r.problems) std::printf("  %s\n", p.c_str());
    std::printf("%s: %u passed, %u failed", file.c_str(), r.passed, r.failed);
    if (r.known) std::printf(" (+%u known failures)", r.known);
    std::printf("\n");
    std::fflush(stdout);
    passed += r.passed;
    failed += r.failed;
    expected_failures += r.known;
  }

  if (update) {
    std::string text = known->to_text(header_of(known_path));
    std::ofstream out(known_path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
      std::fprintf(stderr, "vivarium wast: cannot write %s\n", known_path.c_str());
      return 2;
    }
    std::printf("rewrote %s\n", known_path.c_str());
  }
  if (expected_failures) {
    std::printf("%llu known failures expected by %s\n", static_cast<unsigned long long>(expected_failures),
                known_path.c_str());
  }
  std::printf("%llu passed, %llu failed\n", static_cast<unsigned long long>(passed),
              static_cast<unsigned long long>(failed));
  return failed == 0 || update ? 0 : 1;
}

}  // namespace vivarium::cli
