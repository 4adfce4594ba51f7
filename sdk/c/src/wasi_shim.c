/* WASI for services: a deployment may import only env.hostcall_*, yet
 * wasi-libc's stdio, time() and abort() call WASI functions. wasi-libc calls
 * each through an undefined symbol __imported_wasi_snapshot_preview1_NAME
 * that the linker would turn into an import; defining those symbols here
 * resolves them inside the module instead, on hostcalls:
 *   - stdout and stderr (printf, fprintf, perror) become log lines
 *     (`vivarium logs NAME`); other descriptors are EBADF;
 *   - clock_time_get reads the host clock (time, clock_gettime);
 *   - random_get uses the host's CSPRNG (getentropy, arc4random);
 *   - proc_exit (exit, abort) panics with the exit status;
 *   - no arguments and no environment.
 * Only what a guest uses is linked, so a guest without stdio pays nothing.
 * Link it with --target=wasm32-wasi only; `vivarium build` does. */
#include <stddef.h>
#include <stdint.h>

#include "terrarium.h"

#define WASI_SHIM(name) __imported_wasi_snapshot_preview1_##name

enum { ERRNO_SUCCESS = 0, ERRNO_BADF = 8, ERRNO_INVAL = 28, ERRNO_SPIPE = 70 };

typedef struct {
  uint32_t buf, len;
} shim_iovec;

int32_t WASI_SHIM(fd_write)(int32_t fd, int32_t iovs, int32_t count, int32_t written) {
  if (fd != 1 && fd != 2) return ERRNO_BADF;
  const shim_iovec* v = (const shim_iovec*)(uintptr_t)iovs;
  uint32_t total = 0;
  for (int32_t i = 0; i < count; ++i) {
    uint32_t len = v[i].len;
    /* One log line per line written: drop the newline the host would show. */
    if (len > 0 && ((const char*)(uintptr_t)v[i].buf)[len - 1] == '\n') --len;
    if (len > 0) hostcall_debug((const char*)(uintptr_t)v[i].buf, len);
    total += v[i].len;
  }
  *(uint32_t*)(uintptr_t)written = total;
  return ERRNO_SUCCESS;
}

int32_t WASI_SHIM(fd_seek)(int32_t fd, int64_t offset, int32_t whence, int32_t out) {
  (void)fd, (void)offset, (void)whence, (void)out;
  return ERRNO_SPIPE;
}

int32_t WASI_SHIM(fd_close)(int32_t fd) { return fd <= 2 ? ERRNO_SUCCESS : ERRNO_BADF; }

/* stdout and stderr are character devices (line-buffered stdio). */
int32_t WASI_SHIM(fd_fdstat_get)(int32_t fd, int32_t out) {
  if (fd != 1 && fd != 2) return ERRNO_BADF;
  uint8_t* p = (uint8_t*)(uintptr_t)out;
  for (int i = 0; i < 24; ++i) p[i] = 0;
  p[0] = 2; /* filetype: character device */
  return ERRNO_SUCCESS;
}

int32_t WASI_SHIM(clock_time_get)(int32_t clock, int64_t precision, int32_t out) {
  (void)precision;
  if (clock < 0 || clock > 3) return ERRNO_INVAL;
  uint32_t nanos = 0;
  int64_t secs = hostcall_time_now(&nanos);
  *(uint64_t*)(uintptr_t)out = (uint64_t)secs * 1000000000u + nanos;
  return ERRNO_SUCCESS;
}

int32_t WASI_SHIM(random_get)(int32_t buf, int32_t len) {
  uint8_t* p = (uint8_t*)(uintptr_t)buf;
  for (int32_t i = 0; i < len; i += 8) {
    uint64_t r = hostcall_rng_next_u64();
    for (int32_t k = 0; k < 8 && i + k < len; ++k) p[i + k] = (uint8_t)(r >> (8 * k));
  }
  return ERRNO_SUCCESS;
}

_Noreturn void WASI_SHIM(proc_exit)(int32_t status) {
  char msg[] = "exit(   )";
  uint32_t s = (uint32_t)status % 1000;
  msg[5] = (char)('0' + s / 100), msg[6] = (char)('0' + s / 10 % 10), msg[7] = (char)('0' + s % 10);
  hostcall_panic_hook(msg, sizeof msg - 1);
  __builtin_trap();
}

static int32_t no_strings(int32_t count, int32_t size) {
  *(uint32_t*)(uintptr_t)count = 0;
  *(uint32_t*)(uintptr_t)size = 0;
  return ERRNO_SUCCESS;
}
int32_t WASI_SHIM(environ_sizes_get)(int32_t count, int32_t size) { return no_strings(count, size); }
int32_t WASI_SHIM(args_sizes_get)(int32_t count, int32_t size) { return no_strings(count, size); }
int32_t WASI_SHIM(environ_get)(int32_t ptrs, int32_t buf) {
  (void)ptrs, (void)buf;
  return ERRNO_SUCCESS;
}
int32_t WASI_SHIM(args_get)(int32_t ptrs, int32_t buf) {
  (void)ptrs, (void)buf;
  return ERRNO_SUCCESS;
}
