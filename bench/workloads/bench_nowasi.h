// The no-WASI flavor of a workload, for engines that cannot run WASI commands
// (Debian's wabt wasm-interp says "wasi support not compiled in"). Built with
// -mexec-model=reactor -DBENCH_NO_WASI -DBENCH_FIXED_SCALE=N from the same,
// unchanged source, so the same kernel is measured. Included by bench.h, which
// every workload includes last, so the renames below reach only its code.
//
// The module exports int64_t bench_main(void) (wasm-interp --run-all-exports
// can call only functions without parameters, hence the scale baked in at
// build time). It runs the workload's main with argv {"bench", "N"} and returns
// the FNV-1a 64 hash of what main printed to stdout; bench/run compares it with
// the hash of the native build's stdout. Where the WASI build would exit
// non-zero (a failed BENCH_CHECK), it traps instead. stderr text is dropped:
// writing it would call WASI fd_write, which wasm-interp only stubs (and the
// WASI build of the workload prints the same message). No clock either, so no
// bench-kernel-ns: engines are compared on whole-process time.
//
// What stays is malloc, snprintf, strtol and libm, none of which imports
// anything from WASI: the module has no imports (tests/bench checks that).
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef BENCH_FIXED_SCALE
#error "the no-WASI flavor needs -DBENCH_FIXED_SCALE=N"
#endif

// Stand-ins for the streams: naming libc's stdout or stderr would link their
// FILE objects, whose write, seek and close functions import WASI.
static char bench_stdout_tag, bench_stderr_tag;
#undef stdout
#undef stderr
#define stdout ((FILE*)&bench_stdout_tag)
#define stderr ((FILE*)&bench_stderr_tag)

static uint64_t bench_out_hash;

static inline void bench_out(const char* p, size_t n) {
  for (size_t i = 0; i < n; i++) bench_out_hash = (bench_out_hash ^ (unsigned char)p[i]) * 0x100000001b3ull;
}

static inline int bench_vfprintf(FILE* f, const char* fmt, va_list ap) {
  char buf[512];
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (f == stdout && n >= (int)sizeof buf) {  // longer than a workload's usual line
    char* big = malloc((size_t)n + 1);
    vsnprintf(big, (size_t)n + 1, fmt, again);
    bench_out(big, (size_t)n);
    free(big);
  } else if (f == stdout && n > 0) {
    bench_out(buf, (size_t)n);
  }
  va_end(again);
  return n;
}

static inline int bench_fprintf(FILE* f, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = bench_vfprintf(f, fmt, ap);
  va_end(ap);
  return n;
}

static inline int bench_printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = bench_vfprintf(stdout, fmt, ap);
  va_end(ap);
  return n;
}

static inline int bench_fputc(int c, FILE* f) {
  char ch = (char)c;
  if (f == stdout) bench_out(&ch, 1);
  return (unsigned char)c;
}

static inline size_t bench_fwrite(const void* p, size_t size, size_t n, FILE* f) {
  if (f == stdout) bench_out(p, size * n);
  return n;
}
static inline int bench_fflush(FILE* f) { return (void)f, 0; }
static inline int bench_fputs(const char* s, FILE* f) { return bench_fprintf(f, "%s", s); }
static inline int bench_puts(const char* s) { return bench_printf("%s\n", s); }
static inline int bench_putchar(int c) { return bench_fputc(c, stdout); }

// Any exit is a failure here (workloads end by returning from main).
static inline _Noreturn void bench_exit(int status) {
  (void)status;
  __builtin_trap();
}

#define printf bench_printf
#define fprintf bench_fprintf
#define vfprintf bench_vfprintf
#define fputc bench_fputc
#define fputs bench_fputs
#define fwrite bench_fwrite
#define fflush bench_fflush
#define puts bench_puts
#define putchar bench_putchar
#define exit bench_exit
#define main bench_workload_main

int bench_workload_main(int argc, char** argv);

#define BENCH_STR_(x) #x
#define BENCH_STR(x) BENCH_STR_(x)

__attribute__((export_name("bench_main"))) int64_t bench_main(void) {
  char name[] = "bench", scale[] = BENCH_STR(BENCH_FIXED_SCALE);
  char* argv[] = {name, scale, NULL};
  bench_out_hash = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
  if (bench_workload_main(2, argv) != 0) __builtin_trap();
  return (int64_t)bench_out_hash;
}
