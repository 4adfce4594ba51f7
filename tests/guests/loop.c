/* Never ends on its own: for --timeout and --fuel. A sleep variant checks
 * that a guest blocked in poll_oneoff is stopped by --timeout too. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  printf("looping\n");
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "sleep") == 0) {
    sleep(3600);
    return 0;
  }
  volatile unsigned long x = 0;
  for (;;) x++;
}
