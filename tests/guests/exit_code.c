/* proc_exit: the runtime's exit status must be the guest's code (0-125; 126
 * and up are the runtime's own, see run_guest.py), and nothing after
 * proc_exit may run. The code is read as a u32, so 4294967295 reaches
 * proc_exit as is. */
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

int main(int argc, char** argv) {
  unsigned long code = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
  printf("exiting with %lu\n", code);
  fflush(stdout);
  __wasi_proc_exit((__wasi_exitcode_t)code);
  printf("FAIL: still running after proc_exit\n");
  return 99;
}
