// Per-request instantiation with a pooling Engine next to the default
// (on-demand) one, in one run (issue #11 item 3):
//   - a tiny module: new Store + instantiate + call + drop;
//   - a module with a 1 MiB data segment: new Store + instantiate + drop
//     (from a warm pool the segment is a copy-on-write image: one mmap);
//   - a module with a 1,000-element table: new Store + instantiate + drop
//     (from a warm pool the table's storage is reused, cleared);
//   - RSS: after many 1 MiB instances died their pooled memories hold no
//     pages, and Engine::trim() gives the reservations back.
//
//   build/bench/pool_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "vivarium/vivarium.h"

namespace {

using namespace vivarium;

constexpr const char* kTiny = R"((module
  (memory 1)
  (func (export "run") (param i32) (result i32)
    (i32.store (i32.const 16) (local.get 0))
    (i32.add (i32.load (i32.const 16)) (local.get 0)))))";

// 17 pages of memory, 1 MiB of data at 4096 (bytes 1..255 repeating).
std::string one_mib_module() {
  std::string data;
  data.reserve(4 << 20);
  for (int i = 0; i < (1 << 20); ++i) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\%02x", (i % 255) + 1);
    data += buf;
  }
  return "(module (memory (export \"mem\") 17) (data (i32.const 4096) \"" + data +
         "\") (func (export \"peek\") (param i32) (result i32) (i32.load8_u (local.get 0))))";
}

const Module& module_of(const std::string& wat) {
  auto r = Module::from_text(wat);
  if (!r) {
    std::fprintf(stderr, "pool_bench: %s\n", r.error().to_string().c_str());
    std::exit(2);
  }
  return *new Module(std::move(r).value());
}
// A 1,000-element funcref table filled by an active segment: what table
// pooling saves (the element storage) per instance.
std::string table_module() {
  std::string elems;
  for (int i = 0; i < 1000; ++i) elems += " $f";
  return "(module (table 1000 funcref) (func $f) (elem (i32.const 0)" + elems +
         ") (func (export \"run\") (param i32) (result i32) (local.get 0)))";
}

const Module& tiny() {
  static const Module& m = module_of(kTiny);
  return m;
}
const Module& one_mib() {
  static const Module& m = module_of(one_mib_module());
  return m;
}

const Module& with_table() {
  static const Module& m = module_of(table_module());
  return m;
}

Engine& pooled_engine() {
  static Engine* e = [] {
    EngineConfig c;
    c.allocation = InstanceAllocation::Pooling;
    return new Engine(c);
  }();
  return *e;
}
Engine& engine_for(const benchmark::State& state) {
  return state.range(0) ? pooled_engine() : Engine::default_engine();
}
const char* label(const benchmark::State& state) { return state.range(0) ? "pooling" : "on-demand"; }

void BM_TinyInstantiateCallDrop(benchmark::State& state) {
  Engine& engine = engine_for(state);
  Linker l;
  const Value arg[1] = {Value::i32(5)};
  for (auto _ : state) {
    Store store(engine);
    auto inst = l.instantiate(store, tiny());
    if (!inst) {
      state.SkipWithError(inst.error().to_string().c_str());
      break;
    }
    auto r = inst->call("run", arg);
    if (!r || (*r)[0].i32() != 10) state.SkipWithError("run() returned a wrong result");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(label(state));
}
BENCHMARK(BM_TinyInstantiateCallDrop)->Arg(0)->Arg(1);

int value_or(Result<std::vector<Value>> r, int fallback) { return r && !r->empty() ? (*r)[0].i32() : fallback; }

// Instantiation alone (the store is made and dropped outside the timing).
void BM_OneMiBDataInstantiate(benchmark::State& state) {
  Engine& engine = engine_for(state);
  Linker l;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = std::make_unique<Store>(engine);
    state.ResumeTiming();
    auto inst = l.instantiate(*store, one_mib());
    if (!inst) {
      state.SkipWithError(inst.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(inst);
    state.PauseTiming();
    const Value at[1] = {Value::i32(4096 + 1000)};
    if (value_or(inst->call("peek", at), 0) != (1000 % 255) + 1) {
      state.SkipWithError("data segment not in place");
    }
    store.reset();
    state.ResumeTiming();
  }
  state.SetLabel(label(state));
}

BENCHMARK(BM_OneMiBDataInstantiate)->Arg(0)->Arg(1);

// New Store + instantiate a module with a 1,000-element table + drop.
void BM_TableInstantiateDrop(benchmark::State& state) {
  Engine& engine = engine_for(state);
  Linker l;
  for (auto _ : state) {
    Store store(engine);
    auto inst = l.instantiate(store, with_table());
    if (!inst) {
      state.SkipWithError(inst.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(inst);
  }
  state.SetLabel(label(state));
}
BENCHMARK(BM_TableInstantiateDrop)->Arg(0)->Arg(1);

uint64_t rss_kib() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) / 1024;
}

// 64 stores, each with a 1 MiB instance whose pages are all written, die;
// then the pool is trimmed. Prints RSS at each step.
void report_pool_rss() {
  Engine engine(EngineConfig{InstanceAllocation::Pooling, {}});
  Linker l;
  const uint64_t before = rss_kib();
  uint64_t live = 0;
  {
    std::vector<std::unique_ptr<Store>> stores;
    for (int i = 0; i < 64; ++i) {
      stores.push_back(std::make_unique<Store>(engine));
      auto inst = l.instantiate(*stores.back(), one_mib());
      if (!inst) std::exit(2);
      MemoryView v = inst->memory("mem")->view();
      for (uint64_t a = 0; a < v.size(); a += 4096) v.store<uint8_t>(a, 1);  // touch every page
    }
    live = rss_kib();
  }
  const uint64_t idle = rss_kib();
  const size_t pooled = engine.pool_stats().idle_memories;
  engine.trim();
  const uint64_t trimmed = rss_kib();
  std::printf("pool RSS: before %llu KiB, 64 live 1 MiB instances %llu KiB, all dropped (%zu pooled) %llu KiB, "
              "after trim %llu KiB\n",
              static_cast<unsigned long long>(before), static_cast<unsigned long long>(live), pooled,
              static_cast<unsigned long long>(idle), static_cast<unsigned long long>(trimmed));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  report_pool_rss();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
