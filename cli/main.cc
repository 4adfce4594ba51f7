// `vivarium` entry point: dispatches to one subcommand per file (commands.h).
// The top level is dispatched by hand rather than with CLI11 subcommands so
// that `run` receives guest arguments verbatim, whatever they look like.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "cli/commands.h"
#include "vivarium/module.h"

namespace {

struct CommandEntry {
  const char* name;
  int (*fn)(int, char**);
  const char* summary;
};

constexpr CommandEntry kCommands[] = {
    {"run", vivarium::cli::cmd_run, "run a module's _start (WASI) or an exported function"},
    {"validate", vivarium::cli::cmd_validate, "decode and validate a .wasm or .wat file"},
    {"inspect", vivarium::cli::cmd_inspect, "show imports, exports, sections and sizes"},
    {"wast", vivarium::cli::cmd_wast, "run WebAssembly spec test scripts (.wast)"},
    {"compile", vivarium::cli::cmd_compile, "compile a module to native code ahead of time (LLVM tier)"},
    // The edge platform, in the vivarium-edge executable (cli/exec_edge.cc).
    {"serve", vivarium::cli::exec_edge, "serve deployments over HTTP, with an admin API"},
    {"deploy", vivarium::cli::exec_edge, "upload a module to a server as a deployment"},
    {"deployments", vivarium::cli::exec_edge, "list a server's deployments"},
    {"undeploy", vivarium::cli::exec_edge, "remove a deployment"},
    {"logs", vivarium::cli::exec_edge, "show a deployment's recent log lines"},
    // Guest projects (sdk/templates, sdk/c, sdk/assemblyscript).
    {"new", vivarium::cli::cmd_new, "create a guest project: --template c|rust|assemblyscript|wat"},
    {"build", vivarium::cli::cmd_build, "build the project in DIR (default .) into build/NAME.wasm"},
    {"dev", vivarium::cli::cmd_dev, "serve the project locally, rebuilding on change"},
    {"test", vivarium::cli::cmd_test, "run the project's tests/requests.txt against a local server"},
};

// Whether this command line needs the LLVM tier: `compile`, or --tier
// native anywhere (a guest argument that looks like it only costs the guest
// the exec). --tier auto, run's default, decides in cmd_run (cli/tier_auto.h).
[[maybe_unused]] bool wants_native(int argc, char** argv) {
  if (std::string_view(argv[1]) == "compile") return true;
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--tier=native") return true;
    if (a == "--tier" && i + 1 < argc) {
      std::string_view v = argv[i + 1];
      if (v == "native") return true;
    }
  }
  return false;
}

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "Vivarium, a WebAssembly runtime\n"
               "Usage: vivarium COMMAND [OPTIONS] [ARGS...]\n\n"
               "Commands:\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\nOptions:\n"
               "  -h, --help     show this help (COMMAND --help for a command's options)\n"
               "  --version      print the version\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  std::string_view first = argv[1];
  if (first == "-h" || first == "--help" || first == "help") {
    print_usage(stdout);
    return 0;
  }
  if (first == "--version" || first == "-V" || first == "version") {
    std::printf("vivarium %s\n", VIVARIUM_VERSION);
    return 0;
  }
#if VIVARIUM_CLI_NATIVE
  vivarium::Module::enable_native_tier();
#elif VIVARIUM_CLI_EXEC_NATIVE
  if (wants_native(argc, argv)) return vivarium::cli::exec_native(argc - 1, argv + 1);
#endif
  for (const auto& c : kCommands) {
    if (first == c.name) return c.fn(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "vivarium: unknown command '%s'\n\n", argv[1]);
  print_usage(stderr);
  return 2;
}
