/* Grows memory one MiB at a time (up to 64 MiB). With an argument N (the
 * --max-memory given, in MiB) it checks that the growth stopped below N:
 * malloc must fail cleanly instead of memory growing past the limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept reachable so the compiler cannot drop the allocations. */
static void* volatile kept[64];

int main(int argc, char** argv) {
  int got = 0;
  for (; got < 64; ++got) {
    void* p = malloc(1 << 20);
    if (!p) break;
    memset(p, 1, 1 << 20);
    kept[got] = p;
  }
  printf("allocated %d MiB\n", got);
  if (argc > 1) {
    int limit = atoi(argv[1]);
    if (got >= 1 && got < limit) {
      printf("respected the limit of %d MiB\n", limit);
    } else {
      printf("FAIL: %d MiB allocated under a %d MiB limit\n", got, limit);
      return 1;
    }
  }
  return 0;
}
