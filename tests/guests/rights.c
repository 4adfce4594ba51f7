/* Rights: a read-only preopen (fd 4) grants nothing that modifies, rights
 * only ever shrink, and requests beyond the inheriting set are refused.
 * Run with: --dir HOST_RW::rw --dir-ro HOST_RO::ro; HOST_RO holds
 * existing.txt ("read only\n") and sub/. */
#include "check.h"

#define RW 3
#define RO 4
#define NOTCAP __WASI_ERRNO_NOTCAPABLE

int main(void) {
  __wasi_fdstat_t rw, ro;
  EXPECT_OK(__wasi_fd_fdstat_get(RW, &rw));
  EXPECT_OK(__wasi_fd_fdstat_get(RO, &ro));
  CHECK(rw.fs_filetype == __WASI_FILETYPE_DIRECTORY && ro.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  CHECK(rw.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_FILE);
  CHECK(!(ro.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_FILE));
  CHECK(ro.fs_rights_base & __WASI_RIGHTS_PATH_OPEN);
  CHECK(!(ro.fs_rights_inheriting & __WASI_RIGHTS_FD_WRITE));

  __wasi_fd_t fd;
  EXPECT_ERRNO("ro: create file", __wasi_path_open(RO, 0, "new.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, &fd),
               NOTCAP);
  EXPECT_ERRNO("ro: truncate", __wasi_path_open(RO, 0, "existing.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0, 0, &fd),
               NOTCAP);
  EXPECT_ERRNO("ro: open for writing", __wasi_path_open(RO, 0, "existing.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
               NOTCAP);
  EXPECT_ERRNO("ro: mkdir", __wasi_path_create_directory(RO, "d"), NOTCAP);
  EXPECT_ERRNO("ro: unlink", __wasi_path_unlink_file(RO, "existing.txt"), NOTCAP);
  EXPECT_ERRNO("ro: rmdir", __wasi_path_remove_directory(RO, "sub"), NOTCAP);
  EXPECT_ERRNO("ro: rename", __wasi_path_rename(RO, "existing.txt", RO, "moved.txt"), NOTCAP);
  EXPECT_ERRNO("ro: rename out to rw", __wasi_path_rename(RO, "existing.txt", RW, "moved.txt"), NOTCAP);
  EXPECT_ERRNO("ro: symlink", __wasi_path_symlink("existing.txt", RO, "l"), NOTCAP);
  EXPECT_ERRNO("ro: link", __wasi_path_link(RO, 0, "existing.txt", RO, "h"), NOTCAP);
  EXPECT_ERRNO("ro: set times", __wasi_path_filestat_set_times(RO, 0, "existing.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
               NOTCAP);

  /* Reading works; the file descriptor cannot write or change the file. */
  EXPECT_OK(__wasi_path_open(RO, 0, "existing.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, &fd));
  char buf[32] = {0};
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf};
  __wasi_size_t n;
  EXPECT_OK(__wasi_fd_read(fd, &iov, 1, &n));
  CHECK(n == 10 && memcmp(buf, "read only\n", 10) == 0);
  __wasi_ciovec_t c = {(const uint8_t*)"x", 1};
  EXPECT_ERRNO("ro file: write", __wasi_fd_write(fd, &c, 1, &n), NOTCAP);
  EXPECT_ERRNO("ro file: set size", __wasi_fd_filestat_set_size(fd, 0), NOTCAP);
  EXPECT_ERRNO("ro file: allocate", __wasi_fd_allocate(fd, 0, 100), NOTCAP);
  EXPECT_ERRNO("ro file: seek without FD_SEEK", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, (__wasi_filesize_t*)buf), NOTCAP);
  EXPECT_OK(__wasi_fd_close(fd));

  /* A directory opened from the read-only preopen is read-only too. */
  __wasi_fd_t sub;
  EXPECT_OK(__wasi_path_open(RO, 0, "sub", __WASI_OFLAGS_DIRECTORY, ro.fs_rights_inheriting, ro.fs_rights_inheriting, 0, &sub));
  EXPECT_ERRNO("ro subdir: create file",
               __wasi_path_open(sub, 0, "x", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, &fd), NOTCAP);
  EXPECT_OK(__wasi_fd_close(sub));

  /* Asking for rights the directory cannot pass on. */
  EXPECT_ERRNO("rw: request a right outside inheriting",
               __wasi_path_open(RW, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_SOCK_ACCEPT, 0, 0, &fd), NOTCAP);

  /* Dropping rights on the writable preopen, then trying to get them back. */
  EXPECT_OK(__wasi_path_create_directory(RW, "before_drop"));
  EXPECT_OK(__wasi_fd_fdstat_set_rights(RW, rw.fs_rights_base & ~__WASI_RIGHTS_PATH_CREATE_DIRECTORY,
                                        rw.fs_rights_inheriting));
  EXPECT_ERRNO("rw: mkdir after dropping the right", __wasi_path_create_directory(RW, "after_drop"), NOTCAP);
  EXPECT_ERRNO("rw: re-adding a dropped right",
               __wasi_fd_fdstat_set_rights(RW, rw.fs_rights_base, rw.fs_rights_inheriting), NOTCAP);
  EXPECT_OK(__wasi_path_remove_directory(RW, "before_drop"));

  /* stdio directions. */
  EXPECT_ERRNO("write to stdin", __wasi_fd_write(0, &c, 1, &n), NOTCAP);
  EXPECT_ERRNO("read from stdout", __wasi_fd_read(1, &iov, 1, &n), NOTCAP);
  return finish();
}
