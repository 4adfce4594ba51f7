/* Lists the preopened directories as the guest sees them: number, name and
 * whether they are writable, in the order wasi-libc scans them. */
#include "check.h"

int main(void) {
  for (__wasi_fd_t fd = 3;; ++fd) {
    __wasi_prestat_t ps;
    __wasi_errno_t e = __wasi_fd_prestat_get(fd, &ps);
    if (e == __WASI_ERRNO_BADF) break;
    char name[256] = {0};
    EXPECT_OK(__wasi_fd_prestat_dir_name(fd, (uint8_t*)name, sizeof name - 1));
    __wasi_fdstat_t st;
    EXPECT_OK(__wasi_fd_fdstat_get(fd, &st));
    printf("fd %d: %s (%s)\n", (int)fd, name, (st.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_FILE) ? "rw" : "ro");
  }
  return finish();
}
