// `vivarium run --tier auto` (the default) in the static `vivarium`, which
// has no LLVM (linking it would triple start-up): a module the native tier
// compiled before is run by exec'ing `vivarium-native`, which loads the
// cached code; any other starts in the interpreter at once, and once it has
// run for a while (VIVARIUM_TIER_UP_MS, default 250 ms: short runs are not
// worth a compile) a low-priority `vivarium-native compile --background`
// fills the cache for the next run. "Compiled before" is a hint file named
// after the module file's identity (device, inode, size, modification time),
// so the check costs one stat() and one access(): vivarium-native then checks
// the real cache key (a SHA-256 of the bytes, the CPU and the build) and
// compiles in the background itself if the hint was stale.
#pragma once
#include <string>

namespace vivarium::cli {

// Whether `module_path` has a hint in `cache_dir` (the file's identity as today).
bool has_tier_hint(const std::string& cache_dir, const std::string& module_path);
// Records that the native tier has cached code for `module_path`.
void write_tier_hint(const std::string& cache_dir, const std::string& module_path);
// Starts a thread that, after VIVARIUM_TIER_UP_MS, spawns `vivarium-native
// compile --background module_path` (detached, output to /dev/null).
void compile_in_background_later(const std::string& module_path);

}  // namespace vivarium::cli
