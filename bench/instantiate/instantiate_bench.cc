// What one request costs the edge server before the guest runs: a fresh
// Store, instantiation of an already compiled Module, the first call, and
// tearing it all down. run.sh runs this next to V8 (peer_v8.cjs) on the same
// module and reports the ratios.
//
//   VIV_BENCH_MODULE=path/to/request.wasm instantiate_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "vivarium/vivarium.h"

namespace {

using namespace vivarium;

const Module& request_module() {
  static Module* m = [] {
    const char* path = std::getenv("VIV_BENCH_MODULE");
    auto r = Module::load_file(path ? path : "bench/instantiate/request.wat");
    if (!r) {
      std::fprintf(stderr, "instantiate_bench: %s\n", r.error().to_string().c_str());
      std::exit(2);
    }
    return new Module(std::move(r).value());
  }();
  return *m;
}

Linker request_linker() {
  Linker l;
  l.func("env", "log", [](Caller&, uint32_t, uint32_t) {});
  return l;
}

// A new Store per request (its own memory and call stack), instantiate, drop.
void BM_Instantiate(benchmark::State& state) {
  const Module& m = request_module();
  Linker l = request_linker();
  for (auto _ : state) {
    Store store;
    auto inst = l.instantiate(store, m);
    if (!inst) state.SkipWithError(inst.error().to_string().c_str());
    benchmark::DoNotOptimize(inst);
  }
}
BENCHMARK(BM_Instantiate);

// The same plus the request's first call into the guest.
void BM_InstantiateAndCall(benchmark::State& state) {
  const Module& m = request_module();
  Linker l = request_linker();
  const Value arg[1] = {Value::i32(5)};
  for (auto _ : state) {
    Store store;
    auto inst = l.instantiate(store, m);
    if (!inst) {
      state.SkipWithError(inst.error().to_string().c_str());
      break;
    }
    auto r = inst->call("run", arg);
    if (!r || (*r)[0].i32() != 10) state.SkipWithError("run() returned a wrong result");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_InstantiateAndCall);

// Compiling, for scale: what instantiating avoids redoing.
void BM_Compile(benchmark::State& state) {
  auto bytes = request_module().bytes();
  for (auto _ : state) {
    auto m = Module::compile(bytes);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_Compile);

}  // namespace

BENCHMARK_MAIN();
