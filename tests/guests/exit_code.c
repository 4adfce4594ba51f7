/* proc_exit: the runtime's exit status must be the guest's code, and
 * nothing after proc_exit may run. */
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

int main(int argc, char** argv) {
  int code = argc > 1 ? atoi(argv[1]) : 0;
  printf("exiting with %d\n", code);
  fflush(stdout);
  __wasi_proc_exit((__wasi_exitcode_t)code);
  printf("FAIL: still running after proc_exit\n");
  return 99;
}
