// `vivarium compile FILE [-o OUT.vcode]`: compiles a module with the LLVM
// tier ahead of time. Without -o the code goes to the compiled-code cache
// (Module::default_cache_dir()), from which `vivarium run --tier native`
// then starts without compiling; with -o the artifact is written to OUT
// (the cache's file format: key, SHA-256 of the object, the object).
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "cli/parse_args.h"
#include "cli/tier_auto.h"
#include "vivarium/module.h"

namespace vivarium::cli {

int cmd_compile(int argc, char** argv) {
  CLI::App app{"Compile a WebAssembly module to native code ahead of time (LLVM tier)", "vivarium compile"};
  std::string file, out;
  bool background = false;
  app.add_option("FILE", file, "module file (binary or text)")->required();
  app.add_option("-o,--output", out, "write the compiled artifact here instead of the cache");
  app.add_flag("--background", background,
               "at the lowest CPU priority (what `vivarium run --tier auto` starts for the next run)");
  if (auto status = parse_args(app, argc, argv)) return *status;
  if (background) ::setpriority(PRIO_PROCESS, 0, 19);
  if (!Module::native_tier_available()) {
    std::fprintf(stderr, "error: this build has no native tier (built without LLVM)\n");
    return 1;
  }
  namespace fs = std::filesystem;
  CompileOptions o;
  o.tier = ExecutionTier::Native;
  // -o: compile into a private cache folder, then move its one artifact.
  fs::path scratch;
  if (!out.empty()) {
    scratch = fs::temp_directory_path() / ("vivarium-compile-" + std::to_string(::getpid()));
    o.cache_dir = scratch.string();
  } else {
    o.cache_dir = Module::default_cache_dir();
    if (o.cache_dir.empty()) {
      std::fprintf(stderr, "error: no cache folder (set VIVARIUM_CACHE_DIR or HOME), or pass -o\n");
      return 1;
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto m = Module::load_file(file, o);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!m) {
    std::fprintf(stderr, "error: %s\n", m.error().to_string().c_str());
    return 1;
  }
  const size_t wasm_bytes = m->bytes().size();
  if (out.empty()) {
    // `vivarium run` (static, without LLVM) then execs vivarium-native for this file.
    if (std::string_view(m->tier_status()) == "native") write_tier_hint(o.cache_dir, file);
    std::printf("%s: compiled into %s (%zu wasm bytes, %.2f s)\n", file.c_str(), o.cache_dir.c_str(), wasm_bytes, secs);
    return 0;
  }
  std::error_code ec;
  fs::path artifact;
  for (const auto& e : fs::directory_iterator(scratch, ec))
    if (e.path().extension() == ".vcode") artifact = e.path();
  int status = 0;
  if (artifact.empty()) {
    std::printf("%s: no function needs native code; nothing written\n", file.c_str());
  } else {
    fs::copy_file(artifact, out, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      std::fprintf(stderr, "error: cannot write %s: %s\n", out.c_str(), ec.message().c_str());
      status = 1;
    } else {
      const auto size = fs::file_size(out, ec);
      std::printf("%s: %s, %ju bytes (%.2f bytes per wasm byte), %.2f s (%.2f MB/s)\n", file.c_str(), out.c_str(),
                  static_cast<uintmax_t>(size), wasm_bytes ? static_cast<double>(size) / static_cast<double>(wasm_bytes) : 0.0,
                  secs, secs > 0 ? static_cast<double>(wasm_bytes) / 1e6 / secs : 0.0);
    }
  }
  fs::remove_all(scratch, ec);
  return status;
}

}  // namespace vivarium::cli
