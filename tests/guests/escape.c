/* Escape attempts: every way out of the preopen must be refused with
 * ENOTCAPABLE (loops with ELOOP) and change nothing outside. The driver
 * lays out HOST/sandbox (preopened as fd 3) next to HOST/outside/secret,
 * puts `abs` -> HOST/outside/secret and `absdir` -> HOST/outside (absolute
 * symlinks) inside the sandbox, and afterwards checks that HOST/outside is
 * byte-for-byte unchanged. */
#include "check.h"

#define DIR 3
#define NOTCAP __WASI_ERRNO_NOTCAPABLE
static const __wasi_rights_t R = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE;

static __wasi_errno_t open_follow(const char* path, __wasi_oflags_t o) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, o, R, 0, 0, &fd);
  if (e == 0) (void)__wasi_fd_close(fd);
  return e;
}

static __wasi_errno_t stat_of(const char* path, int follow) {
  __wasi_filestat_t fs;
  return __wasi_path_filestat_get(DIR, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, &fs);
}

int main(void) {
  /* Links the guest may create: relative ones, even if they point out. */
  EXPECT_OK(__wasi_path_create_directory(DIR, "a"));
  EXPECT_OK(__wasi_path_symlink("../outside/secret", DIR, "escape"));
  EXPECT_OK(__wasi_path_symlink("../outside", DIR, "escdir"));
  EXPECT_OK(__wasi_path_symlink("../outside/newfile", DIR, "dangling_out"));
  EXPECT_OK(__wasi_path_symlink("a/hop2", DIR, "hop1"));
  EXPECT_OK(__wasi_path_symlink("../../outside/secret", DIR, "a/hop2"));
  EXPECT_OK(__wasi_path_symlink("loop2", DIR, "loop1"));
  EXPECT_OK(__wasi_path_symlink("loop1", DIR, "loop2"));
  EXPECT_OK(__wasi_path_symlink("self", DIR, "self"));
  __wasi_fd_t fd;
  EXPECT_OK(__wasi_path_open(DIR, 0, "inside.txt", __WASI_OFLAGS_CREAT, R, 0, 0, &fd));
  EXPECT_OK(__wasi_fd_close(fd));

  /* Opening. */
  EXPECT_ERRNO("open ..", open_follow("..", 0), NOTCAP);
  EXPECT_ERRNO("open ../outside/secret", open_follow("../outside/secret", 0), NOTCAP);
  EXPECT_ERRNO("open a/../../outside/secret", open_follow("a/../../outside/secret", 0), NOTCAP);
  EXPECT_ERRNO("open a/../a/../../outside", open_follow("a/../a/../../outside", 0), NOTCAP);
  EXPECT_ERRNO("open /etc/passwd", open_follow("/etc/passwd", 0), NOTCAP);
  EXPECT_ERRNO("open absolute symlink", open_follow("abs", 0), NOTCAP);
  EXPECT_ERRNO("open through absolute dir symlink", open_follow("absdir/secret", 0), NOTCAP);
  EXPECT_ERRNO("open relative escaping symlink", open_follow("escape", 0), NOTCAP);
  EXPECT_ERRNO("open through escaping dir symlink", open_follow("escdir/secret", 0), NOTCAP);
  EXPECT_ERRNO("open two-hop escaping symlink", open_follow("hop1", 0), NOTCAP);
  EXPECT_ERRNO("open symlink loop", open_follow("loop1", 0), __WASI_ERRNO_LOOP);
  EXPECT_ERRNO("open self loop", open_follow("self", 0), __WASI_ERRNO_LOOP);
  EXPECT_ERRNO("create through dangling escaping symlink", open_follow("dangling_out", __WASI_OFLAGS_CREAT), NOTCAP);
  EXPECT_ERRNO("create ../outside/newfile", open_follow("../outside/newfile", __WASI_OFLAGS_CREAT), NOTCAP);
  EXPECT_ERRNO("truncate escaping symlink", open_follow("escape", __WASI_OFLAGS_TRUNC), NOTCAP);
  EXPECT_ERRNO("open escdir/ as directory", open_follow("escdir/", __WASI_OFLAGS_DIRECTORY), NOTCAP);
  /* Without SYMLINK_FOLLOW the link itself is not followed: ELOOP. */
  EXPECT_ERRNO("open abs without follow", __wasi_path_open(DIR, 0, "abs", 0, R, 0, 0, &fd), __WASI_ERRNO_LOOP);
  /* Staying inside through .. is fine. */
  EXPECT_OK(open_follow("a/../inside.txt", 0));
  EXPECT_OK(stat_of("a/..", 0));

  /* Stat and times. */
  EXPECT_ERRNO("stat ..", stat_of("..", 0), NOTCAP);
  EXPECT_ERRNO("stat ../outside/secret", stat_of("../outside/secret", 0), NOTCAP);
  EXPECT_ERRNO("stat follow abs", stat_of("abs", 1), NOTCAP);
  EXPECT_ERRNO("stat follow escape", stat_of("escape", 1), NOTCAP);
  EXPECT_ERRNO("stat escdir/ (trailing slash follows)", stat_of("escdir/", 0), NOTCAP);
  EXPECT_ERRNO("stat escdir/secret", stat_of("escdir/secret", 0), NOTCAP);
  EXPECT_ERRNO("stat follow loop", stat_of("loop1", 1), __WASI_ERRNO_LOOP);
  EXPECT_ERRNO("set_times ../outside/secret",
               __wasi_path_filestat_set_times(DIR, 0, "../outside/secret", 1, 1, __WASI_FSTFLAGS_MTIM), NOTCAP);
  EXPECT_ERRNO("set_times follow escape",
               __wasi_path_filestat_set_times(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "escape", 1, 1,
                                              __WASI_FSTFLAGS_MTIM),
               NOTCAP);
  EXPECT_ERRNO("set_times follow abs",
               __wasi_path_filestat_set_times(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs", 1, 1,
                                              __WASI_FSTFLAGS_MTIM),
               NOTCAP);

  /* Creating, linking, renaming, removing. */
  EXPECT_ERRNO("mkdir ../outside/newdir", __wasi_path_create_directory(DIR, "../outside/newdir"), NOTCAP);
  EXPECT_ERRNO("mkdir escdir/newdir", __wasi_path_create_directory(DIR, "escdir/newdir"), NOTCAP);
  EXPECT_ERRNO("mkdir absdir/newdir", __wasi_path_create_directory(DIR, "absdir/newdir"), NOTCAP);
  EXPECT_ERRNO("link from outside", __wasi_path_link(DIR, 0, "../outside/secret", DIR, "stolen"), NOTCAP);
  EXPECT_ERRNO("link follow escaping symlink",
               __wasi_path_link(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "escape", DIR, "stolen"), NOTCAP);
  EXPECT_ERRNO("link follow absolute symlink",
               __wasi_path_link(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs", DIR, "stolen"), NOTCAP);
  EXPECT_ERRNO("link to outside", __wasi_path_link(DIR, 0, "inside.txt", DIR, "../outside/planted"), NOTCAP);
  EXPECT_ERRNO("link into escdir", __wasi_path_link(DIR, 0, "inside.txt", DIR, "escdir/planted"), NOTCAP);
  EXPECT_ERRNO("rename from outside", __wasi_path_rename(DIR, "../outside/secret", DIR, "moved"), NOTCAP);
  EXPECT_ERRNO("rename through escdir", __wasi_path_rename(DIR, "escdir/secret", DIR, "moved"), NOTCAP);
  EXPECT_ERRNO("rename to outside", __wasi_path_rename(DIR, "inside.txt", DIR, "../outside/moved"), NOTCAP);
  EXPECT_ERRNO("rename ..", __wasi_path_rename(DIR, "..", DIR, "moved"), NOTCAP);
  EXPECT_ERRNO("symlink placed outside", __wasi_path_symlink("x", DIR, "../outside/link"), NOTCAP);
  EXPECT_ERRNO("symlink with absolute target", __wasi_path_symlink("/etc/passwd", DIR, "abslink"), NOTCAP);
  EXPECT_ERRNO("unlink outside file", __wasi_path_unlink_file(DIR, "../outside/secret"), NOTCAP);
  EXPECT_ERRNO("unlink through escdir", __wasi_path_unlink_file(DIR, "escdir/secret"), NOTCAP);
  EXPECT_ERRNO("unlink through absdir", __wasi_path_unlink_file(DIR, "absdir/secret"), NOTCAP);
  EXPECT_ERRNO("rmdir ../outside", __wasi_path_remove_directory(DIR, "../outside"), NOTCAP);
  EXPECT_ERRNO("rmdir ..", __wasi_path_remove_directory(DIR, ".."), NOTCAP);
  EXPECT_ERRNO("rmdir a/../..", __wasi_path_remove_directory(DIR, "a/../.."), NOTCAP);
  char buf[64];
  __wasi_size_t used;
  EXPECT_ERRNO("readlink outside", __wasi_path_readlink(DIR, "escdir/x", (uint8_t*)buf, sizeof buf, &used), NOTCAP);
  /* Reading the escaping link itself is allowed: it is inside. */
  EXPECT_OK(__wasi_path_readlink(DIR, "escape", (uint8_t*)buf, sizeof buf, &used));
  CHECK(used == strlen("../outside/secret"));

  /* A directory opened from the preopen is a boundary too. */
  __wasi_fd_t sub;
  EXPECT_OK(__wasi_path_open(DIR, 0, "a", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_FILESTAT_GET,
                             __WASI_RIGHTS_FD_READ, 0, &sub));
  __wasi_filestat_t fs;
  EXPECT_ERRNO("stat .. from a subdirectory fd", __wasi_path_filestat_get(sub, 0, "..", &fs), NOTCAP);
  EXPECT_ERRNO("open ../inside.txt from a subdirectory fd",
               __wasi_path_open(sub, 0, "../inside.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd), NOTCAP);
  EXPECT_OK(__wasi_fd_close(sub));
  return finish();
}
