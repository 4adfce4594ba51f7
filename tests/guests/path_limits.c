/* Path length (issue 10): a path longer than PATH_MAX - 1 (4095 bytes) is
 * NAMETOOLONG before the runtime does any work with it -- under both
 * resolvers (run_guest.py runs this with VIVARIUM_WASI_RESOLVE=walk too, and
 * bounds the runtime's peak RSS: the walk once split a long path into
 * millions of strings). A path of exactly 4095 bytes still resolves.
 * Run with --dir SANDBOX::/sandbox (fd 3). */
#include <stdlib.h>

#include "check.h"

#define DIR 3
#define LIMIT 4095

/* "././//f" padded to exactly len bytes (len odd): it names "f". */
static char* padded(size_t len) {
  char* p = malloc(len + 1);
  if (!p) return NULL;
  size_t i = 0;
  while (i + 3 < len) { p[i++] = '.'; p[i++] = '/'; }
  while (i + 1 < len) p[i++] = '/';
  p[i++] = 'f';
  p[i] = 0;
  return p;
}

static __wasi_errno_t open_path(const char* p, __wasi_fd_t* fd) {
  return __wasi_path_open(DIR, 0, p, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, fd);
}

int main(void) {
  __wasi_fd_t fd;
  EXPECT_OK(__wasi_path_open(DIR, 0, "f", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
  EXPECT_OK(__wasi_fd_close(fd));

  char* at_limit = padded(LIMIT);
  char* over = padded(LIMIT + 2);
  CHECK(at_limit && strlen(at_limit) == LIMIT && over && strlen(over) == LIMIT + 2);
  EXPECT_ERRNO("4095-byte path", open_path(at_limit, &fd), 0);
  EXPECT_OK(__wasi_fd_close(fd));
  EXPECT_ERRNO("4097-byte path", open_path(over, &fd), __WASI_ERRNO_NAMETOOLONG);

  /* 8 MiB of "./": millions of components if anything split it. */
  size_t huge_len = (8u << 20) + 1;
  char* huge = padded(huge_len);
  CHECK(huge != NULL);
  if (huge) {
    EXPECT_ERRNO("8 MiB path: open", open_path(huge, &fd), __WASI_ERRNO_NAMETOOLONG);
    EXPECT_ERRNO("8 MiB path: mkdir", __wasi_path_create_directory(DIR, huge), __WASI_ERRNO_NAMETOOLONG);
    __wasi_filestat_t st;
    EXPECT_ERRNO("8 MiB path: stat", __wasi_path_filestat_get(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, huge, &st),
                 __WASI_ERRNO_NAMETOOLONG);
    EXPECT_ERRNO("8 MiB path: unlink", __wasi_path_unlink_file(DIR, huge), __WASI_ERRNO_NAMETOOLONG);
    EXPECT_ERRNO("8 MiB path: rename", __wasi_path_rename(DIR, "f", DIR, huge), __WASI_ERRNO_NAMETOOLONG);
  }
  return finish();
}
