/* Files through wasi-libc's POSIX layer (open/read/write/stat/readdir/
 * rename/unlink/symlink...) under the preopen "/sandbox". The output is
 * deterministic, so it is compared line for line with Node.js's WASI.
 * Run with: --dir HOST::/sandbox */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;
#define SHOW_ERRNO(label, expr)                                                  \
  do {                                                                           \
    errno = 0;                                                                   \
    int r_ = (expr);                                                             \
    printf("%s: %s\n", label, r_ == 0 ? "ok" : strerror(errno));                 \
  } while (0)
#define MUST(expr)                                                               \
  do {                                                                           \
    if ((expr) != 0) {                                                           \
      printf("FAIL %s:%d: %s: %s\n", __FILE__, __LINE__, #expr, strerror(errno)); \
      failures++;                                                                \
    }                                                                            \
  } while (0)

static int cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static void list(const char* path) {
  DIR* d = opendir(path);
  if (!d) {
    printf("opendir %s: %s\n", path, strerror(errno));
    return;
  }
  char* names[64];
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) && n < 64) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof *names, cmp);
  printf("%s:", path);
  for (int i = 0; i < n; ++i) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

int main(void) {
  MUST(mkdir("/sandbox/work", 0755));
  FILE* f = fopen("/sandbox/work/notes.txt", "w");
  if (!f) { printf("FAIL fopen: %s\n", strerror(errno)); return 1; }
  fprintf(f, "line one\nline two\n");
  fclose(f);
  f = fopen("/sandbox/work/notes.txt", "a");
  fprintf(f, "line three\n");
  fclose(f);
  char buf[128] = {0};
  int fd = open("/sandbox/work/notes.txt", O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  printf("read %zd bytes: %s", n, buf);
  printf("lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
  close(fd);

  struct stat st;
  MUST(stat("/sandbox/work/notes.txt", &st));
  printf("size %lld, regular %d, dir %d\n", (long long)st.st_size, S_ISREG(st.st_mode), S_ISDIR(st.st_mode));
  MUST(stat("/sandbox/work", &st));
  printf("work is a directory: %d\n", S_ISDIR(st.st_mode));

  MUST(symlink("notes.txt", "/sandbox/work/link"));
  ssize_t l = readlink("/sandbox/work/link", buf, sizeof buf);
  printf("readlink: %.*s\n", (int)l, buf);
  MUST(lstat("/sandbox/work/link", &st));
  printf("lstat link is symlink: %d\n", S_ISLNK(st.st_mode));
  MUST(rename("/sandbox/work/notes.txt", "/sandbox/work/renamed.txt"));
  MUST(mkdir("/sandbox/work/sub", 0755));
  list("/sandbox/work");

  SHOW_ERRNO("open missing", open("/sandbox/work/missing", O_RDONLY) < 0 ? -1 : 0);
  SHOW_ERRNO("mkdir existing", mkdir("/sandbox/work/sub", 0755));
  SHOW_ERRNO("rmdir non-empty", rmdir("/sandbox/work"));
  SHOW_ERRNO("unlink directory", unlink("/sandbox/work/sub"));
  SHOW_ERRNO("open O_EXCL existing", open("/sandbox/work/renamed.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) < 0 ? -1 : 0);

  MUST(unlink("/sandbox/work/link"));
  MUST(unlink("/sandbox/work/renamed.txt"));
  MUST(rmdir("/sandbox/work/sub"));
  MUST(rmdir("/sandbox/work"));
  list("/sandbox");
  printf(failures ? "FAILED\n" : "done\n");
  return failures ? 1 : 0;
}
