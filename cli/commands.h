// The `vivarium` subcommands. main.cc dispatches on argv[1] and hands each
// command its own argument vector, with argv[0] set to the command's name
// ("run", "validate", ...), so every command parses its own options (with
// CLI11) and `vivarium run app.wasm -- guest args` reaches cmd_run untouched.
// Each returns the process exit status.
#pragma once
#include <string>

namespace vivarium::cli {

// vivarium run FILE [--invoke NAME [ARGS...]] ...  (cli/cmd_run.cc, WASI owner)
int cmd_run(int argc, char** argv);
// vivarium validate FILE...
int cmd_validate(int argc, char** argv);
// vivarium inspect FILE [--disasm]
int cmd_inspect(int argc, char** argv);
// vivarium wast FILE... [--known-failures LIST]
int cmd_wast(int argc, char** argv);
// vivarium compile FILE [-o OUT.vcode]  (cli/cmd_compile.cc, the LLVM tier ahead of time)
int cmd_compile(int argc, char** argv);
// vivarium serve|deploy|deployments|undeploy|logs: execs vivarium-edge (cli/exec_edge.cc)
int exec_edge(int argc, char** argv);
// vivarium compile, and any command with --tier native: execs vivarium-native
int exec_native(int argc, char** argv);
// The path of executable `name` next to this one ("" when unknown).
std::string sibling_path(const char* name);
// vivarium new|build|dev|test: guest projects (cli/cmd_new.cc, cmd_build.cc, cmd_dev.cc, cmd_test.cc)
int cmd_new(int argc, char** argv);
int cmd_build(int argc, char** argv);
int cmd_dev(int argc, char** argv);
int cmd_test(int argc, char** argv);

}  // namespace vivarium::cli
