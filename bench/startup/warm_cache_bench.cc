// Warm-cache start of the native tier (issue #15: load + instantiate of a
// 1.3 MB module in at most 5 ms): compiles MODULE once into a private cache,
// then times, REPS times, Module::load_file with the code cache (read, decode,
// validate, the interpreter's lowering that stays as the fallback, the cache
// key and integrity check, linking the cached object) and instantiation with
// WASI. Prints each phase's median.
//
//     warm_cache_bench MODULE [REPS] [native|auto] [CACHE_DIR]
//
// CACHE_DIR (kept afterwards) saves the cold compile on later runs.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "host/wasi/wasi.h"
#include "vivarium/vivarium.h"

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vivarium;
  if (argc < 2) {
    std::fprintf(stderr, "usage: warm_cache_bench MODULE [REPS] [native|auto]\n");
    return 2;
  }
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 20;
  Module::enable_native_tier();
  const bool keep = argc > 4;
  const std::filesystem::path cache =
      keep ? std::filesystem::path(argv[4])
           : std::filesystem::temp_directory_path() / ("viv-warm-cache-bench-" + std::to_string(::getpid()));
  CompileOptions o;
  o.tier = argc > 3 && std::string(argv[3]) == "auto" ? ExecutionTier::Auto : ExecutionTier::Native;
  o.cache_dir = cache.string();
  auto t0 = std::chrono::steady_clock::now();
  {
    CompileOptions first = o;
    first.tier = ExecutionTier::Native;  // fills the cache before returning
    auto m = Module::load_file(argv[1], first);
    if (!m) {
      std::fprintf(stderr, "error: %s\n", m.error().to_string().c_str());
      return 1;
    }
    std::printf("%s: %zu bytes; first load (compile unless cached) %.0f ms\n", argv[1], m->bytes().size(),
                ms_since(t0));
  }
  // The interpreter's share of a load (decode, validate, lower): the native
  // tier keeps that form as its fallback.
  std::vector<double> interp;
  for (int i = 0; i < reps; ++i) {
    t0 = std::chrono::steady_clock::now();
    auto m = Module::load_file(argv[1]);
    interp.push_back(ms_since(t0));
  }
  std::vector<double> load, inst, total;
  for (int i = 0; i < reps; ++i) {
    t0 = std::chrono::steady_clock::now();
    auto m = Module::load_file(argv[1], o);
    const double l = ms_since(t0);
    if (!m || std::string(m->tier_status()) != "native") {
      std::fprintf(stderr, "error: not native from the cache (%s)\n", m ? m->tier_status() : m.error().to_string().c_str());
      return 1;
    }
    auto t1 = std::chrono::steady_clock::now();
    Store store;
    auto ctx = wasi::WasiCtx::create({});
    Linker linker;
    wasi::add_to_linker(linker, **ctx);
    auto instance = linker.instantiate(store, *m);
    if (!instance) {
      std::fprintf(stderr, "error: %s\n", instance.error().to_string().c_str());
      return 1;
    }
    const double n = ms_since(t1);
    load.push_back(l);
    inst.push_back(n);
    total.push_back(l + n);
  }
  std::printf("warm cache, median of %d: load %.2f ms (interpreter-only load: %.2f ms) + instantiate %.2f ms = %.2f ms "
              "(target <= 5 ms)\n",
              reps, median(load), median(interp), median(inst), median(total));
  if (!keep) std::filesystem::remove_all(cache);
  return 0;
}
