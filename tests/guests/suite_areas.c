/* The areas the official WASI test suite (WebAssembly/wasi-testsuite)
 * covers for preview1, which cannot be fetched here: trailing slashes,
 * dangling symlinks, nofollow errors, directory seeks, unicode names,
 * unbuffered writes seen through a second fd, renumbering over and closing
 * a preopen. Run with: --dir HOST::/sandbox (fd 3). */
#include "check.h"

#define DIR 3
static const __wasi_rights_t RW = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |
                                  __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET;
static const __wasi_rights_t DIRR = __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR |
                                    __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_GET;

static __wasi_fd_t make_file(const char* path, const char* text) {
  __wasi_fd_t fd = 0;
  EXPECT_OK(__wasi_path_open(DIR, 0, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RW, 0, 0, &fd));
  __wasi_ciovec_t c = {(const uint8_t*)text, strlen(text)};
  __wasi_size_t n;
  EXPECT_OK(__wasi_fd_write(fd, &c, 1, &n));
  return fd;
}

int main(void) {
  __wasi_fd_t fd, fd2;
  __wasi_filestat_t fs;

  /* Trailing slashes (remove_directory_/unlink_file_/path_rename_dir_trailing_slashes). */
  EXPECT_OK(__wasi_path_create_directory(DIR, "dir"));
  EXPECT_OK(__wasi_fd_close(make_file("file", "x")));
  EXPECT_ERRNO("rmdir file/", __wasi_path_remove_directory(DIR, "file/"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO("unlink dir/", __wasi_path_unlink_file(DIR, "dir/"), __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO("rename file/ -> x", __wasi_path_rename(DIR, "file/", DIR, "x"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO("rename file -> x/", __wasi_path_rename(DIR, "file", DIR, "x/"), __WASI_ERRNO_NOTDIR);
  EXPECT_OK(__wasi_path_rename(DIR, "dir/", DIR, "dir2/"));
  EXPECT_OK(__wasi_path_rename(DIR, "dir2", DIR, "dir"));
  EXPECT_ERRNO("stat file/", __wasi_path_filestat_get(DIR, 0, "file/", &fs), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO("open file/", __wasi_path_open(DIR, 0, "file/", 0, RW, 0, 0, &fd), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO("symlink to existing file/", __wasi_path_symlink("dir", DIR, "file/"), __WASI_ERRNO_EXIST);

  /* Dangling symlinks and nofollow errors (dangling_symlink, nofollow_errors, symlink_filestat). */
  EXPECT_OK(__wasi_path_symlink("nowhere", DIR, "dangling"));
  EXPECT_ERRNO("open dangling (follow)",
               __wasi_path_open(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling", 0, RW, 0, 0, &fd),
               __WASI_ERRNO_NOENT);
  EXPECT_ERRNO("open dangling as directory (follow)",
               __wasi_path_open(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling", __WASI_OFLAGS_DIRECTORY, DIRR, 0,
                                0, &fd),
               __WASI_ERRNO_NOENT);
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "dangling", &fs));
  CHECK(fs.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  EXPECT_ERRNO("stat dangling (follow)",
               __wasi_path_filestat_get(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling", &fs), __WASI_ERRNO_NOENT);
  EXPECT_OK(__wasi_path_symlink("dir", DIR, "dirlink"));
  __wasi_errno_t e = __wasi_path_open(DIR, 0, "dirlink", __WASI_OFLAGS_DIRECTORY, DIRR, 0, 0, &fd);
  CHECK(e == __WASI_ERRNO_LOOP || e == __WASI_ERRNO_NOTDIR);
  printf("open dirlink nofollow as directory: %s\n", e == __WASI_ERRNO_LOOP || e == __WASI_ERRNO_NOTDIR ? "refused" : "FAIL");
  EXPECT_ERRNO("create over dangling symlink with EXCL",
               __wasi_path_open(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling",
                                __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW, 0, 0, &fd),
               __WASI_ERRNO_EXIST);
  /* The slash does not make unlink follow the link: it is not a directory. */
  EXPECT_ERRNO("unlink symlink-to-dir with slash", __wasi_path_unlink_file(DIR, "dirlink/"), __WASI_ERRNO_NOTDIR);
  EXPECT_OK(__wasi_path_unlink_file(DIR, "dirlink"));
  EXPECT_OK(__wasi_path_unlink_file(DIR, "dangling"));

  /* Directories are not files (directory_seek). */
  EXPECT_OK(__wasi_path_open(DIR, 0, "dir", __WASI_OFLAGS_DIRECTORY, DIRR, 0, 0, &fd));
  __wasi_filesize_t pos;
  EXPECT_ERRNO("seek on a directory", __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("tell on a directory", __wasi_fd_tell(fd, &pos), __WASI_ERRNO_BADF);
  char buf[64];
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf};
  __wasi_size_t n;
  EXPECT_ERRNO("read from a directory", __wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_BADF);
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(fd, &st));
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY && !(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK));
  EXPECT_OK(__wasi_fd_close(fd));

  /* Unicode names round-trip (interesting_paths). */
  EXPECT_OK(__wasi_path_create_directory(DIR, "\xc3\xa9t\xc3\xa9"));
  EXPECT_OK(__wasi_fd_close(make_file("\xc3\xa9t\xc3\xa9/\xe2\x98\x83.txt", "snow")));
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "\xc3\xa9t\xc3\xa9/./\xe2\x98\x83.txt", &fs));
  CHECK(fs.size == 4);
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "dir/../\xc3\xa9t\xc3\xa9//\xe2\x98\x83.txt", &fs));
  EXPECT_ERRNO("file as a directory in the middle", __wasi_path_filestat_get(DIR, 0, "file/x", &fs), __WASI_ERRNO_NOTDIR);
  EXPECT_OK(__wasi_path_unlink_file(DIR, "\xc3\xa9t\xc3\xa9/\xe2\x98\x83.txt"));
  EXPECT_OK(__wasi_path_remove_directory(DIR, "\xc3\xa9t\xc3\xa9"));

  /* A write is visible at once through another descriptor (file_unbuffered_write). */
  fd = make_file("shared", "");
  EXPECT_OK(__wasi_path_open(DIR, 0, "shared", 0, RW, 0, 0, &fd2));
  __wasi_ciovec_t c = {(const uint8_t*)"abc", 3};
  EXPECT_OK(__wasi_fd_write(fd, &c, 1, &n));
  memset(buf, 0, sizeof buf);
  iov.buf_len = 3;
  EXPECT_OK(__wasi_fd_read(fd2, &iov, 1, &n));
  CHECK(n == 3 && memcmp(buf, "abc", 3) == 0);
  EXPECT_OK(__wasi_fd_close(fd2));
  EXPECT_OK(__wasi_fd_close(fd));

  /* fstflags are validated (fstflags_validate). */
  EXPECT_ERRNO("path set_times MTIM|MTIM_NOW",
               __wasi_path_filestat_set_times(DIR, 0, "file", 0, 0, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
               __WASI_ERRNO_INVAL);

  /* stdio is there, with the types and rights isatty() relies on (stdio, isatty). */
  for (__wasi_fd_t s = 0; s < 3; ++s) {
    EXPECT_OK(__wasi_fd_fdstat_get(s, &st));
    if (st.fs_filetype == __WASI_FILETYPE_CHARACTER_DEVICE) CHECK(!(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK));
  }

  /* Renumbering over a preopen, then closing it (overwrite_preopen, close_preopen). */
  EXPECT_OK(__wasi_path_unlink_file(DIR, "file"));
  EXPECT_OK(__wasi_path_unlink_file(DIR, "shared"));
  EXPECT_OK(__wasi_path_open(DIR, 0, "dir", __WASI_OFLAGS_DIRECTORY, DIRR, DIRR, 0, &fd));
  __wasi_prestat_t ps;
  EXPECT_OK(__wasi_fd_renumber(fd, DIR));
  EXPECT_ERRNO("prestat of a renumbered-over preopen", __wasi_fd_prestat_get(DIR, &ps), __WASI_ERRNO_BADF);
  EXPECT_OK(__wasi_fd_fdstat_get(DIR, &st));
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  EXPECT_ERRNO("old fd after renumber", __wasi_fd_close(fd), __WASI_ERRNO_BADF);
  EXPECT_OK(__wasi_fd_close(DIR));
  EXPECT_ERRNO("use a closed preopen", __wasi_path_open(DIR, 0, ".", 0, 0, 0, 0, &fd), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("prestat of a closed preopen", __wasi_fd_prestat_get(DIR, &ps), __WASI_ERRNO_BADF);
  EXPECT_OK(__wasi_sched_yield());
  return finish();
}
