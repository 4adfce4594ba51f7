/* A reactor (built with -mexec-model=reactor): no _start; the runtime calls
 * _initialize, then whatever --invoke names. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int initialized_value;
__attribute__((constructor)) static void init(void) { initialized_value = 40; }

__attribute__((export_name("add"))) int32_t add(int32_t a, int32_t b) { return a + b; }
__attribute__((export_name("fact"))) int64_t fact(int64_t n) { return n <= 1 ? 1 : n * fact(n - 1); }
__attribute__((export_name("scale"))) double scale(double x, float y) { return x * (double)y; }
/* Depends on _initialize having run the constructors, and uses libc. */
__attribute__((export_name("greet"))) int32_t greet(void) {
  printf("hello from a reactor, initialized=%d\n", initialized_value);
  fflush(stdout);
  return initialized_value + 2;
}
