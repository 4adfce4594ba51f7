/* stdin to stdout (upper-cased) through fd_read/fd_write, a line on stderr,
 * and the stdio descriptors' types and rights. */
#include <ctype.h>
#include <unistd.h>

#include "check.h"

int main(void) {
  char buf[256];
  size_t total = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) { printf("FAIL read\n"); return 1; }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) buf[i] = (char)toupper((unsigned char)buf[i]);
    fwrite(buf, 1, (size_t)n, stdout);
    total += (size_t)n;
  }
  printf("read %zu bytes\n", total);
  fprintf(stderr, "to stderr\n");
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(0, &st));
  CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_READ);
  EXPECT_OK(__wasi_fd_fdstat_get(1, &st));
  CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  return finish();
}
