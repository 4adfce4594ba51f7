/* Stdio is a stream (issue 10): fds 0-2 share their open file description
 * with the host -- run_guest.py hands in a file outside every preopen as
 * stdin and appends stdout to a log -- so nothing here may seek, resize,
 * allocate, re-time, advise, sync, or change the status flags of them, and
 * the type is wasmtime's (unknown: not a terminal). Then stdin is copied to
 * stdout, which must land at the end of the log. */
#include "check.h"

#define NOTCAP __WASI_ERRNO_NOTCAPABLE

static const __wasi_rights_t kNever =
    __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_ALLOCATE |
    __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |
    __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS;

static void attack(__wasi_fd_t fd, const char* name) {
  char label[64];
  __wasi_filesize_t pos;
  __wasi_size_t n;
  char byte = 'X';
  __wasi_ciovec_t c = {(const uint8_t*)&byte, 1};
  __wasi_iovec_t v = {(uint8_t*)&byte, 1};
#define TRY(what, expr)                                  \
  snprintf(label, sizeof label, "%s: %s", name, what);   \
  EXPECT_ERRNO(label, expr, NOTCAP)
  TRY("set size 0", __wasi_fd_filestat_set_size(fd, 0));
  TRY("clear flags", __wasi_fd_fdstat_set_flags(fd, 0));
  TRY("set NONBLOCK", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
  TRY("seek to 0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  TRY("tell", __wasi_fd_tell(fd, &pos));
  TRY("pwrite at 0", __wasi_fd_pwrite(fd, &c, 1, 0, &n));
  TRY("pread at 0", __wasi_fd_pread(fd, &v, 1, 0, &n));
  TRY("allocate 1 MiB", __wasi_fd_allocate(fd, 0, 1 << 20));
  TRY("set times", __wasi_fd_filestat_set_times(fd, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  TRY("advise", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_DONTNEED));
  TRY("sync", __wasi_fd_sync(fd));
  TRY("datasync", __wasi_fd_datasync(fd));
  TRY("grow rights", __wasi_fd_fdstat_set_rights(fd, kNever, 0));
#undef TRY
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(fd, &st));
  CHECK((st.fs_rights_base & kNever) == 0);
  CHECK(st.fs_rights_inheriting == 0);
  CHECK(st.fs_rights_base & __WASI_RIGHTS_POLL_FD_READWRITE);
  CHECK(st.fs_filetype == __WASI_FILETYPE_UNKNOWN);
  /* Nothing about the host's file: no inode, size or times. */
  __wasi_filestat_t fs;
  EXPECT_OK(__wasi_fd_filestat_get(fd, &fs));
  CHECK(fs.filetype == __WASI_FILETYPE_UNKNOWN && fs.ino == 0 && fs.size == 0 && fs.mtim == 0);
}

int main(void) {
  attack(0, "stdin");
  attack(1, "stdout");
  attack(2, "stderr");
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(0, &st));
  CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_READ) && !(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
  EXPECT_OK(__wasi_fd_fdstat_get(1, &st));
  CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) && !(st.fs_rights_base & __WASI_RIGHTS_FD_READ));
  /* Polling still works: stdin is readable (a file, or a pipe with data). */
  __wasi_subscription_t sub = {.userdata = 7, .u = {.tag = __WASI_EVENTTYPE_FD_READ}};
  sub.u.u.fd_read.file_descriptor = 0;
  __wasi_event_t ev;
  __wasi_size_t nev = 0;
  EXPECT_OK(__wasi_poll_oneoff(&sub, &ev, 1, &nev));
  CHECK(nev == 1 && ev.userdata == 7 && ev.error == 0);
  /* The ordinary use still works: stdin to stdout. */
  char buf[256];
  __wasi_iovec_t v = {(uint8_t*)buf, sizeof buf};
  __wasi_size_t n = 0;
  EXPECT_OK(__wasi_fd_read(0, &v, 1, &n));
  fflush(stdout);
  __wasi_ciovec_t c = {(const uint8_t*)buf, n};
  __wasi_size_t w = 0;
  EXPECT_OK(__wasi_fd_write(1, &c, 1, &w));
  CHECK(w == n);
  printf("copied %u bytes\n", (unsigned)n);
  return finish();
}
