/* Self-checking guests: every check prints one line the driver can compare
 * (and Node's WASI can be compared against); a failed check also bumps
 * `failures`, and finish() turns that into the exit status. */
#ifndef VIVARIUM_GUEST_CHECK_H
#define VIVARIUM_GUEST_CHECK_H
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static int failures = 0;

#define CHECK(cond)                                                    \
  do {                                                                 \
    if (!(cond)) {                                                     \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);           \
      failures++;                                                      \
    }                                                                  \
  } while (0)

/* Expect a WASI call to return `want`; prints "label: errno" either way. */
#define EXPECT_ERRNO(label, expr, want)                                          \
  do {                                                                           \
    int got_ = (int)(expr);                                                      \
    if (got_ != (int)(want)) {                                                   \
      printf("FAIL %s:%d: %s = %d, want %d\n", __FILE__, __LINE__, label, got_, (int)(want)); \
      failures++;                                                                \
    } else {                                                                     \
      printf("%s: %d\n", label, got_);                                           \
    }                                                                            \
  } while (0)

/* Expect success; prints only on failure (values may differ per host). */
#define EXPECT_OK(expr)                                                          \
  do {                                                                           \
    int got_ = (int)(expr);                                                      \
    if (got_ != 0) {                                                             \
      printf("FAIL %s:%d: %s = %d, want 0\n", __FILE__, __LINE__, #expr, got_);  \
      failures++;                                                                \
    }                                                                            \
  } while (0)

static inline int finish(void) {
  if (failures) printf("%d check(s) FAILED\n", failures);
  else printf("all checks passed\n");
  fflush(stdout);
  return failures ? 1 : 0;
}

#endif
