// `vivarium build [DIR]`: compiles the project in DIR (default: the current
// directory) into DIR/build/NAME.wasm with its kind's toolchain.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/parse_args.h"
#include "cli/project.h"

namespace vivarium::cli {

int cmd_build(int argc, char** argv) {
  CLI::App app{"Build a guest project (C, Rust, AssemblyScript or WAT) into build/NAME.wasm", "vivarium build"};
  std::string dir = ".";
  BuildOptions options;
  app.add_option("DIR", dir, "the project's directory")->capture_default_str();
  app.add_flag("--freestanding", options.freestanding,
               "C: --target=wasm32 -nostdlib with the SDK's allocator instead of wasi-libc");
  app.add_flag("-v,--verbose", options.verbose, "print the toolchain's command lines");
  if (auto status = parse_args(app, argc, argv)) return *status;

  auto project = find_project(dir);
  if (!project.ok()) {
    std::fprintf(stderr, "vivarium build: %s\n", project.error().to_string().c_str());
    return 1;
  }
  const Project& p = project.value();
  if (auto r = build_project(p, options); !r.ok()) {
    std::fprintf(stderr, "vivarium build: %s\n", r.error().to_string().c_str());
    return 1;
  }
  std::error_code ec;
  std::printf("built %s (%s, %ju bytes)\n", p.module().c_str(), kind_name(p.kind),
              static_cast<uintmax_t>(std::filesystem::file_size(p.module(), ec)));
  return 0;
}

}  // namespace vivarium::cli
