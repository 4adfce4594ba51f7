/* Hostile arguments straight to the imports (no libc wrapper in between):
 * pointers past the end of memory, buffers that wrap around 4 GiB, iovec
 * lists out of bounds, non-UTF-8 and NUL-carrying paths, unknown flag bits.
 * Each must come back as the spec's errno -- FAULT, INVAL, ILSEQ -- and the
 * runtime must keep running. Run with: --dir HOST::/sandbox (fd 3). */
#include <stdint.h>

#include "check.h"

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
IMPORT(fd_write) int32_t raw_fd_write(int32_t fd, uint32_t iovs, uint32_t n, uint32_t out);
IMPORT(fd_read) int32_t raw_fd_read(int32_t fd, uint32_t iovs, uint32_t n, uint32_t out);
IMPORT(path_open) int32_t raw_path_open(int32_t fd, int32_t dirflags, uint32_t path, uint32_t len, int32_t oflags,
                                        int64_t base, int64_t inh, int32_t fdflags, uint32_t out);
IMPORT(path_create_directory) int32_t raw_mkdir(int32_t fd, uint32_t path, uint32_t len);
IMPORT(path_filestat_get) int32_t raw_path_filestat_get(int32_t fd, int32_t flags, uint32_t path, uint32_t len,
                                                        uint32_t out);
IMPORT(path_symlink) int32_t raw_symlink(uint32_t old, uint32_t old_len, int32_t fd, uint32_t path, uint32_t len);
IMPORT(args_get) int32_t raw_args_get(uint32_t argv, uint32_t buf);
IMPORT(args_sizes_get) int32_t raw_args_sizes_get(uint32_t argc, uint32_t size);
IMPORT(environ_get) int32_t raw_environ_get(uint32_t env, uint32_t buf);
IMPORT(clock_time_get) int32_t raw_clock_time_get(int32_t id, int64_t precision, uint32_t out);
IMPORT(clock_res_get) int32_t raw_clock_res_get(int32_t id, uint32_t out);
IMPORT(random_get) int32_t raw_random_get(uint32_t buf, uint32_t len);
IMPORT(fd_prestat_dir_name) int32_t raw_prestat_dir_name(int32_t fd, uint32_t buf, uint32_t len);
IMPORT(fd_readdir) int32_t raw_fd_readdir(int32_t fd, uint32_t buf, uint32_t len, int64_t cookie, uint32_t out);
IMPORT(fd_filestat_get) int32_t raw_fd_filestat_get(int32_t fd, uint32_t out);
IMPORT(fd_fdstat_get) int32_t raw_fd_fdstat_get(int32_t fd, uint32_t out);
IMPORT(fd_seek) int32_t raw_fd_seek(int32_t fd, int64_t delta, int32_t whence, uint32_t out);
IMPORT(poll_oneoff) int32_t raw_poll_oneoff(uint32_t in, uint32_t out, uint32_t n, uint32_t nevents);
IMPORT(path_readlink) int32_t raw_readlink(int32_t fd, uint32_t path, uint32_t len, uint32_t buf, uint32_t buf_len,
                                          uint32_t out);
IMPORT(proc_raise) int32_t raw_proc_raise(int32_t sig);
IMPORT(sock_recv) int32_t raw_sock_recv(int32_t fd, uint32_t iovs, uint32_t n, int32_t flags, uint32_t len_out,
                                        uint32_t flags_out);

#define PTR(p) ((uint32_t)(uintptr_t)(p))

int main(void) {
  const uint32_t mem_end = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
  static uint32_t out[16];
  static char text[] = "visible line\n";
  static __wasi_ciovec_t iov[2];
  const __wasi_rights_t R = __WASI_RIGHTS_FD_READ;

  /* iovec lists */
  iov[0].buf = (const uint8_t*)text;
  iov[0].buf_len = sizeof text - 1;
  EXPECT_ERRNO("fd_write iovec list past the end", raw_fd_write(1, mem_end - 4, 1, PTR(out)), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("fd_write iovec list at 0xFFFFFFF8", raw_fd_write(1, 0xFFFFFFF8u, 2, PTR(out)), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("fd_write huge iovec count", raw_fd_write(1, PTR(iov), 0x20000000u, PTR(out)), __WASI_ERRNO_FAULT);
  iov[1].buf = (const uint8_t*)(uintptr_t)0xFFFFFFF0u;
  iov[1].buf_len = 0x20; /* wraps past 2^32 */
  EXPECT_ERRNO("fd_write buffer that wraps", raw_fd_write(1, PTR(iov), 2, PTR(out)), __WASI_ERRNO_FAULT);
  iov[1].buf = (const uint8_t*)(uintptr_t)(mem_end - 4);
  iov[1].buf_len = 8;
  EXPECT_ERRNO("fd_write buffer past the end", raw_fd_write(1, PTR(iov), 2, PTR(out)), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("fd_write result pointer out of bounds", raw_fd_write(1, PTR(iov), 1, 0xFFFFFFFEu), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("fd_read iovec list out of bounds", raw_fd_read(0, 0xFFFFFF00u, 64, PTR(out)), __WASI_ERRNO_FAULT);
  iov[1].buf = (const uint8_t*)text;
  iov[1].buf_len = 0;
  EXPECT_ERRNO("fd_write with a zero-length buffer", raw_fd_write(1, PTR(iov), 2, PTR(out)), 0);
  CHECK(out[0] == sizeof text - 1);

  /* paths */
  static const char bad_utf8[] = {'d', (char)0xff, (char)0xfe, 0};
  static const char overlong[] = {(char)0xc0, (char)0xaf, 'x', 0}; /* overlong "/" */
  static const char with_nul[] = {'a', 0, 'b'};
  EXPECT_ERRNO("path_open path out of bounds",
               raw_path_open(3, 0, 0xFFFFFF00u, 0x200, 0, (int64_t)R, 0, 0, PTR(out)), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("path_open path wraps", raw_path_open(3, 0, 0xFFFFFFFFu, 2, 0, (int64_t)R, 0, 0, PTR(out)),
               __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("path_open non-UTF-8 path", raw_path_open(3, 0, PTR(bad_utf8), 3, 0, (int64_t)R, 0, 0, PTR(out)),
               __WASI_ERRNO_ILSEQ);
  EXPECT_ERRNO("path_open overlong UTF-8", raw_path_open(3, 0, PTR(overlong), 3, 0, (int64_t)R, 0, 0, PTR(out)),
               __WASI_ERRNO_ILSEQ);
  EXPECT_ERRNO("path_open NUL inside path", raw_path_open(3, 0, PTR(with_nul), 3, 0, (int64_t)R, 0, 0, PTR(out)),
               __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("mkdir non-UTF-8 path", raw_mkdir(3, PTR(bad_utf8), 3), __WASI_ERRNO_ILSEQ);
  EXPECT_ERRNO("symlink non-UTF-8 target", raw_symlink(PTR(bad_utf8), 3, 3, PTR("lnk"), 3), __WASI_ERRNO_ILSEQ);
  EXPECT_ERRNO("path_filestat_get result out of bounds", raw_path_filestat_get(3, 0, PTR("."), 1, mem_end - 8),
               __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("path_open result out of bounds", raw_path_open(3, 0, PTR("."), 1, 0, (int64_t)R, 0, 0, 0xFFFFFFFFu),
               __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("readlink buffer out of bounds", raw_readlink(3, PTR("x"), 1, mem_end - 2, 16, PTR(out)),
               __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("path_open unknown oflags", raw_path_open(3, 0, PTR("."), 1, 0x10, (int64_t)R, 0, 0, PTR(out)),
               __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("path_open unknown fdflags", raw_path_open(3, 0, PTR("."), 1, 0, (int64_t)R, 0, 0x20, PTR(out)),
               __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("path_open unknown rights bit",
               raw_path_open(3, 0, PTR("."), 1, 0, (int64_t)(1ull << 40), 0, 0, PTR(out)), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("path_open unknown lookupflags", raw_path_open(3, 2, PTR("."), 1, 0, (int64_t)R, 0, 0, PTR(out)),
               __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("path_open empty path", raw_path_open(3, 0, PTR(""), 0, 0, (int64_t)R, 0, 0, PTR(out)),
               __WASI_ERRNO_NOENT);

  /* args, environ, clocks, random */
  EXPECT_ERRNO("args_get argv out of bounds", raw_args_get(0xFFFFFFF0u, PTR(out)), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("args_get buffer out of bounds", raw_args_get(PTR(out), mem_end - 1), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("args_sizes_get out of bounds", raw_args_sizes_get(0xFFFFFFFFu, PTR(out)), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("environ_get out of bounds", raw_environ_get(0xFFFFFFF0u, 0xFFFFFFF0u), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("clock_time_get result out of bounds", raw_clock_time_get(0, 0, mem_end - 4), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("clock_time_get unknown clock", raw_clock_time_get(99, 0, PTR(out)), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("clock_res_get unknown clock", raw_clock_res_get(4, PTR(out)), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("random_get out of bounds", raw_random_get(mem_end - 16, 32), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("random_get zero bytes at the end", raw_random_get(mem_end, 0), 0);

  /* descriptors */
  EXPECT_ERRNO("prestat_dir_name out of bounds", raw_prestat_dir_name(3, 0xFFFFFFFFu, 100), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("readdir buffer out of bounds", raw_fd_readdir(3, mem_end - 10, 100, 0, PTR(out)), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("fd_filestat_get out of bounds", raw_fd_filestat_get(3, mem_end - 63), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("fd_fdstat_get out of bounds", raw_fd_fdstat_get(1, 0xFFFFFFF0u), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("fd_fdstat_get unknown fd", raw_fd_fdstat_get(1234, PTR(out)), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("fd_fdstat_get negative fd", raw_fd_fdstat_get(-1, PTR(out)), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("sock_recv on a directory", raw_sock_recv(3, PTR(iov), 1, 0, PTR(out), PTR(out) + 4),
               __WASI_ERRNO_NOTSOCK);

  /* proc_raise is in the witx but means nothing in a sandbox: NOTSUP, no trap. */
  EXPECT_ERRNO("proc_raise", raw_proc_raise(6), __WASI_ERRNO_NOTSUP);

  /* poll_oneoff */
  static __wasi_subscription_t subs[2];
  static __wasi_event_t events[2];
  EXPECT_ERRNO("poll_oneoff with no subscriptions", raw_poll_oneoff(PTR(subs), PTR(events), 0, PTR(out)),
               __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("poll_oneoff subscriptions out of bounds", raw_poll_oneoff(mem_end - 48, PTR(events), 2, PTR(out)),
               __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("poll_oneoff events out of bounds", raw_poll_oneoff(PTR(subs), mem_end - 32, 2, PTR(out)),
               __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("poll_oneoff huge count", raw_poll_oneoff(PTR(subs), PTR(events), 0x10000000u, PTR(out)),
               __WASI_ERRNO_FAULT);
  return finish();
}
