// Shared helpers for the benchmark workloads: the scale argument, a
// deterministic PRNG (identical on wasm32 and native) and the self-check that
// makes a wrong result fail the run instead of producing a fast time.
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef BENCH_NO_WASI
#include "bench_nowasi.h"
static inline void bench_start_timer(void) {}  // no clock in that flavor
#else
// The kernel's own time, measured inside the guest with the monotonic clock
// (WASI clock_time_get under wasm) from bench_scale() to exit, and printed to
// stderr as "bench-kernel-ns: N" when main returns. bench/run compares engines
// on this number, so process start-up and module compilation (V8's tiers,
// Vivarium's lowering) do not blur the execution speed; it reports the whole
// process's wall time next to it.
static struct timespec bench_t0;
static inline uint64_t bench_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
static void bench_report_time(void) {
  uint64_t t0 = (uint64_t)bench_t0.tv_sec * 1000000000u + (uint64_t)bench_t0.tv_nsec;
  fprintf(stderr, "bench-kernel-ns: %llu\n", (unsigned long long)(bench_now_ns() - t0));
}
static inline void bench_start_timer(void) {
  clock_gettime(CLOCK_MONOTONIC, &bench_t0);
  atexit(bench_report_time);
}
#endif

// argv[1] scales the work; each workload documents what one unit means.
static inline long bench_scale(int argc, char** argv, long dflt) {
  bench_start_timer();
  if (argc < 2) return dflt;
  char* end;
  long v = strtol(argv[1], &end, 10);
  if (*end != '\0' || v <= 0) {
    fprintf(stderr, "usage: %s [SCALE>0]\n", argv[0]);
    exit(2);
  }
  return v;
}

// xorshift64*: small, fast, and the same sequence on every target.
typedef struct { uint64_t s; } bench_rng;
static inline uint64_t bench_next(bench_rng* r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

// Exits with status 1 and a message naming the failed check.
#define BENCH_CHECK(cond, ...)                          \
  do {                                                  \
    if (!(cond)) {                                      \
      fprintf(stderr, "CHECK FAILED (%s): ", #cond);    \
      fprintf(stderr, __VA_ARGS__);                     \
      fputc('\n', stderr);                              \
      exit(1);                                          \
    }                                                   \
  } while (0)
