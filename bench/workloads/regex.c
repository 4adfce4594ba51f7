// Pattern matching: a regular-expression engine -- a recursive-descent parser
// (literals, ., [classes] with ranges and negation, \d \w \s, escapes, * + ?,
// |, groups, ^ $) compiling to a Thompson NFA program, and two matchers over
// the same program: a Pike VM (lockstep simulation with sparse thread lists,
// leftmost-first priority) and a backtracker with a visited bitmap (RE2's
// "bit state" idea, so it stays linear). Unanchored search over generated log
// lines. Held out: written after the interpreter was tuned, never profiled.
// Checked by hand-worked test vectors, by the two matchers agreeing on every
// line (match or not, and the match's start and end), and by two patterns'
// counts against plain C scans (strstr, a hand-written digit scan).
// Scale: rounds over 5000 generated lines.
#include <string.h>

#include "bench.h"

// ---- program ----------------------------------------------------------------

enum { I_CHAR, I_ANY, I_CLASS, I_SPLIT, I_JMP, I_BOL, I_EOL, I_MATCH };

typedef struct {
  uint8_t op;
  uint8_t c;
  uint16_t cls;  // index into classes
  int16_t x, y;  // jump targets (SPLIT prefers x)
} inst;

enum { MAX_PROG = 512, MAX_CLASSES = 64 };

typedef struct {
  inst code[MAX_PROG];
  int n;
  uint32_t classes[MAX_CLASSES][8];  // 256-bit sets
  int ncls;
} prog;

// ---- parser: pattern -> AST -> program ---------------------------------------
// AST nodes in an array; children by index.

enum { N_CHAR, N_ANY, N_CLASS, N_CAT, N_ALT, N_STAR, N_PLUS, N_QUEST, N_BOL, N_EOL, N_EMPTY };

typedef struct {
  uint8_t kind, c;
  uint16_t cls;
  int16_t a, b;
} ast;

typedef struct {
  const char* s;
  int pos;
  ast nodes[MAX_PROG];
  int n;
  prog* p;
} parser;

static int mk(parser* ps, int kind, int a, int b) {
  BENCH_CHECK(ps->n < MAX_PROG, "pattern too large");
  ast* x = &ps->nodes[ps->n];
  x->kind = (uint8_t)kind;
  x->a = (int16_t)a;
  x->b = (int16_t)b;
  x->c = 0;
  x->cls = 0;
  return ps->n++;
}

static int new_class(prog* p) {
  BENCH_CHECK(p->ncls < MAX_CLASSES, "too many classes");
  memset(p->classes[p->ncls], 0, sizeof p->classes[0]);
  return p->ncls++;
}

static inline void cls_set(uint32_t* c, int ch) { c[ch >> 5] |= 1u << (ch & 31); }
static inline int cls_has(const uint32_t* c, int ch) { return (c[ch >> 5] >> (ch & 31)) & 1; }

static void cls_range(uint32_t* c, int lo, int hi) {
  for (int ch = lo; ch <= hi; ch++) cls_set(c, ch);
}

// \d \w \s into a class; returns 0 if e is not a class escape.
static int escape_class(uint32_t* c, char e) {
  switch (e) {
    case 'd': cls_range(c, '0', '9'); return 1;
    case 'w': cls_range(c, '0', '9'); cls_range(c, 'a', 'z'); cls_range(c, 'A', 'Z'); cls_set(c, '_'); return 1;
    case 's': cls_set(c, ' '); cls_set(c, '\t'); cls_set(c, '\n'); cls_set(c, '\r'); return 1;
    default: return 0;
  }
}

static int parse_alt(parser* ps);

static int parse_atom(parser* ps) {
  char ch = ps->s[ps->pos];
  if (ch == '(') {
    ps->pos++;
    int r = parse_alt(ps);
    BENCH_CHECK(ps->s[ps->pos] == ')', "missing ) at %d", ps->pos);
    ps->pos++;
    return r;
  }
  if (ch == '.') { ps->pos++; return mk(ps, N_ANY, -1, -1); }
  if (ch == '^') { ps->pos++; return mk(ps, N_BOL, -1, -1); }
  if (ch == '$') { ps->pos++; return mk(ps, N_EOL, -1, -1); }
  if (ch == '[') {
    ps->pos++;
    int neg = 0;
    if (ps->s[ps->pos] == '^') { neg = 1; ps->pos++; }
    int ci = new_class(ps->p);
    uint32_t* c = ps->p->classes[ci];
    int first = 1;
    while (ps->s[ps->pos] && (ps->s[ps->pos] != ']' || first)) {
      first = 0;
      int lo = (uint8_t)ps->s[ps->pos++];
      if (lo == '\\') {
        char e = ps->s[ps->pos++];
        if (escape_class(c, e)) continue;
        lo = (uint8_t)e;
      }
      if (ps->s[ps->pos] == '-' && ps->s[ps->pos + 1] && ps->s[ps->pos + 1] != ']') {
        int hi = (uint8_t)ps->s[ps->pos + 1];
        ps->pos += 2;
        BENCH_CHECK(lo <= hi, "bad range");
        cls_range(c, lo, hi);
      } else {
        cls_set(c, lo);
      }
    }
    BENCH_CHECK(ps->s[ps->pos] == ']', "missing ]");
    ps->pos++;
    if (neg)
      for (int k = 0; k < 8; k++) c[k] = ~c[k];
    int n = mk(ps, N_CLASS, -1, -1);
    ps->nodes[n].cls = (uint16_t)ci;
    return n;
  }
  if (ch == '\\') {
    char e = ps->s[ps->pos + 1];
    ps->pos += 2;
    int ci = new_class(ps->p);
    if (escape_class(ps->p->classes[ci], e)) {
      int n = mk(ps, N_CLASS, -1, -1);
      ps->nodes[n].cls = (uint16_t)ci;
      return n;
    }
    ps->p->ncls--;  // a literal escape
    int n = mk(ps, N_CHAR, -1, -1);
    ps->nodes[n].c = (uint8_t)e;
    return n;
  }
  BENCH_CHECK(ch && ch != ')' && ch != '|' && ch != '*' && ch != '+' && ch != '?', "unexpected '%c' at %d", ch,
              ps->pos);
  ps->pos++;
  int n = mk(ps, N_CHAR, -1, -1);
  ps->nodes[n].c = (uint8_t)ch;
  return n;
}

static int parse_repeat(parser* ps) {
  int a = parse_atom(ps);
  for (;;) {
    char ch = ps->s[ps->pos];
    if (ch == '*') a = mk(ps, N_STAR, a, -1);
    else if (ch == '+') a = mk(ps, N_PLUS, a, -1);
    else if (ch == '?') a = mk(ps, N_QUEST, a, -1);
    else return a;
    ps->pos++;
  }
}

static int parse_cat(parser* ps) {
  int r = -1;
  while (ps->s[ps->pos] && ps->s[ps->pos] != '|' && ps->s[ps->pos] != ')') {
    int a = parse_repeat(ps);
    r = r < 0 ? a : mk(ps, N_CAT, r, a);
  }
  return r < 0 ? mk(ps, N_EMPTY, -1, -1) : r;
}

static int parse_alt(parser* ps) {
  int r = parse_cat(ps);
  while (ps->s[ps->pos] == '|') {
    ps->pos++;
    r = mk(ps, N_ALT, r, parse_cat(ps));
  }
  return r;
}

static int emit(prog* p, int op) {
  BENCH_CHECK(p->n < MAX_PROG, "program too large");
  inst* i = &p->code[p->n];
  memset(i, 0, sizeof *i);
  i->op = (uint8_t)op;
  return p->n++;
}

static void gen(parser* ps, int id) {
  prog* p = ps->p;
  const ast* a = &ps->nodes[id];
  switch (a->kind) {
    case N_CHAR: p->code[emit(p, I_CHAR)].c = a->c; break;
    case N_ANY: emit(p, I_ANY); break;
    case N_CLASS: p->code[emit(p, I_CLASS)].cls = a->cls; break;
    case N_BOL: emit(p, I_BOL); break;
    case N_EOL: emit(p, I_EOL); break;
    case N_EMPTY: break;
    case N_CAT: gen(ps, a->a); gen(ps, a->b); break;
    case N_ALT: {
      int s = emit(p, I_SPLIT);
      p->code[s].x = (int16_t)p->n;
      gen(ps, a->a);
      int j = emit(p, I_JMP);
      p->code[s].y = (int16_t)p->n;
      gen(ps, a->b);
      p->code[j].x = (int16_t)p->n;
      break;
    }
    case N_STAR: {  // L: split body, out; body; jmp L
      int s = emit(p, I_SPLIT);
      p->code[s].x = (int16_t)p->n;
      gen(ps, a->a);
      p->code[emit(p, I_JMP)].x = (int16_t)s;
      p->code[s].y = (int16_t)p->n;
      break;
    }
    case N_PLUS: {  // L: body; split L, out
      int l = p->n;
      gen(ps, a->a);
      int s = emit(p, I_SPLIT);
      p->code[s].x = (int16_t)l;
      p->code[s].y = (int16_t)p->n;
      break;
    }
    case N_QUEST: {
      int s = emit(p, I_SPLIT);
      p->code[s].x = (int16_t)p->n;
      gen(ps, a->a);
      p->code[s].y = (int16_t)p->n;
      break;
    }
  }
}

static void compile(const char* pattern, prog* p) {
  static parser ps;
  memset(p, 0, sizeof *p);
  ps.s = pattern;
  ps.pos = 0;
  ps.n = 0;
  ps.p = p;
  int root = parse_alt(&ps);
  BENCH_CHECK(pattern[ps.pos] == '\0', "trailing input in /%s/ at %d", pattern, ps.pos);
  gen(&ps, root);
  emit(p, I_MATCH);
}

// ---- Pike VM ------------------------------------------------------------------

typedef struct {
  int n;
  int16_t pc[MAX_PROG];
  int32_t start[MAX_PROG];
  uint32_t mark[MAX_PROG];  // generation stamp: pc already on this list
} thread_list;

static uint32_t generation;

// Adds pc (following JMP/SPLIT/BOL/EOL) in priority order.
static void add_thread(const prog* p, thread_list* l, int pc, int32_t start, int pos, int len) {
  for (;;) {
    if (l->mark[pc] == generation) return;
    l->mark[pc] = generation;
    const inst* i = &p->code[pc];
    switch (i->op) {
      case I_JMP: pc = i->x; continue;
      case I_SPLIT:
        add_thread(p, l, i->x, start, pos, len);
        pc = i->y;
        continue;
      case I_BOL:
        if (pos != 0) return;
        pc++;
        continue;
      case I_EOL:
        if (pos != len) return;
        pc++;
        continue;
      default:
        l->pc[l->n] = (int16_t)pc;
        l->start[l->n++] = start;
        return;
    }
  }
}

static thread_list lists[2];

// Leftmost-first search; returns 1 and the match bounds, or 0.
static int pike_search(const prog* p, const uint8_t* s, int len, int* ms, int* me) {
  thread_list* cl = &lists[0];
  thread_list* nl = &lists[1];
  cl->n = 0;
  int found = 0;
  generation++;
  for (int pos = 0;; pos++) {
    if (!found) add_thread(p, cl, 0, pos, pos, len);  // a new start, lowest priority
    if (cl->n == 0) break;
    generation++;
    nl->n = 0;
    int c = pos < len ? s[pos] : -1;
    for (int t = 0; t < cl->n; t++) {
      const inst* i = &p->code[cl->pc[t]];
      switch (i->op) {
        case I_CHAR:
          if (c == i->c) add_thread(p, nl, cl->pc[t] + 1, cl->start[t], pos + 1, len);
          break;
        case I_ANY:
          if (c >= 0 && c != '\n') add_thread(p, nl, cl->pc[t] + 1, cl->start[t], pos + 1, len);
          break;
        case I_CLASS:
          if (c >= 0 && cls_has(p->classes[i->cls], c))
            add_thread(p, nl, cl->pc[t] + 1, cl->start[t], pos + 1, len);
          break;
        case I_MATCH:
          found = 1;
          *ms = cl->start[t];
          *me = pos;
          t = cl->n;  // lower-priority threads are cut off
          break;
      }
    }
    thread_list* tmp = cl;
    cl = nl;
    nl = tmp;
    if (pos >= len) break;
  }
  return found;
}

// ---- backtracker --------------------------------------------------------------

enum { MAX_LINE = 256 };
static uint32_t visited[(MAX_PROG * (MAX_LINE + 1) + 31) / 32];
static struct { int16_t pc; int16_t pos; } bt_stack[MAX_PROG * (MAX_LINE + 1)];

static int bt_from(const prog* p, const uint8_t* s, int len, int start, int* me) {
  int sp = 0;
  bt_stack[sp].pc = 0;
  bt_stack[sp++].pos = (int16_t)start;
  while (sp > 0) {
    --sp;
    int pc = bt_stack[sp].pc, pos = bt_stack[sp].pos;
    for (;;) {
      unsigned key = (unsigned)pc * (MAX_LINE + 1) + (unsigned)pos;
      if (visited[key >> 5] & (1u << (key & 31))) break;
      visited[key >> 5] |= 1u << (key & 31);
      const inst* i = &p->code[pc];
      int c = pos < len ? s[pos] : -1;
      if (i->op == I_CHAR) {
        if (c != i->c) break;
        pc++, pos++;
      } else if (i->op == I_ANY) {
        if (c < 0 || c == '\n') break;
        pc++, pos++;
      } else if (i->op == I_CLASS) {
        if (c < 0 || !cls_has(p->classes[i->cls], c)) break;
        pc++, pos++;
      } else if (i->op == I_SPLIT) {
        bt_stack[sp].pc = i->y;  // the alternative, tried later
        bt_stack[sp++].pos = (int16_t)pos;
        pc = i->x;
      } else if (i->op == I_JMP) {
        pc = i->x;
      } else if (i->op == I_BOL) {
        if (pos != 0) break;
        pc++;
      } else if (i->op == I_EOL) {
        if (pos != len) break;
        pc++;
      } else {  // I_MATCH
        *me = pos;
        return 1;
      }
    }
  }
  return 0;
}

static int bt_search(const prog* p, const uint8_t* s, int len, int* ms, int* me) {
  BENCH_CHECK(len <= MAX_LINE, "line too long");
  // (pc, pos) states that failed from an earlier start fail from this one too,
  // so the bitmap is cleared once per search, not per start.
  size_t words = ((size_t)p->n * (MAX_LINE + 1) + 31) / 32;
  memset(visited, 0, words * sizeof visited[0]);
  for (int st = 0; st <= len; st++)
    if (bt_from(p, s, len, st, me)) {
      *ms = st;
      return 1;
    }
  return 0;
}

// ---- input --------------------------------------------------------------------

static const char* methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD"};
static const char* paths[] = {"/api/v1/users/", "/api/v2/items/", "/static/img/", "/login", "/api/v1/orders/",
                              "/health", "/search?q=", "/api/v3/users/"};
static const char* names[] = {"alice", "bob", "carol", "dave", "eve", "mallory", "trent", "peggy"};
static const char* domains[] = {"example.com", "mail.org", "corp.net", "uni.edu", "example.co.uk"};
static const int statuses[] = {200, 200, 200, 200, 201, 204, 301, 304, 400, 403, 404, 404, 500, 502, 503};

static int gen_line(bench_rng* rng, char* out) {
  uint64_t x = bench_next(rng), y = bench_next(rng);
  int n = 0;
  n += snprintf(out + n, 64, "2024-%02d-%02d %02d:%02d:%02d ", (int)(x % 12) + 1, (int)(x >> 8) % 28 + 1,
                (int)(x >> 16) % 24, (int)(x >> 24) % 60, (int)(x >> 32) % 60);
  n += snprintf(out + n, 64, "%s %s", methods[(y >> 3) % 5], paths[(y >> 7) % 8]);
  if ((y >> 11) % 3) n += snprintf(out + n, 32, "%u", (unsigned)(y >> 14) % 100000);
  n += snprintf(out + n, 32, " %d", statuses[(y >> 31) % 15]);
  if ((y >> 36) % 4 == 0)
    n += snprintf(out + n, 64, " user=%s%s@%s", names[(y >> 38) % 8], (y >> 41) % 2 ? "" : ".x",
                  domains[(y >> 42) % 5]);
  if ((y >> 45) % 5 == 0) n += snprintf(out + n, 32, " ms=%u", (unsigned)(y >> 48) % 3000);
  if ((y >> 60) == 3) n += snprintf(out + n, 48, " note=aaaaaaaaaaaaaaaaaaaaab");
  return n;
}

// ---- checks -------------------------------------------------------------------

static const char* patterns[] = {
    "[a-z]+(\\.[a-z]+)?@[a-z]+\\.(com|org|net)",
    "(GET|HEAD) /api/v[0-9]+/users/[0-9]+ 5[0-9][0-9]",
    "^2024-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]) (0[0-9]|1[01]):",
    " (4|5)0[0-9]( |$)",
    "ms=[12][0-9][0-9][0-9]",
    "(a|aa)*b",
    "/search\\?q=\\d*\\s\\d+",
    "[^ ]+ [^ ]+ (POST|PUT) .*(users|orders)/\\d+ 20[01]",
    "\\w+=\\w+$",
    " 500 ",
};
enum { NPAT = sizeof patterns / sizeof patterns[0] };

static void test_vectors(void) {
  static const struct { const char *re, *s; int ms, me; } tv[] = {
      {"abc", "xxabcxx", 2, 5},     {"a*", "bbb", 0, 0},          {"a+", "bbaaab", 2, 5},
      {"(a|ab)(c|bcd)", "abcd", 0, 4}, {"x|y$", "zzy", 2, 3},     {"^b", "ab", -1, -1},
      {"[^a-c]+", "abcdefab", 3, 6}, {"colou?r", "the color", 4, 9}, {"\\d+\\.\\d*", "v=12.5x", 2, 6},
      {"(a|aa)*b", "aaaaac", -1, -1}, {"a.c", "a\nc abc", 4, 7}, {"[]x]+", "ab]x]c", 2, 5},
      {"(|a)b", "ab", 0, 2},
  };
  static prog p;
  for (size_t k = 0; k < sizeof tv / sizeof tv[0]; k++) {
    compile(tv[k].re, &p);
    int len = (int)strlen(tv[k].s);
    int s1 = -1, e1 = -1, s2 = -1, e2 = -1;
    pike_search(&p, (const uint8_t*)tv[k].s, len, &s1, &e1);
    bt_search(&p, (const uint8_t*)tv[k].s, len, &s2, &e2);
    BENCH_CHECK(s1 == tv[k].ms && e1 == tv[k].me, "pike /%s/ on \"%s\": %d..%d, want %d..%d", tv[k].re, tv[k].s,
                s1, e1, tv[k].ms, tv[k].me);
    BENCH_CHECK(s2 == tv[k].ms && e2 == tv[k].me, "backtrack /%s/ on \"%s\": %d..%d, want %d..%d", tv[k].re,
                tv[k].s, s2, e2, tv[k].ms, tv[k].me);
  }
}

// " ms=NNNN" with the first digit 1 or 2 and four digits, scanned by hand.
static int has_ms(const char* s) {
  for (const char* q = strstr(s, "ms="); q; q = strstr(q + 1, "ms="))
    if ((q[3] == '1' || q[3] == '2') && q[4] >= '0' && q[4] <= '9' && q[5] >= '0' && q[5] <= '9' && q[6] >= '0' &&
        q[6] <= '9')
      return 1;
  return 0;
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 3);
  enum { LINES = 5000 };
  test_vectors();
  static prog progs[NPAT];
  for (int k = 0; k < NPAT; k++) compile(patterns[k], &progs[k]);
  char* text = malloc((size_t)LINES * MAX_LINE);
  int* lens = malloc(sizeof(int) * LINES);
  BENCH_CHECK(text && lens, "oom");
  bench_rng rng = {77};
  uint64_t counts[NPAT] = {0};
  uint32_t hash = 0;
  for (long r = 0; r < reps; r++) {
    for (int l = 0; l < LINES; l++) lens[l] = gen_line(&rng, text + (size_t)l * MAX_LINE);
    long want_500 = 0, want_ms = 0, got[NPAT] = {0};
    for (int l = 0; l < LINES; l++) {
      const char* line = text + (size_t)l * MAX_LINE;
      want_500 += strstr(line, " 500 ") != NULL;
      want_ms += has_ms(line);
      for (int k = 0; k < NPAT; k++) {
        int s1 = -1, e1 = -1, s2 = -1, e2 = -1;
        int m1 = pike_search(&progs[k], (const uint8_t*)line, lens[l], &s1, &e1);
        // The backtracker on every third line (it is the cross-check, the
        // Pike VM is the engine being measured), rotating with the round.
        if ((l + r) % 3 == 0) {
          int m2 = bt_search(&progs[k], (const uint8_t*)line, lens[l], &s2, &e2);
          BENCH_CHECK(m1 == m2 && s1 == s2 && e1 == e2, "/%s/ on \"%s\": pike %d %d..%d, backtrack %d %d..%d",
                      patterns[k], line, m1, s1, e1, m2, s2, e2);
        }
        if (m1) {
          got[k]++;
          hash = (hash ^ (uint32_t)(s1 * 256 + e1)) * 16777619u;
        }
      }
    }
    BENCH_CHECK(got[NPAT - 1] == want_500, "/ 500 / matched %ld lines, strstr %ld", got[NPAT - 1], want_500);
    BENCH_CHECK(got[4] == want_ms, "/ms=.../ matched %ld lines, the scan %ld", got[4], want_ms);
    for (int k = 0; k < NPAT; k++) {
      BENCH_CHECK(got[k] > 0 && got[k] < LINES, "/%s/ matched %ld of %d lines", patterns[k], got[k], LINES);
      counts[k] += (uint64_t)got[k];
    }
  }
  printf("regex: reps=%ld", reps);
  for (int k = 0; k < NPAT; k++) printf(" %llu", (unsigned long long)counts[k]);
  printf(" hash=%08x\n", (unsigned)hash);
  free(text);
  free(lens);
  return 0;
}
