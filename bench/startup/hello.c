// The start-up measurement's guest: a wasi-libc hello world (printf pulls in
// stdio, so this is what a minimal real command costs to load and run).
#include <stdio.h>

int main(void) {
  printf("hello, world\n");
  return 0;
}
