/* Arguments, environment and the exit status of main. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; ++i) printf("argv[%d]=%s\n", i, argv[i]);
  const char* names[] = {"GREETING", "EMPTY", "VIV_UNSET_VARIABLE"};
  for (int i = 0; i < 3; ++i) {
    const char* v = getenv(names[i]);
    printf("%s=%s\n", names[i], v ? v : "(unset)");
  }
  /* "exit=N" as the first argument returns N from main. */
  if (argc > 1 && strncmp(argv[1], "exit=", 5) == 0) return atoi(argv[1] + 5);
  return 0;
}
