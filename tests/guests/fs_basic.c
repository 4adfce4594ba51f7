/* Every fd_* and path_* function on a writable preopen (fd 3, named
 * "/sandbox"), success and error paths, through the raw preview1 API so the
 * errno of each call is seen exactly. Run with: --dir HOST::/sandbox */
#include <stdlib.h>

#include "check.h"

#define DIR 3
static const __wasi_rights_t kFileRights =
    __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
    __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES |
    __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |
    __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS;
static const __wasi_rights_t kDirRights =
    __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_FILESTAT_GET;

static __wasi_fd_t open_file(const char* path, __wasi_oflags_t oflags, __wasi_errno_t* err) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  *err = __wasi_path_open(DIR, 0, path, oflags, kFileRights, 0, 0, &fd);
  return fd;
}

static size_t write_str(__wasi_fd_t fd, const char* a, const char* b) {
  __wasi_ciovec_t iov[2] = {{(const uint8_t*)a, strlen(a)}, {(const uint8_t*)b, strlen(b)}};
  __wasi_size_t n = 0;
  EXPECT_OK(__wasi_fd_write(fd, iov, 2, &n));
  return n;
}

static void test_prestat(void) {
  __wasi_prestat_t ps;
  EXPECT_OK(__wasi_fd_prestat_get(DIR, &ps));
  CHECK(ps.tag == __WASI_PREOPENTYPE_DIR);
  CHECK(ps.u.dir.pr_name_len == strlen("/sandbox"));
  char name[16] = {0};
  EXPECT_OK(__wasi_fd_prestat_dir_name(DIR, (uint8_t*)name, sizeof name));
  CHECK(strcmp(name, "/sandbox") == 0);
  EXPECT_ERRNO("prestat_get(stdout)", __wasi_fd_prestat_get(1, &ps), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("prestat_get(unknown fd)", __wasi_fd_prestat_get(77, &ps), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("prestat_dir_name(short buffer)", __wasi_fd_prestat_dir_name(DIR, (uint8_t*)name, 3),
               __WASI_ERRNO_NAMETOOLONG);
}

static void test_file_io(void) {
  __wasi_errno_t err;
  EXPECT_OK(__wasi_path_create_directory(DIR, "t"));
  EXPECT_ERRNO("mkdir existing", __wasi_path_create_directory(DIR, "t"), __WASI_ERRNO_EXIST);
  __wasi_fd_t fd = open_file("t/a.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, &err);
  EXPECT_OK(err);
  open_file("t/a.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, &err);
  EXPECT_ERRNO("open O_EXCL existing", err, __WASI_ERRNO_EXIST);
  open_file("t/a.txt", __WASI_OFLAGS_DIRECTORY, &err);
  EXPECT_ERRNO("open file as directory", err, __WASI_ERRNO_NOTDIR);
  open_file("t/missing", 0, &err);
  EXPECT_ERRNO("open missing", err, __WASI_ERRNO_NOENT);
  open_file("t/a.txt/x", 0, &err);
  EXPECT_ERRNO("open through a file", err, __WASI_ERRNO_NOTDIR);

  CHECK(write_str(fd, "hello ", "world") == 11);
  __wasi_filesize_t pos = 0;
  EXPECT_OK(__wasi_fd_tell(fd, &pos));
  CHECK(pos == 11);
  EXPECT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  CHECK(pos == 0);
  char buf[32] = {0};
  __wasi_iovec_t iov = {(uint8_t*)buf, 5};
  __wasi_size_t n = 0;
  EXPECT_OK(__wasi_fd_read(fd, &iov, 1, &n));
  CHECK(n == 5 && memcmp(buf, "hello", 5) == 0);
  memset(buf, 0, sizeof buf);
  iov.buf_len = 5;
  EXPECT_OK(__wasi_fd_pread(fd, &iov, 1, 6, &n));
  CHECK(n == 5 && memcmp(buf, "world", 5) == 0);
  __wasi_ciovec_t ciov = {(const uint8_t*)"W", 1};
  EXPECT_OK(__wasi_fd_pwrite(fd, &ciov, 1, 6, &n));
  CHECK(n == 1);
  EXPECT_OK(__wasi_fd_tell(fd, &pos));
  CHECK(pos == 5); /* pread/pwrite leave the offset alone */
  EXPECT_OK(__wasi_fd_seek(fd, -5, __WASI_WHENCE_END, &pos));
  CHECK(pos == 6);
  iov.buf_len = 5;
  EXPECT_OK(__wasi_fd_read(fd, &iov, 1, &n));
  CHECK(n == 5 && memcmp(buf, "World", 5) == 0);
  EXPECT_OK(__wasi_fd_read(fd, &iov, 1, &n));
  CHECK(n == 0); /* end of file */
  EXPECT_ERRNO("seek bad whence", __wasi_fd_seek(fd, 0, 7, &pos), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("seek before start", __wasi_fd_seek(fd, -100, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);

  __wasi_filestat_t fs;
  EXPECT_OK(__wasi_fd_filestat_get(fd, &fs));
  CHECK(fs.filetype == __WASI_FILETYPE_REGULAR_FILE && fs.size == 11 && fs.nlink == 1);
  EXPECT_OK(__wasi_fd_filestat_set_size(fd, 4));
  EXPECT_OK(__wasi_fd_filestat_get(fd, &fs));
  CHECK(fs.size == 4);
  EXPECT_OK(__wasi_fd_filestat_set_size(fd, 100));
  EXPECT_OK(__wasi_fd_filestat_get(fd, &fs));
  CHECK(fs.size == 100);
  EXPECT_OK(__wasi_fd_allocate(fd, 0, 200));
  EXPECT_OK(__wasi_fd_filestat_get(fd, &fs));
  CHECK(fs.size == 200);
  EXPECT_OK(__wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_SEQUENTIAL));
  EXPECT_ERRNO("advise bad advice", __wasi_fd_advise(fd, 0, 0, 9), __WASI_ERRNO_INVAL);
  EXPECT_OK(__wasi_fd_datasync(fd));
  EXPECT_OK(__wasi_fd_sync(fd));

  const __wasi_timestamp_t atim = 1000000000ull * 1000000, mtim = 2000000000ull * 1000000 + 5;
  EXPECT_OK(__wasi_fd_filestat_set_times(fd, atim, mtim, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  EXPECT_OK(__wasi_fd_filestat_get(fd, &fs));
  CHECK(fs.atim == atim && fs.mtim == mtim);
  EXPECT_ERRNO("set_times ATIM|ATIM_NOW",
               __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
               __WASI_ERRNO_INVAL);
  EXPECT_OK(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  EXPECT_OK(__wasi_fd_filestat_get(fd, &fs));
  CHECK(fs.mtim > mtim);

  /* fdstat, APPEND, and rights that only shrink. */
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(fd, &st));
  CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
  CHECK((st.fs_rights_base & kFileRights) == kFileRights);
  CHECK(st.fs_flags == 0);
  EXPECT_OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  EXPECT_OK(__wasi_fd_fdstat_get(fd, &st));
  CHECK(st.fs_flags == __WASI_FDFLAGS_APPEND);
  EXPECT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  write_str(fd, "END", "");
  EXPECT_OK(__wasi_fd_filestat_get(fd, &fs));
  CHECK(fs.size == 203);
  EXPECT_ERRNO("set_flags unknown bit", __wasi_fd_fdstat_set_flags(fd, 0x40), __WASI_ERRNO_INVAL);
  EXPECT_OK(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE, 0));
  __wasi_size_t nw;
  EXPECT_ERRNO("write after dropping FD_WRITE", __wasi_fd_write(fd, &ciov, 1, &nw), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO("set_rights adding a right", __wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, 0),
               __WASI_ERRNO_NOTCAPABLE);
  EXPECT_OK(__wasi_fd_read(fd, &iov, 1, &n)); /* reading is still allowed */

  /* TRUNC empties; renumber moves a descriptor over another. */
  __wasi_fd_t fd2 = open_file("t/a.txt", __WASI_OFLAGS_TRUNC, &err);
  EXPECT_OK(err);
  EXPECT_OK(__wasi_fd_filestat_get(fd2, &fs));
  CHECK(fs.size == 0);
  write_str(fd2, "renumbered", "");
  __wasi_fd_t fd3 = open_file("t/b.txt", __WASI_OFLAGS_CREAT, &err);
  EXPECT_OK(err);
  EXPECT_OK(__wasi_fd_renumber(fd2, fd3));
  EXPECT_ERRNO("close renumbered-away fd", __wasi_fd_close(fd2), __WASI_ERRNO_BADF);
  EXPECT_OK(__wasi_fd_pread(fd3, &iov, 1, 0, &n));
  CHECK(n == 5 && memcmp(buf, "renum", 5) == 0);
  EXPECT_ERRNO("renumber to closed fd", __wasi_fd_renumber(fd3, 555), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("renumber from closed fd", __wasi_fd_renumber(555, fd3), __WASI_ERRNO_BADF);
  EXPECT_OK(__wasi_fd_close(fd3));
  EXPECT_OK(__wasi_fd_close(fd));
  EXPECT_ERRNO("close twice", __wasi_fd_close(fd), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("write to closed fd", __wasi_fd_write(fd, &ciov, 1, &nw), __WASI_ERRNO_BADF);
}

static void test_links_and_names(void) {
  __wasi_filestat_t fs;
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "t/a.txt", &fs));
  CHECK(fs.filetype == __WASI_FILETYPE_REGULAR_FILE);
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "t", &fs));
  CHECK(fs.filetype == __WASI_FILETYPE_DIRECTORY);
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "t/../t/./a.txt", &fs));
  EXPECT_ERRNO("filestat missing", __wasi_path_filestat_get(DIR, 0, "t/nope", &fs), __WASI_ERRNO_NOENT);
  EXPECT_OK(__wasi_path_filestat_set_times(DIR, 0, "t/a.txt", 5000000000ull, 6000000000ull,
                                           __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "t/a.txt", &fs));
  CHECK(fs.atim == 5000000000ull && fs.mtim == 6000000000ull);

  /* Symlinks: create, read (whole and cut short), stat with and without follow. */
  EXPECT_OK(__wasi_path_symlink("a.txt", DIR, "t/link"));
  EXPECT_ERRNO("symlink over existing", __wasi_path_symlink("a.txt", DIR, "t/link"), __WASI_ERRNO_EXIST);
  char buf[32] = {0};
  __wasi_size_t used = 0;
  EXPECT_OK(__wasi_path_readlink(DIR, "t/link", (uint8_t*)buf, sizeof buf, &used));
  CHECK(used == 5 && memcmp(buf, "a.txt", 5) == 0);
  memset(buf, 0, sizeof buf);
  EXPECT_OK(__wasi_path_readlink(DIR, "t/link", (uint8_t*)buf, 3, &used));
  CHECK(used == 3 && memcmp(buf, "a.t", 3) == 0);
  EXPECT_ERRNO("readlink of a file", __wasi_path_readlink(DIR, "t/a.txt", (uint8_t*)buf, sizeof buf, &used),
               __WASI_ERRNO_INVAL);
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "t/link", &fs));
  CHECK(fs.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  EXPECT_OK(__wasi_path_filestat_get(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "t/link", &fs));
  CHECK(fs.filetype == __WASI_FILETYPE_REGULAR_FILE);
  EXPECT_OK(__wasi_path_filestat_set_times(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "t/link", 7000000000ull, 0,
                                           __WASI_FSTFLAGS_ATIM));
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "t/a.txt", &fs));
  CHECK(fs.atim == 7000000000ull);
  __wasi_fd_t lfd;
  EXPECT_ERRNO("open symlink without follow",
               __wasi_path_open(DIR, 0, "t/link", 0, __WASI_RIGHTS_FD_READ, 0, 0, &lfd), __WASI_ERRNO_LOOP);
  EXPECT_OK(__wasi_path_open(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "t/link", 0, __WASI_RIGHTS_FD_READ, 0, 0, &lfd));
  EXPECT_OK(__wasi_fd_close(lfd));
  EXPECT_OK(__wasi_path_symlink("link2", DIR, "t/link1"));
  EXPECT_OK(__wasi_path_symlink("link1", DIR, "t/link2"));
  EXPECT_ERRNO("open symlink loop",
               __wasi_path_open(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "t/link1", 0, __WASI_RIGHTS_FD_READ, 0, 0, &lfd),
               __WASI_ERRNO_LOOP);

  /* Hard links and renames. */
  EXPECT_OK(__wasi_path_link(DIR, 0, "t/a.txt", DIR, "t/hard"));
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "t/a.txt", &fs));
  CHECK(fs.nlink == 2);
  EXPECT_ERRNO("link over existing", __wasi_path_link(DIR, 0, "t/a.txt", DIR, "t/hard"), __WASI_ERRNO_EXIST);
  EXPECT_OK(__wasi_path_link(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "t/link", DIR, "t/hard2"));
  EXPECT_OK(__wasi_path_filestat_get(DIR, 0, "t/hard2", &fs));
  CHECK(fs.filetype == __WASI_FILETYPE_REGULAR_FILE && fs.nlink == 3);
  EXPECT_OK(__wasi_path_unlink_file(DIR, "t/hard2"));
  EXPECT_OK(__wasi_path_rename(DIR, "t/hard", DIR, "t/renamed"));
  EXPECT_ERRNO("filestat renamed-away name", __wasi_path_filestat_get(DIR, 0, "t/hard", &fs), __WASI_ERRNO_NOENT);
  EXPECT_ERRNO("rename missing", __wasi_path_rename(DIR, "t/hard", DIR, "t/x"), __WASI_ERRNO_NOENT);
  EXPECT_OK(__wasi_path_create_directory(DIR, "t/sub"));
  EXPECT_ERRNO("rename file onto directory", __wasi_path_rename(DIR, "t/renamed", DIR, "t/sub"),
               __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO("rename directory onto file", __wasi_path_rename(DIR, "t/sub", DIR, "t/renamed"),
               __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO("link a directory", __wasi_path_link(DIR, 0, "t/sub", DIR, "t/sublink"), __WASI_ERRNO_PERM);
}

/* Reads the whole directory `fd` with a buffer of `size` bytes, following
 * d_next cookies; returns the number of entries seen, checking names. */
static int read_dir(__wasi_fd_t fd, size_t size, int* saw_a, int* saw_link) {
  static uint8_t buf[4096];
  __wasi_dircookie_t cookie = __WASI_DIRCOOKIE_START;
  int entries = 0;
  for (int rounds = 0; rounds < 1000; ++rounds) {
    __wasi_size_t used = 0;
    EXPECT_OK(__wasi_fd_readdir(fd, buf, size, cookie, &used));
    size_t off = 0;
    int progressed = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      if (off + sizeof d + d.d_namlen > used) break; /* cut short: ask again from its cookie */
      const char* name = (const char*)buf + off + sizeof d;
      if (d.d_namlen == 5 && memcmp(name, "a.txt", 5) == 0) {
        ++*saw_a;
        CHECK(d.d_type == __WASI_FILETYPE_REGULAR_FILE);
      }
      if (d.d_namlen == 4 && memcmp(name, "link", 4) == 0) {
        ++*saw_link;
        CHECK(d.d_type == __WASI_FILETYPE_SYMBOLIC_LINK);
      }
      ++entries;
      cookie = d.d_next;
      off += sizeof d + d.d_namlen;
      progressed = 1;
    }
    if (used < size) return entries; /* end of directory */
    if (!progressed) {
      printf("FAIL readdir: buffer of %zu bytes holds no entry\n", size);
      failures++;
      return entries;
    }
  }
  return entries;
}

static void test_readdir(void) {
  __wasi_fd_t d;
  EXPECT_OK(__wasi_path_open(DIR, 0, "t", __WASI_OFLAGS_DIRECTORY, kDirRights, 0, 0, &d));
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(d, &st));
  CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  int a1 = 0, l1 = 0, a2 = 0, l2 = 0;
  int big = read_dir(d, 4096, &a1, &l1);
  int small = read_dir(d, 40, &a2, &l2); /* one entry (24 + short name) per call */
  CHECK(a1 == 1 && l1 == 1 && a2 == 1 && l2 == 1);
  CHECK(big == small);
  CHECK(big >= 7); /* a.txt b.txt link link1 link2 renamed sub (+ . and ..) */
  /* A cookie past the end reads nothing. */
  uint8_t buf[64];
  __wasi_size_t used = 1;
  EXPECT_OK(__wasi_fd_readdir(d, buf, sizeof buf, 100000, &used));
  CHECK(used == 0);
  EXPECT_OK(__wasi_fd_close(d));
  __wasi_fd_t f;
  EXPECT_OK(__wasi_path_open(DIR, 0, "t/a.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR, 0, 0, &f));
  EXPECT_ERRNO("readdir on a file", __wasi_fd_readdir(f, buf, sizeof buf, 0, &used), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO("path_open with a file as directory", __wasi_path_open(f, 0, "x", 0, 0, 0, 0, &d),
               __WASI_ERRNO_NOTDIR);
  EXPECT_OK(__wasi_fd_close(f));
}

static void test_removal(void) {
  EXPECT_ERRNO("unlink a directory", __wasi_path_unlink_file(DIR, "t/sub"), __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO("unlink file/ (trailing slash)", __wasi_path_unlink_file(DIR, "t/a.txt/"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO("rmdir non-empty", __wasi_path_remove_directory(DIR, "t"), __WASI_ERRNO_NOTEMPTY);
  EXPECT_ERRNO("rmdir a file", __wasi_path_remove_directory(DIR, "t/a.txt"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO("rmdir missing", __wasi_path_remove_directory(DIR, "t/none"), __WASI_ERRNO_NOENT);
  EXPECT_OK(__wasi_path_remove_directory(DIR, "t/sub/"));
  const char* files[] = {"t/a.txt", "t/b.txt", "t/link", "t/link1", "t/link2", "t/renamed"};
  for (size_t i = 0; i < sizeof files / sizeof *files; ++i) EXPECT_OK(__wasi_path_unlink_file(DIR, files[i]));
  EXPECT_ERRNO("unlink missing", __wasi_path_unlink_file(DIR, "t/a.txt"), __WASI_ERRNO_NOENT);
  EXPECT_OK(__wasi_path_remove_directory(DIR, "t"));
  EXPECT_OK(__wasi_path_create_directory(DIR, "t2/"));
  EXPECT_OK(__wasi_path_remove_directory(DIR, "t2"));
}

int main(void) {
  test_prestat();
  test_file_io();
  test_links_and_names();
  test_readdir();
  test_removal();
  return finish();
}
