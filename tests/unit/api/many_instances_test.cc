// One compiled Module, many instances: each has its own memory and globals,
// and threads may instantiate a shared Module concurrently (each in its own
// Store). Timing belongs in bench/, not here.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fixtures.h"
#include "test_util.h"

namespace vivarium::testing {
namespace {

TEST(ManyInstances, ThousandsInOneStoreAreIndependent) {
  Module m = compile_or_die(kBump);
  // A small memory cap keeps 2000 reservations small too (an unbounded
  // memory reserves 8 GiB of address space; sanitizers leave less than 16 TiB).
  StoreLimits lim;
  lim.max_memory_pages = 16;
  Store store(lim);
  Linker l;
  std::vector<Instance> insts;
  for (int i = 0; i < 2000; ++i) insts.push_back(value_or_die(l.instantiate(store, m)));
  // Bump instance k (k % 7 + 1) times; each must count on its own.
  for (size_t k = 0; k < insts.size(); k += 97) {
    int32_t last = 0;
    for (size_t n = 0; n <= k % 7; ++n) last = call_or_die(insts[k], "bump")[0].i32();
    EXPECT_EQ(last, static_cast<int32_t>(k % 7 + 1));
    EXPECT_EQ(call_or_die(insts[k], "gbump")[0].i32(), 101);
  }
  // Instances never called still start from zero.
  EXPECT_EQ(call_or_die(insts[1], "bump")[0].i32(), 1);
}

TEST(ManyInstances, OneStorePerInstantiation) {
  Module m = compile_or_die(kBump);
  Linker l;
  for (int i = 0; i < 2000; ++i) {
    Store store;
    Instance inst = value_or_die(l.instantiate(store, m));
    ASSERT_EQ(call_or_die(inst, "bump")[0].i32(), 1);
  }
}

TEST(ManyInstances, SharedModuleAcrossThreads) {
  Module m = compile_or_die(kBump);
  Linker l;  // shared too: instantiate() is const
  l.func("env", "unused", [](int32_t x) { return x; });
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        Store store;
        auto inst = l.instantiate(store, m);
        if (!inst.ok()) {
          ++failures;
          continue;
        }
        for (int n = 1; n <= (t + i) % 3 + 1; ++n) {
          auto r = inst->call("bump", {});
          if (!r.ok() || (*r)[0].i32() != n) ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace vivarium::testing
