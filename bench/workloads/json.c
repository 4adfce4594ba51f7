// Parsing and allocation: a JSON parser (RFC 8259: objects, arrays, strings
// with escapes including \uXXXX to UTF-8, numbers, literals) building a tree
// of malloc'ed nodes, and a serializer. A generator writes a document of
// nested records in the serializer's canonical form; parse + serialize must
// reproduce it byte for byte, and a tree walk must find the values the
// generator summed while writing. Scale: rounds over a ~1 MB document.
#include <string.h>

#include "bench.h"

typedef enum { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ } jkind;

typedef struct jval {
  jkind kind;
  double num;
  char* str;             // J_STR: value; in an object member: the key (see jmember)
  size_t len;
  struct jval** items;   // J_ARR, J_OBJ
  char** keys;           // J_OBJ
  size_t count, cap;
} jval;

typedef struct { const char* p; const char* end; } parser;

static void skip_ws(parser* P) {
  while (P->p < P->end && (*P->p == ' ' || *P->p == '\n' || *P->p == '\t' || *P->p == '\r')) P->p++;
}

static jval* new_val(jkind k) {
  jval* v = calloc(1, sizeof *v);
  BENCH_CHECK(v != NULL, "oom");
  v->kind = k;
  return v;
}

static void push_item(jval* v, jval* item, char* key) {
  if (v->count == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 4;
    v->items = realloc(v->items, v->cap * sizeof *v->items);
    if (v->kind == J_OBJ) v->keys = realloc(v->keys, v->cap * sizeof *v->keys);
    BENCH_CHECK(v->items && (v->kind != J_OBJ || v->keys), "oom");
  }
  if (v->kind == J_OBJ) v->keys[v->count] = key;
  v->items[v->count++] = item;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static char* parse_string(parser* P, size_t* out_len) {
  BENCH_CHECK(*P->p == '"', "expected a string at offset");
  P->p++;
  size_t cap = 16, n = 0;
  char* s = malloc(cap);
  while (P->p < P->end && *P->p != '"') {
    if (n + 4 >= cap) s = realloc(s, cap *= 2);
    char c = *P->p++;
    if (c != '\\') {
      BENCH_CHECK((unsigned char)c >= 0x20, "control character in string");
      s[n++] = c;
      continue;
    }
    BENCH_CHECK(P->p < P->end, "truncated escape");
    char e = *P->p++;
    switch (e) {
      case '"': s[n++] = '"'; break;
      case '\\': s[n++] = '\\'; break;
      case '/': s[n++] = '/'; break;
      case 'b': s[n++] = '\b'; break;
      case 'f': s[n++] = '\f'; break;
      case 'n': s[n++] = '\n'; break;
      case 'r': s[n++] = '\r'; break;
      case 't': s[n++] = '\t'; break;
      case 'u': {
        BENCH_CHECK(P->end - P->p >= 4, "truncated \\u");
        unsigned cp = 0;
        for (int i = 0; i < 4; i++) {
          int h = hexval(P->p[i]);
          BENCH_CHECK(h >= 0, "bad \\u digit");
          cp = cp * 16 + (unsigned)h;
        }
        P->p += 4;
        BENCH_CHECK(cp < 0xD800 || cp > 0xDFFF, "surrogates are not generated here");
        if (cp < 0x80) s[n++] = (char)cp;
        else if (cp < 0x800) { s[n++] = (char)(0xC0 | cp >> 6); s[n++] = (char)(0x80 | (cp & 63)); }
        else { s[n++] = (char)(0xE0 | cp >> 12); s[n++] = (char)(0x80 | ((cp >> 6) & 63)); s[n++] = (char)(0x80 | (cp & 63)); }
        break;
      }
      default: BENCH_CHECK(0, "bad escape \\%c", e);
    }
  }
  BENCH_CHECK(P->p < P->end, "unterminated string");
  P->p++;
  s[n] = 0;
  *out_len = n;
  return s;
}

static jval* parse_value(parser* P, int depth) {
  BENCH_CHECK(depth < 200, "nesting too deep");
  skip_ws(P);
  BENCH_CHECK(P->p < P->end, "unexpected end");
  char c = *P->p;
  if (c == '{' || c == '[') {
    jval* v = new_val(c == '{' ? J_OBJ : J_ARR);
    char close = c == '{' ? '}' : ']';
    P->p++;
    skip_ws(P);
    if (*P->p == close) { P->p++; return v; }
    for (;;) {
      char* key = NULL;
      if (v->kind == J_OBJ) {
        skip_ws(P);
        size_t kl;
        key = parse_string(P, &kl);
        skip_ws(P);
        BENCH_CHECK(*P->p == ':', "expected ':'");
        P->p++;
      }
      push_item(v, parse_value(P, depth + 1), key);
      skip_ws(P);
      if (*P->p == ',') { P->p++; continue; }
      BENCH_CHECK(*P->p == close, "expected ',' or '%c'", close);
      P->p++;
      return v;
    }
  }
  if (c == '"') {
    jval* v = new_val(J_STR);
    v->str = parse_string(P, &v->len);
    return v;
  }
  if (c == 't' && P->end - P->p >= 4 && !memcmp(P->p, "true", 4)) { P->p += 4; return new_val(J_TRUE); }
  if (c == 'f' && P->end - P->p >= 5 && !memcmp(P->p, "false", 5)) { P->p += 5; return new_val(J_FALSE); }
  if (c == 'n' && P->end - P->p >= 4 && !memcmp(P->p, "null", 4)) { P->p += 4; return new_val(J_NULL); }
  // Number: -?int(.frac)?
  jval* v = new_val(J_NUM);
  int neg = 0;
  if (*P->p == '-') { neg = 1; P->p++; }
  BENCH_CHECK(P->p < P->end && *P->p >= '0' && *P->p <= '9', "expected a value");
  double x = 0;
  while (P->p < P->end && *P->p >= '0' && *P->p <= '9') x = x * 10 + (*P->p++ - '0');
  if (P->p < P->end && *P->p == '.') {
    P->p++;
    double scale = 0.1;
    while (P->p < P->end && *P->p >= '0' && *P->p <= '9') { x += (*P->p++ - '0') * scale; scale /= 10; }
  }
  v->num = neg ? -x : x;
  return v;
}

typedef struct { char* p; size_t n, cap; } out;

static void out_reserve(out* o, size_t k) {
  if (o->n + k <= o->cap) return;
  while (o->n + k > o->cap) o->cap = o->cap ? o->cap * 2 : 4096;
  o->p = realloc(o->p, o->cap);
  BENCH_CHECK(o->p != NULL, "oom");
}
static void out_mem(out* o, const char* s, size_t k) { out_reserve(o, k); memcpy(o->p + o->n, s, k); o->n += k; }
static void out_c(out* o, char c) { out_reserve(o, 1); o->p[o->n++] = c; }

static void out_num(out* o, double x) {
  char buf[32];
  // Integers print bare; the generator's fractions are quarters: 2 decimals.
  int n = (x == (double)(int64_t)x) ? snprintf(buf, sizeof buf, "%lld", (long long)x) : snprintf(buf, sizeof buf, "%.2f", x);
  out_mem(o, buf, (size_t)n);
}

static void out_str(out* o, const char* s, size_t len) {
  out_c(o, '"');
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
      case '"': out_mem(o, "\\\"", 2); break;
      case '\\': out_mem(o, "\\\\", 2); break;
      case '\n': out_mem(o, "\\n", 2); break;
      case '\t': out_mem(o, "\\t", 2); break;
      default:
        if (c < 0x20) {
          char b[8];
          snprintf(b, sizeof b, "\\u%04x", c);
          out_mem(o, b, 6);
        } else {
          out_c(o, (char)c);
        }
    }
  }
  out_c(o, '"');
}

static void serialize(out* o, const jval* v) {
  switch (v->kind) {
    case J_NULL: out_mem(o, "null", 4); break;
    case J_TRUE: out_mem(o, "true", 4); break;
    case J_FALSE: out_mem(o, "false", 5); break;
    case J_NUM: out_num(o, v->num); break;
    case J_STR: out_str(o, v->str, v->len); break;
    case J_ARR:
    case J_OBJ:
      out_c(o, v->kind == J_ARR ? '[' : '{');
      for (size_t i = 0; i < v->count; i++) {
        if (i) out_c(o, ',');
        if (v->kind == J_OBJ) {
          out_str(o, v->keys[i], strlen(v->keys[i]));
          out_c(o, ':');
        }
        serialize(o, v->items[i]);
      }
      out_c(o, v->kind == J_ARR ? ']' : '}');
      break;
  }
}

static void free_val(jval* v) {
  for (size_t i = 0; i < v->count; i++) {
    free_val(v->items[i]);
    if (v->kind == J_OBJ) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

// Sums every number, and counts strings, in the tree.
static void walk(const jval* v, double* sum, size_t* strings) {
  if (v->kind == J_NUM) *sum += v->num;
  if (v->kind == J_STR) (*strings)++;
  for (size_t i = 0; i < v->count; i++) walk(v->items[i], sum, strings);
}

static const char* names[] = {"alpha", "bravo \"quoted\"", "charlie\\path", "delta\ttab", "echo\nline", "foxtrot",
                              "golf", "hotel"};

static void gen_record(out* o, bench_rng* rng, int depth, double* sum, size_t* strings) {
  uint64_t x = bench_next(rng);
  out_mem(o, "{\"id\":", 6);
  int64_t id = (int64_t)(x % 100000) - 50000;
  out_num(o, (double)id);
  *sum += (double)id;
  out_mem(o, ",\"name\":", 8);
  const char* nm = names[(x >> 20) % 8];
  out_str(o, nm, strlen(nm));
  (*strings)++;
  out_mem(o, ",\"score\":", 9);
  double score = (double)((x >> 30) % 4000) / 4.0;
  out_num(o, score);
  *sum += score;
  out_mem(o, ",\"ok\":", 6);
  out_mem(o, (x >> 40) & 1 ? "true" : "false", (x >> 40) & 1 ? 4 : 5);
  out_mem(o, ",\"tags\":[", 9);
  int ntags = (int)((x >> 44) % 4);
  for (int i = 0; i < ntags; i++) {
    if (i) out_c(o, ',');
    out_str(o, names[(x >> (48 + i * 2)) % 8], strlen(names[(x >> (48 + i * 2)) % 8]));
    (*strings)++;
  }
  out_mem(o, "],\"next\":", 9);
  if (depth < 3 && ((x >> 60) & 3) != 0) {
    out_c(o, '[');
    int kids = 1 + (int)((x >> 56) % 3);
    for (int i = 0; i < kids; i++) {
      if (i) out_c(o, ',');
      gen_record(o, rng, depth + 1, sum, strings);
    }
    out_c(o, ']');
  } else {
    out_mem(o, "null", 4);
  }
  out_c(o, '}');
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 3);
  bench_rng rng = {31337};
  uint64_t acc = 0;
  for (long r = 0; r < reps; r++) {
    out doc = {0};
    double want_sum = 0;
    size_t want_strings = 0;
    out_c(&doc, '[');
    for (int i = 0; doc.n < 1000000; i++) {
      if (i) out_c(&doc, ',');
      gen_record(&doc, &rng, 0, &want_sum, &want_strings);
    }
    out_c(&doc, ']');
    parser P = {doc.p, doc.p + doc.n};
    jval* root = parse_value(&P, 0);
    skip_ws(&P);
    BENCH_CHECK(P.p == P.end, "trailing bytes after the document");
    out back = {0};
    serialize(&back, root);
    BENCH_CHECK(back.n == doc.n && memcmp(back.p, doc.p, doc.n) == 0, "round trip differs (%zu vs %zu bytes)", back.n,
                doc.n);
    double sum = 0;
    size_t strings = 0;
    walk(root, &sum, &strings);
    BENCH_CHECK(sum == want_sum && strings == want_strings, "walk: sum %.2f vs %.2f, strings %zu vs %zu", sum,
                want_sum, strings, want_strings);
    acc += doc.n + strings;
    free_val(root);
    free(back.p);
    free(doc.p);
  }
  printf("json: reps=%ld checksum=%llu\n", reps, (unsigned long long)acc);
  return 0;
}
