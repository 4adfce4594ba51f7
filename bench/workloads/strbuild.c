// Allocation-heavy code: string building. Renders records into a growing
// heap buffer (realloc doubling) with hand-written number formatting and
// escaping, splits the text back into lines with strdup'ed fields, parses the
// numbers and frees everything. Checked by the lengths (computed from the
// digits independently), a round trip of every number and a FNV-1a hash
// matching one computed from the parsed values. Scale: rounds of 20k records.
#include <string.h>

#include "bench.h"

typedef struct { char* p; size_t len, cap; } sbuf;

static void sb_reserve(sbuf* s, size_t extra) {
  if (s->len + extra + 1 <= s->cap) return;
  size_t cap = s->cap ? s->cap : 64;
  while (cap < s->len + extra + 1) cap *= 2;
  char* p = realloc(s->p, cap);
  BENCH_CHECK(p != NULL, "realloc %zu", cap);
  s->p = p;
  s->cap = cap;
}
static void sb_putc(sbuf* s, char c) {
  sb_reserve(s, 1);
  s->p[s->len++] = c;
  s->p[s->len] = 0;
}
static void sb_puts(sbuf* s, const char* t) {
  size_t n = strlen(t);
  sb_reserve(s, n);
  memcpy(s->p + s->len, t, n + 1);
  s->len += n;
}
static int digits(uint32_t v) {
  int d = 1;
  while (v >= 10) { v /= 10; d++; }
  return d;
}
static void sb_putu(sbuf* s, uint32_t v) {
  char tmp[12];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  sb_reserve(s, (size_t)n);
  while (n) s->p[s->len++] = tmp[--n];
  s->p[s->len] = 0;
}

static const char* names[] = {"alpha", "beta", "gamma \"g\"", "delta\\d", "epsilon", "zeta", "eta", "theta"};

static uint32_t fnv(uint32_t h, const char* p, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
  return h;
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 10);
  enum { RECORDS = 20000 };
  bench_rng rng = {7};
  uint32_t acc = 0;
  for (long r = 0; r < reps; r++) {
    sbuf s = {0};
    size_t want_len = 0;
    uint32_t* vals = malloc(RECORDS * sizeof(uint32_t));
    BENCH_CHECK(vals != NULL, "oom");
    for (int i = 0; i < RECORDS; i++) {
      uint32_t v = (uint32_t)bench_next(&rng) >> (bench_next(&rng) & 31);
      vals[i] = v;
      const char* nm = names[i & 7];
      // id=<i>;name="<escaped>";v=<v>\n
      sb_puts(&s, "id=");
      sb_putu(&s, (uint32_t)i);
      sb_puts(&s, ";name=\"");
      size_t esc = 0;
      for (const char* c = nm; *c; c++) {
        if (*c == '"' || *c == '\\') { sb_putc(&s, '\\'); esc++; }
        sb_putc(&s, *c);
      }
      sb_puts(&s, "\";v=");
      sb_putu(&s, v);
      sb_putc(&s, '\n');
      want_len += 3 + (size_t)digits((uint32_t)i) + 7 + strlen(nm) + esc + 4 + (size_t)digits(v) + 1;
    }
    BENCH_CHECK(s.len == want_len, "length %zu vs %zu", s.len, want_len);
    // Parse back: each line into heap-allocated fields.
    uint32_t h1 = 2166136261u, h2 = 2166136261u;
    char* line = s.p;
    for (int i = 0; i < RECORDS; i++) {
      char* nl = strchr(line, '\n');
      BENCH_CHECK(nl != NULL, "line %d missing", i);
      char* field = strndup(line, (size_t)(nl - line));
      char* name0 = strstr(field, "name=\"") + 6;
      char* name = malloc(strlen(name0) + 1);
      size_t k = 0;
      for (char* c = name0; *c && *c != '"'; c++) {
        if (*c == '\\') c++;
        name[k++] = *c;
      }
      name[k] = 0;
      BENCH_CHECK(strcmp(name, names[i & 7]) == 0, "name %d: %s", i, name);
      uint32_t v = (uint32_t)strtoul(strstr(field, ";v=") + 3, NULL, 10);
      BENCH_CHECK(v == vals[i], "value %d: %u vs %u", i, v, vals[i]);
      h1 = fnv(h1, name, k);
      h1 = fnv(h1, (const char*)&v, 4);
      h2 = fnv(h2, names[i & 7], strlen(names[i & 7]));
      h2 = fnv(h2, (const char*)&vals[i], 4);
      free(name);
      free(field);
      line = nl + 1;
    }
    BENCH_CHECK(h1 == h2, "hash %08x vs %08x", h1, h2);
    acc ^= h1;
    free(vals);
    free(s.p);
  }
  printf("strbuild: reps=%ld checksum=%08x\n", reps, acc);
  return 0;
}
