/* Traps: `vivarium run` must print the trap and a backtrace naming these
 * functions (from the name section), and exit with its trap status. */
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) void guest_fault_here(int how) {
  if (how == 1) __builtin_trap();
  if (how == 2) *(volatile int*)0xFFFFFFF0u = 1;  /* out of bounds */
  if (how == 3) {
    /* Volatile operands: clang may turn a constant numerator into a select. */
    volatile int n = 7, z = 0;
    printf("%d\n", n / z);
  }
}

__attribute__((noinline)) void guest_middle_frame(int how) {
  guest_fault_here(how);
  printf("not reached\n");
}

int main(int argc, char** argv) {
  int how = 1;
  if (argc > 1 && strcmp(argv[1], "oob") == 0) how = 2;
  if (argc > 1 && strcmp(argv[1], "div") == 0) how = 3;
  printf("before trap\n");
  fflush(stdout);
  guest_middle_frame(how);
  return 0;
}
