/* A read-only preopen never yields a writable host descriptor (issue 10):
 * APPEND (and every other flag) opens read-only on the host, and any route
 * to writing -- write rights, TRUNC, CREAT, a directory -- is refused.
 * run_guest.py watches ro/ with inotify: a host open for writing shows up
 * as IN_CLOSE_WRITE even when nothing is written.
 * Run with --dir-ro RO::/ro (fd 3); RO holds existing.txt ("read only\n"). */
#include <errno.h>

#include "check.h"

#define RO 3
#define NOTCAP __WASI_ERRNO_NOTCAPABLE

int main(void) {
  __wasi_fd_t fd;
  __wasi_size_t n;
  __wasi_ciovec_t c = {(const uint8_t*)"x", 1};
  EXPECT_OK(__wasi_path_open(RO, 0, "existing.txt", 0, __WASI_RIGHTS_FD_READ, 0, __WASI_FDFLAGS_APPEND, &fd));
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(fd, &st));
  CHECK(!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
  EXPECT_ERRNO("append fd: write", __wasi_fd_write(fd, &c, 1, &n), NOTCAP);
  EXPECT_OK(__wasi_fd_close(fd));

  EXPECT_OK(__wasi_path_open(RO, 0, "existing.txt", 0, __WASI_RIGHTS_FD_READ, 0,
                             __WASI_FDFLAGS_APPEND | __WASI_FDFLAGS_SYNC | __WASI_FDFLAGS_NONBLOCK, &fd));
  EXPECT_OK(__wasi_fd_close(fd));
  EXPECT_OK(__wasi_path_open(RO, 0, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, __WASI_FDFLAGS_APPEND,
                             &fd));
  EXPECT_OK(__wasi_fd_close(fd));

  EXPECT_ERRNO("append + write right", __wasi_path_open(RO, 0, "existing.txt", 0, __WASI_RIGHTS_FD_WRITE, 0,
                                                        __WASI_FDFLAGS_APPEND, &fd), NOTCAP);
  EXPECT_ERRNO("append + trunc", __wasi_path_open(RO, 0, "existing.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0,
                                                  __WASI_FDFLAGS_APPEND, &fd), NOTCAP);
  EXPECT_ERRNO("append + creat", __wasi_path_open(RO, 0, "new.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0,
                                                  __WASI_FDFLAGS_APPEND, &fd), NOTCAP);
  EXPECT_ERRNO("allocate right", __wasi_path_open(RO, 0, "existing.txt", 0, __WASI_RIGHTS_FD_ALLOCATE, 0, 0, &fd),
               NOTCAP);
  EXPECT_ERRNO("dir + write right", __wasi_path_open(RO, 0, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_WRITE, 0,
                                                     0, &fd), NOTCAP);
  /* Through libc as a program would: fopen "a" asks for write rights. */
  errno = 0;
  CHECK(fopen("/ro/existing.txt", "a") == NULL && errno == ENOTCAPABLE);
  return finish();
}
