// `vivarium validate FILE...`: decode and validate, report the first error of
// each file with its location (file, byte offset or line:col, section,
// function). Exit status 0 when every file is valid, 1 otherwise.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/parse_args.h"
#include "cli/input.h"
#include "vivarium/module.h"

namespace vivarium::cli {

int cmd_validate(int argc, char** argv) {
  CLI::App app{"Decode and validate WebAssembly modules (.wasm or .wat)", "vivarium validate"};
  std::vector<std::string> files;
  bool quiet = false;
  app.add_option("FILE", files, "module files (binary or text)")->required();
  app.add_flag("-q,--quiet", quiet, "print nothing for valid files");
  if (auto status = parse_args(app, argc, argv)) return *status;

  int status = 0;
  for (const std::string& path : files) {
    auto bytes = read_module_binary(path);
    Result<void> r = bytes.ok() ? Module::validate(bytes.value(), CompileOptions{path})
                                : Result<void>(std::move(bytes).error());
    if (!r.ok()) {
      Error e = r.error();
      if (e.where().file.empty()) e.where().file = path;
      std::fprintf(stderr, "%s\n", e.to_string().c_str());
      status = 1;
    } else if (!quiet) {
      std::printf("%s: valid\n", path.c_str());
    }
  }
  return status;
}

}  // namespace vivarium::cli
