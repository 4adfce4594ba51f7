// The larger program: "toylang", a small dynamically typed scripting language
// -- lexer, recursive-descent parser to an AST, a compiler from the AST to
// stack bytecode with resolved locals, and a bytecode VM with integers,
// strings, arrays and a mark-and-sweep collector. This is the shape of the
// embedded scripting engines real guests run (Lua, QuickJS, ...): a big
// switch, pointer chasing, allocation and many small calls.
//
// The guest scripts below (recursion, a sieve over arrays, string building,
// an insertion sort, a hash of strings) are run and each result is checked
// against the same computation written in C. Scale: repetitions.
#include <stdarg.h>
#include <string.h>

#include "bench.h"

// ---------------------------------------------------------------------------
// Values and heap objects
// ---------------------------------------------------------------------------

typedef enum { V_NIL, V_INT, V_OBJ } vkind;
typedef enum { O_STR, O_ARR } okind;

typedef struct obj {
  struct obj* next_all;  // every live object, for the sweep
  okind kind;
  int marked;
} obj;

typedef struct {
  vkind kind;
  union {
    int64_t i;
    obj* o;
  };
} value;

typedef struct {
  obj h;
  uint32_t len;
  uint32_t hash;
  char chars[];
} ostr;

typedef struct {
  obj h;
  uint32_t len, cap;
  value* items;
} oarr;

static value v_nil(void) { value v = {V_NIL, {0}}; return v; }
static value v_int(int64_t i) { value v; v.kind = V_INT; v.i = i; return v; }
static value v_obj(obj* o) { value v; v.kind = V_OBJ; v.o = o; return v; }
static int is_str(value v) { return v.kind == V_OBJ && v.o->kind == O_STR; }
static int is_arr(value v) { return v.kind == V_OBJ && v.o->kind == O_ARR; }
static ostr* as_str(value v) { return (ostr*)v.o; }
static oarr* as_arr(value v) { return (oarr*)v.o; }

__attribute__((noreturn)) static void fatal(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "toylang: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

// ---------------------------------------------------------------------------
// Garbage-collected heap
// ---------------------------------------------------------------------------

typedef struct {
  obj* all;
  size_t bytes, threshold;
  size_t collections, freed;
} heap;

static heap H;

static void* gc_alloc(size_t size, okind kind);

static uint32_t hash_bytes(const char* p, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
  return h;
}

static ostr* str_new(const char* p, uint32_t n) {
  ostr* s = gc_alloc(sizeof(ostr) + n + 1, O_STR);
  s->len = n;
  memcpy(s->chars, p, n);
  s->chars[n] = 0;
  s->hash = hash_bytes(p, n);
  return s;
}

static oarr* arr_new(uint32_t cap) {
  oarr* a = gc_alloc(sizeof(oarr), O_ARR);
  a->len = 0;
  a->cap = cap ? cap : 4;
  a->items = malloc(a->cap * sizeof(value));
  if (!a->items) fatal("out of memory");
  H.bytes += a->cap * sizeof(value);
  return a;
}

static void arr_push(oarr* a, value v) {
  if (a->len == a->cap) {
    H.bytes += a->cap * sizeof(value);
    a->cap *= 2;
    a->items = realloc(a->items, a->cap * sizeof(value));
    if (!a->items) fatal("out of memory");
  }
  a->items[a->len++] = v;
}

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

typedef enum {
  T_EOF, T_INT, T_STR, T_IDENT,
  T_FN, T_LET, T_IF, T_ELSE, T_WHILE, T_RETURN, T_NIL, T_FOR, T_IN,
  T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_COMMA, T_SEMI,
  T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_ASSIGN,
  T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_AND, T_OR, T_NOT,
  T_BAND, T_BOR, T_BXOR, T_SHL, T_SHR
} tkind;

typedef struct {
  tkind kind;
  const char* start;
  uint32_t len;
  int line;
  int64_t ival;
} token;

typedef struct {
  const char* src;
  const char* p;
  int line;
  token cur, peek;
} lexer;

static const struct { const char* word; tkind kind; } keywords[] = {
    {"fn", T_FN}, {"let", T_LET}, {"if", T_IF}, {"else", T_ELSE}, {"while", T_WHILE},
    {"return", T_RETURN}, {"nil", T_NIL}, {"for", T_FOR}, {"in", T_IN}};

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static token lex_one(lexer* L) {
  for (;;) {
    while (*L->p == ' ' || *L->p == '\t' || *L->p == '\r' || *L->p == '\n') {
      if (*L->p == '\n') L->line++;
      L->p++;
    }
    if (L->p[0] == '/' && L->p[1] == '/') {
      while (*L->p && *L->p != '\n') L->p++;
      continue;
    }
    break;
  }
  token t = {T_EOF, L->p, 0, L->line, 0};
  char c = *L->p;
  if (!c) return t;
  if (is_digit(c)) {
    int64_t v = 0;
    while (is_digit(*L->p)) v = v * 10 + (*L->p++ - '0');
    t.kind = T_INT;
    t.ival = v;
    t.len = (uint32_t)(L->p - t.start);
    return t;
  }
  if (is_alpha(c)) {
    while (is_alpha(*L->p) || is_digit(*L->p)) L->p++;
    t.len = (uint32_t)(L->p - t.start);
    t.kind = T_IDENT;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
      if (strlen(keywords[i].word) == t.len && memcmp(keywords[i].word, t.start, t.len) == 0) t.kind = keywords[i].kind;
    return t;
  }
  if (c == '"') {
    L->p++;
    t.start = L->p;
    while (*L->p && *L->p != '"') {
      if (*L->p == '\n') fatal("line %d: newline in string", L->line);
      L->p++;
    }
    if (!*L->p) fatal("line %d: unterminated string", L->line);
    t.len = (uint32_t)(L->p - t.start);
    L->p++;
    t.kind = T_STR;
    return t;
  }
  L->p++;
  t.len = 1;
  switch (c) {
    case '(': t.kind = T_LPAREN; break;
    case ')': t.kind = T_RPAREN; break;
    case '{': t.kind = T_LBRACE; break;
    case '}': t.kind = T_RBRACE; break;
    case '[': t.kind = T_LBRACK; break;
    case ']': t.kind = T_RBRACK; break;
    case ',': t.kind = T_COMMA; break;
    case ';': t.kind = T_SEMI; break;
    case '+': t.kind = T_PLUS; break;
    case '-': t.kind = T_MINUS; break;
    case '*': t.kind = T_STAR; break;
    case '/': t.kind = T_SLASH; break;
    case '%': t.kind = T_PERCENT; break;
    case '^': t.kind = T_BXOR; break;
    case '=':
      if (*L->p == '=') { L->p++; t.kind = T_EQ; } else t.kind = T_ASSIGN;
      break;
    case '!':
      if (*L->p == '=') { L->p++; t.kind = T_NE; } else t.kind = T_NOT;
      break;
    case '<':
      if (*L->p == '=') { L->p++; t.kind = T_LE; }
      else if (*L->p == '<') { L->p++; t.kind = T_SHL; }
      else t.kind = T_LT;
      break;
    case '>':
      if (*L->p == '=') { L->p++; t.kind = T_GE; }
      else if (*L->p == '>') { L->p++; t.kind = T_SHR; }
      else t.kind = T_GT;
      break;
    case '&':
      if (*L->p == '&') { L->p++; t.kind = T_AND; } else t.kind = T_BAND;
      break;
    case '|':
      if (*L->p == '|') { L->p++; t.kind = T_OR; } else t.kind = T_BOR;
      break;
    default: fatal("line %d: unexpected character '%c'", L->line, c);
  }
  return t;
}

static void lex_init(lexer* L, const char* src) {
  L->src = src;
  L->p = src;
  L->line = 1;
  L->cur = lex_one(L);
  L->peek = lex_one(L);
}

static void lex_next(lexer* L) {
  L->cur = L->peek;
  L->peek = lex_one(L);
}

// ---------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------

typedef enum {
  N_INT, N_STR, N_NIL, N_VAR, N_BINARY, N_UNARY, N_AND, N_OR, N_CALL, N_INDEX, N_ARRAY,
  N_LET, N_ASSIGN, N_SET_INDEX, N_IF, N_WHILE, N_FOR, N_RETURN, N_EXPR, N_BLOCK, N_FN
} nkind;

typedef struct node node;
typedef struct {
  node** items;
  int len, cap;
} nodelist;

struct node {
  nkind kind;
  int line;
  int64_t ival;        // N_INT; N_BINARY / N_UNARY: operator token
  const char* name;    // N_VAR, N_LET, N_ASSIGN, N_FN, N_CALL (callee), N_FOR
  uint32_t name_len;
  node *a, *b, *c;     // children by kind
  nodelist list;       // N_BLOCK statements, N_CALL / N_ARRAY arguments, N_FN params (as N_VAR)
};

// The AST lives in an arena freed after compilation.
typedef struct arena_block { struct arena_block* next; size_t used; char data[65536 - 32]; } arena_block;
static arena_block* arena;

static void* arena_alloc(size_t n) {
  n = (n + 7) & ~(size_t)7;
  if (!arena || arena->used + n > sizeof arena->data) {
    arena_block* b = malloc(sizeof *b);
    if (!b) fatal("out of memory");
    b->next = arena;
    b->used = 0;
    arena = b;
  }
  void* p = arena->data + arena->used;
  arena->used += n;
  return p;
}

static void arena_free(void) {
  while (arena) {
    arena_block* n = arena->next;
    free(arena);
    arena = n;
  }
}

static node* mk(nkind k, int line) {
  node* n = arena_alloc(sizeof *n);
  memset(n, 0, sizeof *n);
  n->kind = k;
  n->line = line;
  return n;
}

static void list_push(nodelist* l, node* n) {
  if (l->len == l->cap) {
    int cap = l->cap ? l->cap * 2 : 4;
    node** items = arena_alloc((size_t)cap * sizeof(node*));
    if (l->len) memcpy(items, l->items, (size_t)l->len * sizeof(node*));
    l->items = items;
    l->cap = cap;
  }
  l->items[l->len++] = n;
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

static void expect(lexer* L, tkind k, const char* what) {
  if (L->cur.kind != k) fatal("line %d: expected %s near '%.*s'", L->cur.line, what, (int)L->cur.len, L->cur.start);
  lex_next(L);
}

static node* parse_expr(lexer* L);
static node* parse_block(lexer* L);

static node* parse_primary(lexer* L) {
  token t = L->cur;
  switch (t.kind) {
    case T_INT: {
      lex_next(L);
      node* n = mk(N_INT, t.line);
      n->ival = t.ival;
      return n;
    }
    case T_STR: {
      lex_next(L);
      node* n = mk(N_STR, t.line);
      n->name = t.start;
      n->name_len = t.len;
      return n;
    }
    case T_NIL: lex_next(L); return mk(N_NIL, t.line);
    case T_IDENT: {
      lex_next(L);
      node* n = mk(N_VAR, t.line);
      n->name = t.start;
      n->name_len = t.len;
      return n;
    }
    case T_LPAREN: {
      lex_next(L);
      node* e = parse_expr(L);
      expect(L, T_RPAREN, "')'");
      return e;
    }
    case T_LBRACK: {
      lex_next(L);
      node* n = mk(N_ARRAY, t.line);
      if (L->cur.kind != T_RBRACK) {
        do {
          list_push(&n->list, parse_expr(L));
          if (L->cur.kind != T_COMMA) break;
          lex_next(L);
        } while (1);
      }
      expect(L, T_RBRACK, "']'");
      return n;
    }
    default: fatal("line %d: expected an expression near '%.*s'", t.line, (int)t.len, t.start);
  }
  return NULL;
}

static node* parse_postfix(lexer* L) {
  node* e = parse_primary(L);
  for (;;) {
    if (L->cur.kind == T_LPAREN) {
      if (e->kind != N_VAR) fatal("line %d: only named functions can be called", L->cur.line);
      node* call = mk(N_CALL, L->cur.line);
      call->name = e->name;
      call->name_len = e->name_len;
      lex_next(L);
      if (L->cur.kind != T_RPAREN) {
        do {
          list_push(&call->list, parse_expr(L));
          if (L->cur.kind != T_COMMA) break;
          lex_next(L);
        } while (1);
      }
      expect(L, T_RPAREN, "')'");
      e = call;
    } else if (L->cur.kind == T_LBRACK) {
      node* ix = mk(N_INDEX, L->cur.line);
      lex_next(L);
      ix->a = e;
      ix->b = parse_expr(L);
      expect(L, T_RBRACK, "']'");
      e = ix;
    } else {
      return e;
    }
  }
}

static node* parse_unary(lexer* L) {
  if (L->cur.kind == T_MINUS || L->cur.kind == T_NOT) {
    node* n = mk(N_UNARY, L->cur.line);
    n->ival = L->cur.kind;
    lex_next(L);
    n->a = parse_unary(L);
    return n;
  }
  return parse_postfix(L);
}

// Binary operators by precedence, lowest first.
static int precedence(tkind k) {
  switch (k) {
    case T_OR: return 1;
    case T_AND: return 2;
    case T_BOR: return 3;
    case T_BXOR: return 4;
    case T_BAND: return 5;
    case T_EQ: case T_NE: return 6;
    case T_LT: case T_LE: case T_GT: case T_GE: return 7;
    case T_SHL: case T_SHR: return 8;
    case T_PLUS: case T_MINUS: return 9;
    case T_STAR: case T_SLASH: case T_PERCENT: return 10;
    default: return 0;
  }
}

static node* parse_binary(lexer* L, int min_prec) {
  node* lhs = parse_unary(L);
  for (;;) {
    tkind op = L->cur.kind;
    int prec = precedence(op);
    if (prec == 0 || prec < min_prec) return lhs;
    int line = L->cur.line;
    lex_next(L);
    node* rhs = parse_binary(L, prec + 1);
    node* n = mk(op == T_AND ? N_AND : op == T_OR ? N_OR : N_BINARY, line);
    n->ival = op;
    n->a = lhs;
    n->b = rhs;
    lhs = n;
  }
}

static node* parse_expr(lexer* L) { return parse_binary(L, 1); }

static node* parse_statement(lexer* L) {
  token t = L->cur;
  switch (t.kind) {
    case T_LET: {
      lex_next(L);
      if (L->cur.kind != T_IDENT) fatal("line %d: expected a name after let", t.line);
      node* n = mk(N_LET, t.line);
      n->name = L->cur.start;
      n->name_len = L->cur.len;
      lex_next(L);
      expect(L, T_ASSIGN, "'='");
      n->a = parse_expr(L);
      expect(L, T_SEMI, "';'");
      return n;
    }
    case T_IF: {
      lex_next(L);
      node* n = mk(N_IF, t.line);
      expect(L, T_LPAREN, "'('");
      n->a = parse_expr(L);
      expect(L, T_RPAREN, "')'");
      n->b = parse_block(L);
      if (L->cur.kind == T_ELSE) {
        lex_next(L);
        n->c = L->cur.kind == T_IF ? parse_statement(L) : parse_block(L);
      }
      return n;
    }
    case T_WHILE: {
      lex_next(L);
      node* n = mk(N_WHILE, t.line);
      expect(L, T_LPAREN, "'('");
      n->a = parse_expr(L);
      expect(L, T_RPAREN, "')'");
      n->b = parse_block(L);
      return n;
    }
    case T_FOR: {
      // for (name in lo, hi) { ... }  -- name counts from lo up to hi-1
      lex_next(L);
      node* n = mk(N_FOR, t.line);
      expect(L, T_LPAREN, "'('");
      if (L->cur.kind != T_IDENT) fatal("line %d: expected a loop variable", t.line);
      n->name = L->cur.start;
      n->name_len = L->cur.len;
      lex_next(L);
      expect(L, T_IN, "'in'");
      n->a = parse_expr(L);
      expect(L, T_COMMA, "','");
      n->b = parse_expr(L);
      expect(L, T_RPAREN, "')'");
      n->c = parse_block(L);
      return n;
    }
    case T_RETURN: {
      lex_next(L);
      node* n = mk(N_RETURN, t.line);
      n->a = L->cur.kind == T_SEMI ? mk(N_NIL, t.line) : parse_expr(L);
      expect(L, T_SEMI, "';'");
      return n;
    }
    case T_LBRACE: return parse_block(L);
    default: break;
  }
  node* e = parse_expr(L);
  if (L->cur.kind == T_ASSIGN) {
    int line = L->cur.line;
    lex_next(L);
    node* rhs = parse_expr(L);
    node* n;
    if (e->kind == N_VAR) {
      n = mk(N_ASSIGN, line);
      n->name = e->name;
      n->name_len = e->name_len;
      n->a = rhs;
    } else if (e->kind == N_INDEX) {
      n = mk(N_SET_INDEX, line);
      n->a = e->a;
      n->b = e->b;
      n->c = rhs;
    } else {
      fatal("line %d: cannot assign to this expression", line);
    }
    expect(L, T_SEMI, "';'");
    return n;
  }
  node* n = mk(N_EXPR, t.line);
  n->a = e;
  expect(L, T_SEMI, "';'");
  return n;
}

static node* parse_block(lexer* L) {
  node* b = mk(N_BLOCK, L->cur.line);
  expect(L, T_LBRACE, "'{'");
  while (L->cur.kind != T_RBRACE) {
    if (L->cur.kind == T_EOF) fatal("line %d: unterminated block", b->line);
    list_push(&b->list, parse_statement(L));
  }
  lex_next(L);
  return b;
}

static node* parse_function(lexer* L) {
  int line = L->cur.line;
  expect(L, T_FN, "'fn'");
  if (L->cur.kind != T_IDENT) fatal("line %d: expected a function name", line);
  node* f = mk(N_FN, line);
  f->name = L->cur.start;
  f->name_len = L->cur.len;
  lex_next(L);
  expect(L, T_LPAREN, "'('");
  if (L->cur.kind != T_RPAREN) {
    do {
      if (L->cur.kind != T_IDENT) fatal("line %d: expected a parameter name", L->cur.line);
      node* p = mk(N_VAR, L->cur.line);
      p->name = L->cur.start;
      p->name_len = L->cur.len;
      list_push(&f->list, p);
      lex_next(L);
      if (L->cur.kind != T_COMMA) break;
      lex_next(L);
    } while (1);
  }
  expect(L, T_RPAREN, "')'");
  f->a = parse_block(L);
  return f;
}

// ---------------------------------------------------------------------------
// Bytecode
// ---------------------------------------------------------------------------

typedef enum {
  OP_CONST, OP_NIL, OP_POP, OP_GET_LOCAL, OP_SET_LOCAL,
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_NEG, OP_NOT,
  OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
  OP_BAND, OP_BOR, OP_BXOR, OP_SHL, OP_SHR,
  OP_JUMP, OP_JUMP_IF_FALSE, OP_JUMP_IF_FALSE_KEEP, OP_JUMP_IF_TRUE_KEEP,
  OP_CALL, OP_BUILTIN, OP_RETURN,
  OP_ARRAY, OP_INDEX, OP_SET_INDEX,
  OP_FOR_TEST,     // locals[a] < locals[a+1] ? continue : jump
  OP_INC_LOCAL
} opcode;

typedef enum { B_LEN, B_PUSH, B_STR, B_CONCAT, B_ORD, B_SUBSTR, B_ARRAY_NEW, B_HASH, B_COUNT } builtin;
static const char* builtin_names[B_COUNT] = {"len", "push", "str", "concat", "ord", "substr", "array", "hash"};
static const int builtin_arity[B_COUNT] = {1, 2, 1, 2, 2, 3, 2, 1};

typedef struct {
  const char* name;
  uint32_t name_len;
  int arity;
  int nlocals;
  int32_t* code;
  int len, cap;
  int* lines;
  node* decl;
} function;

typedef struct {
  function* funcs;
  int nfuncs, capfuncs;
  value* consts;
  int nconsts, capconsts;
} program;

typedef struct {
  const char* name;
  uint32_t len;
  int depth;
} local;

typedef struct {
  program* prog;
  function* fn;
  local locals[256];
  int nlocals, depth, max_locals;
} compiler;

static void emit(compiler* C, int32_t w, int line) {
  function* f = C->fn;
  if (f->len == f->cap) {
    f->cap = f->cap ? f->cap * 2 : 64;
    f->code = realloc(f->code, (size_t)f->cap * sizeof(int32_t));
    f->lines = realloc(f->lines, (size_t)f->cap * sizeof(int));
    if (!f->code || !f->lines) fatal("out of memory");
  }
  f->lines[f->len] = line;
  f->code[f->len++] = w;
}

static int emit_jump(compiler* C, opcode op, int line) {
  emit(C, op, line);
  emit(C, 0, line);
  return C->fn->len - 1;
}

static void patch(compiler* C, int at) { C->fn->code[at] = C->fn->len; }

static int add_const(program* P, value v) {
  if (P->nconsts == P->capconsts) {
    P->capconsts = P->capconsts ? P->capconsts * 2 : 16;
    P->consts = realloc(P->consts, (size_t)P->capconsts * sizeof(value));
    if (!P->consts) fatal("out of memory");
  }
  P->consts[P->nconsts] = v;
  return P->nconsts++;
}

static int resolve_local(compiler* C, const char* name, uint32_t len) {
  for (int i = C->nlocals - 1; i >= 0; i--)
    if (C->locals[i].len == len && memcmp(C->locals[i].name, name, len) == 0) return i;
  return -1;
}

static int declare_local(compiler* C, const char* name, uint32_t len, int line) {
  for (int i = C->nlocals - 1; i >= 0 && C->locals[i].depth == C->depth; i--)
    if (C->locals[i].len == len && memcmp(C->locals[i].name, name, len) == 0)
      fatal("line %d: '%.*s' is already declared in this block", line, (int)len, name);
  if (C->nlocals == 256) fatal("line %d: too many locals", line);
  C->locals[C->nlocals] = (local){name, len, C->depth};
  if (++C->nlocals > C->max_locals) C->max_locals = C->nlocals;
  return C->nlocals - 1;
}

static int find_function(program* P, const char* name, uint32_t len) {
  for (int i = 0; i < P->nfuncs; i++)
    if (P->funcs[i].name_len == len && memcmp(P->funcs[i].name, name, len) == 0) return i;
  return -1;
}

static void compile_expr(compiler* C, node* n);
static void compile_stmt(compiler* C, node* n);

static opcode binary_op(int64_t tok) {
  switch ((tkind)tok) {
    case T_PLUS: return OP_ADD;
    case T_MINUS: return OP_SUB;
    case T_STAR: return OP_MUL;
    case T_SLASH: return OP_DIV;
    case T_PERCENT: return OP_MOD;
    case T_EQ: return OP_EQ;
    case T_NE: return OP_NE;
    case T_LT: return OP_LT;
    case T_LE: return OP_LE;
    case T_GT: return OP_GT;
    case T_GE: return OP_GE;
    case T_BAND: return OP_BAND;
    case T_BOR: return OP_BOR;
    case T_BXOR: return OP_BXOR;
    case T_SHL: return OP_SHL;
    case T_SHR: return OP_SHR;
    default: fatal("internal: bad binary operator"); return OP_ADD;
  }
}

static void compile_expr(compiler* C, node* n) {
  switch (n->kind) {
    case N_INT:
      emit(C, OP_CONST, n->line);
      emit(C, add_const(C->prog, v_int(n->ival)), n->line);
      break;
    case N_STR:
      emit(C, OP_CONST, n->line);
      emit(C, add_const(C->prog, v_obj(&str_new(n->name, n->name_len)->h)), n->line);
      break;
    case N_NIL: emit(C, OP_NIL, n->line); break;
    case N_VAR: {
      int slot = resolve_local(C, n->name, n->name_len);
      if (slot < 0) fatal("line %d: unknown variable '%.*s'", n->line, (int)n->name_len, n->name);
      emit(C, OP_GET_LOCAL, n->line);
      emit(C, slot, n->line);
      break;
    }
    case N_BINARY:
      compile_expr(C, n->a);
      compile_expr(C, n->b);
      emit(C, binary_op(n->ival), n->line);
      break;
    case N_UNARY:
      compile_expr(C, n->a);
      emit(C, n->ival == T_MINUS ? OP_NEG : OP_NOT, n->line);
      break;
    case N_AND: {
      compile_expr(C, n->a);
      int j = emit_jump(C, OP_JUMP_IF_FALSE_KEEP, n->line);
      emit(C, OP_POP, n->line);
      compile_expr(C, n->b);
      patch(C, j);
      break;
    }
    case N_OR: {
      compile_expr(C, n->a);
      int j = emit_jump(C, OP_JUMP_IF_TRUE_KEEP, n->line);
      emit(C, OP_POP, n->line);
      compile_expr(C, n->b);
      patch(C, j);
      break;
    }
    case N_CALL: {
      for (int b = 0; b < B_COUNT; b++) {
        if (strlen(builtin_names[b]) == n->name_len && memcmp(builtin_names[b], n->name, n->name_len) == 0) {
          if (n->list.len != builtin_arity[b])
            fatal("line %d: %s takes %d arguments", n->line, builtin_names[b], builtin_arity[b]);
          for (int i = 0; i < n->list.len; i++) compile_expr(C, n->list.items[i]);
          emit(C, OP_BUILTIN, n->line);
          emit(C, b, n->line);
          return;
        }
      }
      int fi = find_function(C->prog, n->name, n->name_len);
      if (fi < 0) fatal("line %d: unknown function '%.*s'", n->line, (int)n->name_len, n->name);
      if (C->prog->funcs[fi].arity != n->list.len)
        fatal("line %d: '%.*s' takes %d arguments, given %d", n->line, (int)n->name_len, n->name,
              C->prog->funcs[fi].arity, n->list.len);
      for (int i = 0; i < n->list.len; i++) compile_expr(C, n->list.items[i]);
      emit(C, OP_CALL, n->line);
      emit(C, fi, n->line);
      break;
    }
    case N_INDEX:
      compile_expr(C, n->a);
      compile_expr(C, n->b);
      emit(C, OP_INDEX, n->line);
      break;
    case N_ARRAY:
      for (int i = 0; i < n->list.len; i++) compile_expr(C, n->list.items[i]);
      emit(C, OP_ARRAY, n->line);
      emit(C, n->list.len, n->line);
      break;
    default: fatal("line %d: not an expression", n->line);
  }
}

static void begin_scope(compiler* C) { C->depth++; }
static void end_scope(compiler* C) {
  C->depth--;
  while (C->nlocals > 0 && C->locals[C->nlocals - 1].depth > C->depth) C->nlocals--;
}

static void compile_stmt(compiler* C, node* n) {
  switch (n->kind) {
    case N_LET: {
      compile_expr(C, n->a);
      int slot = declare_local(C, n->name, n->name_len, n->line);
      emit(C, OP_SET_LOCAL, n->line);
      emit(C, slot, n->line);
      break;
    }
    case N_ASSIGN: {
      int slot = resolve_local(C, n->name, n->name_len);
      if (slot < 0) fatal("line %d: assignment to undeclared '%.*s'", n->line, (int)n->name_len, n->name);
      compile_expr(C, n->a);
      emit(C, OP_SET_LOCAL, n->line);
      emit(C, slot, n->line);
      break;
    }
    case N_SET_INDEX:
      compile_expr(C, n->a);
      compile_expr(C, n->b);
      compile_expr(C, n->c);
      emit(C, OP_SET_INDEX, n->line);
      break;
    case N_EXPR:
      compile_expr(C, n->a);
      emit(C, OP_POP, n->line);
      break;
    case N_BLOCK:
      begin_scope(C);
      for (int i = 0; i < n->list.len; i++) compile_stmt(C, n->list.items[i]);
      end_scope(C);
      break;
    case N_IF: {
      compile_expr(C, n->a);
      int jf = emit_jump(C, OP_JUMP_IF_FALSE, n->line);
      compile_stmt(C, n->b);
      if (n->c) {
        int je = emit_jump(C, OP_JUMP, n->line);
        patch(C, jf);
        compile_stmt(C, n->c);
        patch(C, je);
      } else {
        patch(C, jf);
      }
      break;
    }
    case N_WHILE: {
      int top = C->fn->len;
      compile_expr(C, n->a);
      int jf = emit_jump(C, OP_JUMP_IF_FALSE, n->line);
      compile_stmt(C, n->b);
      emit(C, OP_JUMP, n->line);
      emit(C, top, n->line);
      patch(C, jf);
      break;
    }
    case N_FOR: {
      begin_scope(C);
      compile_expr(C, n->a);
      int var = declare_local(C, n->name, n->name_len, n->line);
      emit(C, OP_SET_LOCAL, n->line);
      emit(C, var, n->line);
      compile_expr(C, n->b);
      int limit = declare_local(C, " limit", 6, n->line);
      if (limit != var + 1) fatal("internal: for-loop slots");
      emit(C, OP_SET_LOCAL, n->line);
      emit(C, limit, n->line);
      int top = C->fn->len;
      emit(C, OP_FOR_TEST, n->line);
      emit(C, var, n->line);
      emit(C, 0, n->line);
      int exit_at = C->fn->len - 1;
      compile_stmt(C, n->c);
      emit(C, OP_INC_LOCAL, n->line);
      emit(C, var, n->line);
      emit(C, OP_JUMP, n->line);
      emit(C, top, n->line);
      patch(C, exit_at);
      end_scope(C);
      break;
    }
    case N_RETURN:
      compile_expr(C, n->a);
      emit(C, OP_RETURN, n->line);
      break;
    default: fatal("line %d: not a statement", n->line);
  }
}

static program* compile_program(const char* src) {
  lexer L;
  lex_init(&L, src);
  program* P = calloc(1, sizeof *P);
  if (!P) fatal("out of memory");
  // Pass 1: parse every function and declare it, so calls may refer forward.
  while (L.cur.kind != T_EOF) {
    node* f = parse_function(&L);
    if (find_function(P, f->name, f->name_len) >= 0)
      fatal("line %d: function '%.*s' defined twice", f->line, (int)f->name_len, f->name);
    if (P->nfuncs == P->capfuncs) {
      P->capfuncs = P->capfuncs ? P->capfuncs * 2 : 8;
      P->funcs = realloc(P->funcs, (size_t)P->capfuncs * sizeof(function));
      if (!P->funcs) fatal("out of memory");
    }
    function* fn = &P->funcs[P->nfuncs++];
    memset(fn, 0, sizeof *fn);
    fn->name = f->name;
    fn->name_len = f->name_len;
    fn->arity = f->list.len;
    fn->decl = f;
  }
  // Pass 2: compile bodies.
  for (int i = 0; i < P->nfuncs; i++) {
    compiler C = {0};
    C.prog = P;
    C.fn = &P->funcs[i];
    node* f = C.fn->decl;
    for (int p = 0; p < f->list.len; p++) declare_local(&C, f->list.items[p]->name, f->list.items[p]->name_len, f->line);
    compile_stmt(&C, f->a);
    emit(&C, OP_NIL, f->line);
    emit(&C, OP_RETURN, f->line);
    C.fn->nlocals = C.max_locals;
    C.fn->decl = NULL;
  }
  arena_free();
  return P;
}

// ---------------------------------------------------------------------------
// VM
// ---------------------------------------------------------------------------

enum { STACK_MAX = 1 << 16, FRAMES_MAX = 4096 };

typedef struct {
  function* fn;
  int32_t* ip;
  value* base;  // locals start here; operands above nlocals
} frame;

typedef struct {
  program* prog;
  value stack[STACK_MAX];
  value* sp;
  frame frames[FRAMES_MAX];
  int nframes;
  uint64_t steps;
} vm;

static vm* current_vm;

static void mark_value(value v) {
  if (v.kind != V_OBJ || v.o->marked) return;
  v.o->marked = 1;
  if (v.o->kind == O_ARR) {
    oarr* a = (oarr*)v.o;
    for (uint32_t i = 0; i < a->len; i++) mark_value(a->items[i]);
  }
}

static void collect(void) {
  vm* V = current_vm;
  if (V) {
    for (value* p = V->stack; p < V->sp; p++) mark_value(*p);
    for (int i = 0; i < V->prog->nconsts; i++) mark_value(V->prog->consts[i]);
  }
  obj** link = &H.all;
  while (*link) {
    obj* o = *link;
    if (o->marked) {
      o->marked = 0;
      link = &o->next_all;
    } else {
      *link = o->next_all;
      if (o->kind == O_ARR) {
        H.bytes -= ((oarr*)o)->cap * sizeof(value);
        free(((oarr*)o)->items);
        H.bytes -= sizeof(oarr);
      } else {
        H.bytes -= sizeof(ostr) + ((ostr*)o)->len + 1;
      }
      free(o);
      H.freed++;
    }
  }
  H.collections++;
  H.threshold = H.bytes * 2 > (1u << 20) ? H.bytes * 2 : (1u << 20);
}

static void* gc_alloc(size_t size, okind kind) {
  // Collect only between instructions that have pushed their operands (the
  // VM keeps every live value on its stack), so this is safe here.
  if (H.bytes > H.threshold) collect();
  obj* o = malloc(size);
  if (!o) fatal("out of memory");
  o->kind = kind;
  o->marked = 0;
  o->next_all = H.all;
  H.all = o;
  H.bytes += size;
  return o;
}

__attribute__((noreturn)) static void runtime_error(vm* V, const char* fmt, ...) {
  frame* f = &V->frames[V->nframes - 1];
  int line = f->fn->lines[f->ip - f->fn->code - 1];
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "toylang: line %d in %.*s: ", line, (int)f->fn->name_len, f->fn->name);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static int truthy(value v) { return v.kind == V_INT ? v.i != 0 : v.kind == V_OBJ; }

static int values_equal(value a, value b) {
  if (a.kind != b.kind) return 0;
  if (a.kind == V_NIL) return 1;
  if (a.kind == V_INT) return a.i == b.i;
  if (a.o == b.o) return 1;
  if (is_str(a) && is_str(b)) {
    ostr *x = as_str(a), *y = as_str(b);
    return x->len == y->len && x->hash == y->hash && memcmp(x->chars, y->chars, x->len) == 0;
  }
  return 0;
}

static value to_string(value v) {
  char buf[32];
  if (v.kind == V_INT) {
    int n = snprintf(buf, sizeof buf, "%lld", (long long)v.i);
    return v_obj(&str_new(buf, (uint32_t)n)->h);
  }
  if (v.kind == V_NIL) return v_obj(&str_new("nil", 3)->h);
  if (is_str(v)) return v;
  int n = snprintf(buf, sizeof buf, "[array %u]", as_arr(v)->len);
  return v_obj(&str_new(buf, (uint32_t)n)->h);
}

static value call_builtin(vm* V, builtin b, value* args) {
  switch (b) {
    case B_LEN:
      if (is_str(args[0])) return v_int(as_str(args[0])->len);
      if (is_arr(args[0])) return v_int(as_arr(args[0])->len);
      runtime_error(V, "len of a non-sequence");
      break;
    case B_PUSH:
      if (!is_arr(args[0])) runtime_error(V, "push onto a non-array");
      arr_push(as_arr(args[0]), args[1]);
      return args[0];
    case B_STR: return to_string(args[0]);
    case B_CONCAT: {
      if (!is_str(args[0]) || !is_str(args[1])) runtime_error(V, "concat of non-strings");
      ostr *a = as_str(args[0]), *c = as_str(args[1]);
      uint32_t n = a->len + c->len;
      char* tmp = malloc(n + 1);
      if (!tmp) fatal("out of memory");
      memcpy(tmp, a->chars, a->len);
      memcpy(tmp + a->len, c->chars, c->len);
      value r = v_obj(&str_new(tmp, n)->h);
      free(tmp);
      return r;
    }
    case B_ORD:
      if (!is_str(args[0]) || args[1].kind != V_INT) runtime_error(V, "ord(string, index)");
      if (args[1].i < 0 || args[1].i >= as_str(args[0])->len) runtime_error(V, "ord index %lld out of range", (long long)args[1].i);
      return v_int((uint8_t)as_str(args[0])->chars[args[1].i]);
    case B_SUBSTR: {
      if (!is_str(args[0]) || args[1].kind != V_INT || args[2].kind != V_INT) runtime_error(V, "substr(string, from, len)");
      ostr* s = as_str(args[0]);
      int64_t from = args[1].i, len = args[2].i;
      if (from < 0 || len < 0 || from + len > s->len) runtime_error(V, "substr range out of bounds");
      return v_obj(&str_new(s->chars + from, (uint32_t)len)->h);
    }
    case B_ARRAY_NEW: {
      if (args[0].kind != V_INT || args[0].i < 0 || args[0].i > (1 << 26)) runtime_error(V, "array(size, fill)");
      oarr* a = arr_new((uint32_t)args[0].i);
      for (int64_t i = 0; i < args[0].i; i++) a->items[i] = args[1];
      a->len = (uint32_t)args[0].i;
      return v_obj(&a->h);
    }
    case B_HASH:
      if (!is_str(args[0])) runtime_error(V, "hash of a non-string");
      return v_int(as_str(args[0])->hash);
    default: break;
  }
  runtime_error(V, "bad builtin");
  return v_nil();
}

static value run_vm(vm* V, int entry, value* args, int nargs) {
  current_vm = V;
  V->sp = V->stack;
  V->nframes = 0;
  function* fn = &V->prog->funcs[entry];
  if (fn->arity != nargs) fatal("entry arity");
  for (int i = 0; i < nargs; i++) *V->sp++ = args[i];
  for (int i = nargs; i < fn->nlocals; i++) *V->sp++ = v_nil();
  frame* f = &V->frames[V->nframes++];
  f->fn = fn;
  f->ip = fn->code;
  f->base = V->stack;
  value* consts = V->prog->consts;
  for (;;) {
    V->steps++;
    int32_t op = *f->ip++;
    switch ((opcode)op) {
      case OP_CONST: *V->sp++ = consts[*f->ip++]; break;
      case OP_NIL: *V->sp++ = v_nil(); break;
      case OP_POP: V->sp--; break;
      case OP_GET_LOCAL: *V->sp++ = f->base[*f->ip++]; break;
      case OP_SET_LOCAL: f->base[*f->ip++] = *--V->sp; break;
#define ARITH(OPC, EXPR)                                                              \
  case OPC: {                                                                         \
    value b = *--V->sp, a = V->sp[-1];                                                \
    if (a.kind != V_INT || b.kind != V_INT) runtime_error(V, "arithmetic on non-integers"); \
    V->sp[-1] = v_int(EXPR);                                                          \
    break;                                                                            \
  }
      ARITH(OP_SUB, a.i - b.i)
      ARITH(OP_MUL, (int64_t)((uint64_t)a.i * (uint64_t)b.i))
      ARITH(OP_LT, a.i < b.i)
      ARITH(OP_LE, a.i <= b.i)
      ARITH(OP_GT, a.i > b.i)
      ARITH(OP_GE, a.i >= b.i)
      ARITH(OP_BAND, a.i & b.i)
      ARITH(OP_BOR, a.i | b.i)
      ARITH(OP_BXOR, a.i ^ b.i)
      ARITH(OP_SHL, (int64_t)((uint64_t)a.i << (b.i & 63)))
      ARITH(OP_SHR, (int64_t)((uint64_t)a.i >> (b.i & 63)))
#undef ARITH
      case OP_ADD: {
        value b = *--V->sp, a = V->sp[-1];
        if (a.kind == V_INT && b.kind == V_INT) {
          V->sp[-1] = v_int((int64_t)((uint64_t)a.i + (uint64_t)b.i));
        } else if (is_str(a) || is_str(b)) {
          V->sp++;  // keep both operands rooted while converting
          value sa = to_string(a);
          V->sp[-2] = sa;
          value sb = to_string(b);
          V->sp[-1] = sb;
          value r = call_builtin(V, B_CONCAT, V->sp - 2);
          V->sp--;
          V->sp[-1] = r;
        } else {
          runtime_error(V, "cannot add these values");
        }
        break;
      }
      case OP_DIV:
      case OP_MOD: {
        value b = *--V->sp, a = V->sp[-1];
        if (a.kind != V_INT || b.kind != V_INT) runtime_error(V, "arithmetic on non-integers");
        if (b.i == 0) runtime_error(V, "division by zero");
        if (b.i == -1) V->sp[-1] = v_int(op == OP_DIV ? (int64_t)(0 - (uint64_t)a.i) : 0);
        else V->sp[-1] = v_int(op == OP_DIV ? a.i / b.i : a.i % b.i);
        break;
      }
      case OP_NEG:
        if (V->sp[-1].kind != V_INT) runtime_error(V, "negating a non-integer");
        V->sp[-1].i = (int64_t)(0 - (uint64_t)V->sp[-1].i);
        break;
      case OP_NOT: V->sp[-1] = v_int(!truthy(V->sp[-1])); break;
      case OP_EQ: {
        value b = *--V->sp;
        V->sp[-1] = v_int(values_equal(V->sp[-1], b));
        break;
      }
      case OP_NE: {
        value b = *--V->sp;
        V->sp[-1] = v_int(!values_equal(V->sp[-1], b));
        break;
      }
      case OP_JUMP: f->ip = f->fn->code + *f->ip; break;
      case OP_JUMP_IF_FALSE: {
        value c = *--V->sp;
        if (!truthy(c)) f->ip = f->fn->code + *f->ip;
        else f->ip++;
        break;
      }
      case OP_JUMP_IF_FALSE_KEEP:
        if (!truthy(V->sp[-1])) f->ip = f->fn->code + *f->ip;
        else f->ip++;
        break;
      case OP_JUMP_IF_TRUE_KEEP:
        if (truthy(V->sp[-1])) f->ip = f->fn->code + *f->ip;
        else f->ip++;
        break;
      case OP_FOR_TEST: {
        int32_t slot = *f->ip++;
        value i = f->base[slot], lim = f->base[slot + 1];
        if (i.kind != V_INT || lim.kind != V_INT) runtime_error(V, "for bounds must be integers");
        if (i.i < lim.i) f->ip++;
        else f->ip = f->fn->code + *f->ip;
        break;
      }
      case OP_INC_LOCAL: f->base[*f->ip++].i++; break;
      case OP_CALL: {
        function* callee = &V->prog->funcs[*f->ip++];
        if (V->nframes == FRAMES_MAX) runtime_error(V, "call stack overflow");
        if (V->sp + callee->nlocals + 64 > V->stack + STACK_MAX) runtime_error(V, "value stack overflow");
        value* base = V->sp - callee->arity;
        for (int i = callee->arity; i < callee->nlocals; i++) *V->sp++ = v_nil();
        f = &V->frames[V->nframes++];
        f->fn = callee;
        f->ip = callee->code;
        f->base = base;
        break;
      }
      case OP_RETURN: {
        value r = *--V->sp;
        value* base = f->base;
        if (--V->nframes == 0) {
          current_vm = NULL;
          return r;
        }
        f = &V->frames[V->nframes - 1];
        V->sp = base;
        *V->sp++ = r;
        break;
      }
      case OP_BUILTIN: {
        builtin b = (builtin)*f->ip++;
        int n = builtin_arity[b];
        value r = call_builtin(V, b, V->sp - n);
        V->sp -= n;
        *V->sp++ = r;
        break;
      }
      case OP_ARRAY: {
        int32_t n = *f->ip++;
        oarr* a = arr_new((uint32_t)n);
        for (int32_t i = 0; i < n; i++) a->items[i] = V->sp[i - n];
        a->len = (uint32_t)n;
        V->sp -= n;
        *V->sp++ = v_obj(&a->h);
        break;
      }
      case OP_INDEX: {
        value ix = *--V->sp, c = V->sp[-1];
        if (ix.kind != V_INT) runtime_error(V, "index must be an integer");
        if (is_arr(c)) {
          oarr* a = as_arr(c);
          if (ix.i < 0 || ix.i >= a->len) runtime_error(V, "index %lld out of range 0..%u", (long long)ix.i, a->len);
          V->sp[-1] = a->items[ix.i];
        } else if (is_str(c)) {
          ostr* s = as_str(c);
          if (ix.i < 0 || ix.i >= s->len) runtime_error(V, "index %lld out of range", (long long)ix.i);
          V->sp[-1] = v_int((uint8_t)s->chars[ix.i]);
        } else {
          runtime_error(V, "indexing a non-sequence");
        }
        break;
      }
      case OP_SET_INDEX: {
        value v = *--V->sp, ix = *--V->sp, c = *--V->sp;
        if (!is_arr(c) || ix.kind != V_INT) runtime_error(V, "array[int] = value expected");
        oarr* a = as_arr(c);
        if (ix.i < 0 || ix.i >= a->len) runtime_error(V, "index %lld out of range 0..%u", (long long)ix.i, a->len);
        a->items[ix.i] = v;
        break;
      }
      default: runtime_error(V, "bad opcode %d", op);
    }
  }
}

// ---------------------------------------------------------------------------
// The guest scripts and their C twins
// ---------------------------------------------------------------------------

static const char* script =
    "fn fib(n) { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }\n"
    "\n"
    "fn sieve(n) {\n"
    "  let flags = array(n + 1, 1);\n"
    "  let count = 0;\n"
    "  for (i in 2, n + 1) {\n"
    "    if (flags[i]) {\n"
    "      count = count + 1;\n"
    "      let j = i * i;\n"
    "      while (j <= n) { flags[j] = 0; j = j + i; }\n"
    "    }\n"
    "  }\n"
    "  return count;\n"
    "}\n"
    "\n"
    "// Builds \"0,1,2,...\" and returns a hash of it and its length.\n"
    "fn build(n) {\n"
    "  let parts = [];\n"
    "  for (i in 0, n) { push(parts, str(i * 7 % 1000)); }\n"
    "  let s = \"\";\n"
    "  let line = \"\";\n"
    "  for (i in 0, len(parts)) {\n"
    "    line = line + parts[i] + \",\";\n"
    "    if (len(line) > 60) { s = s + substr(line, 0, 10); line = \"\"; }\n"
    "  }\n"
    "  return [hash(s), len(s)];\n"
    "}\n"
    "\n"
    "fn lcg(x) { return (x * 1103515245 + 12345) & 2147483647; }\n"
    "\n"
    "fn isort(n, seed) {\n"
    "  let a = array(n, 0);\n"
    "  let x = seed;\n"
    "  for (i in 0, n) { x = lcg(x); a[i] = x % 100000; }\n"
    "  for (i in 1, n) {\n"
    "    let v = a[i];\n"
    "    let j = i - 1;\n"
    "    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j = j - 1; }\n"
    "    a[j + 1] = v;\n"
    "  }\n"
    "  let acc = 0;\n"
    "  for (i in 0, n) {\n"
    "    if (i > 0 && a[i - 1] > a[i]) { return -1; }\n"
    "    acc = (acc * 31 + a[i]) & 16777215;\n"
    "  }\n"
    "  return acc;\n"
    "}\n"
    "\n"
    "fn words(n) {\n"
    "  // Counts distinct generated words with an open-addressing table of strings.\n"
    "  let size = 4096;\n"
    "  let keys = array(size, nil);\n"
    "  let counts = array(size, 0);\n"
    "  let distinct = 0;\n"
    "  let x = 1;\n"
    "  for (i in 0, n) {\n"
    "    x = lcg(x);\n"
    "    let w = \"w\" + str(x % 1500);\n"
    "    let h = hash(w) & (size - 1);\n"
    "    while (keys[h] != nil && keys[h] != w) { h = (h + 1) & (size - 1); }\n"
    "    if (keys[h] == nil) { keys[h] = w; distinct = distinct + 1; }\n"
    "    counts[h] = counts[h] + 1;\n"
    "  }\n"
    "  let total = 0;\n"
    "  for (i in 0, size) { total = total + counts[i]; }\n"
    "  if (total != n) { return -1; }\n"
    "  return distinct;\n"
    "}\n"
    "\n"
    "fn main(which, n) {\n"
    "  if (which == 0) { return fib(n); }\n"
    "  else if (which == 1) { return sieve(n); }\n"
    "  else if (which == 2) { return build(n); }\n"
    "  else if (which == 3) { return isort(n, 12345); }\n"
    "  else { return words(n); }\n"
    "}\n";

static int64_t c_fib(int64_t n) { return n < 2 ? n : c_fib(n - 1) + c_fib(n - 2); }

static int64_t c_sieve(int64_t n) {
  char* f = malloc((size_t)n + 1);
  memset(f, 1, (size_t)n + 1);
  int64_t count = 0;
  for (int64_t i = 2; i <= n; i++)
    if (f[i]) {
      count++;
      for (int64_t j = i * i; j <= n; j += i) f[j] = 0;
    }
  free(f);
  return count;
}

static void c_build(int64_t n, int64_t* h, int64_t* len) {
  size_t cap = 1024, slen = 0, llen = 0;
  char* s = malloc(cap);
  char line[128];
  for (int64_t i = 0; i < n; i++) {
    char part[24];
    int pn = snprintf(part, sizeof part, "%lld,", (long long)(i * 7 % 1000));
    memcpy(line + llen, part, (size_t)pn);
    llen += (size_t)pn;
    if (llen > 60) {
      if (slen + 10 > cap) s = realloc(s, cap *= 2);
      memcpy(s + slen, line, 10);
      slen += 10;
      llen = 0;
    }
  }
  *h = hash_bytes(s, (uint32_t)slen);
  *len = (int64_t)slen;
  free(s);
}

static int64_t c_lcg(int64_t x) { return (int64_t)(((uint64_t)x * 1103515245u + 12345u) & 2147483647u); }

static int cmp64(const void* a, const void* b) {
  int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
  return (x > y) - (x < y);
}

static int64_t c_isort(int64_t n, int64_t seed) {
  int64_t* a = malloc((size_t)n * sizeof *a);
  int64_t x = seed;
  for (int64_t i = 0; i < n; i++) { x = c_lcg(x); a[i] = x % 100000; }
  qsort(a, (size_t)n, sizeof *a, cmp64);
  int64_t acc = 0;
  for (int64_t i = 0; i < n; i++) acc = (acc * 31 + a[i]) & 16777215;
  free(a);
  return acc;
}

static int64_t c_words(int64_t n) {
  char seen[1500] = {0};
  int64_t x = 1, distinct = 0;
  for (int64_t i = 0; i < n; i++) {
    x = c_lcg(x);
    if (!seen[x % 1500]) { seen[x % 1500] = 1; distinct++; }
  }
  return distinct;
}

static program* P;

static value run_main(int which, int64_t n) {
  static vm V;
  V.prog = P;
  int entry = find_function(P, "main", 4);
  BENCH_CHECK(entry >= 0, "no main");
  value args[2] = {v_int(which), v_int(n)};
  return run_vm(&V, entry, args, 2);
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 3);
  H.threshold = 1u << 20;
  P = compile_program(script);
  uint64_t acc = 0;
  for (long r = 0; r < reps; r++) {
    int64_t fn = 22 + (r & 1);
    value v = run_main(0, fn);
    BENCH_CHECK(v.kind == V_INT && v.i == c_fib(fn), "fib(%lld)", (long long)fn);
    v = run_main(1, 200000);
    BENCH_CHECK(v.kind == V_INT && v.i == c_sieve(200000) && v.i == 17984, "sieve %lld", (long long)v.i);
    v = run_main(2, 20000 + r);
    int64_t h, len;
    c_build(20000 + r, &h, &len);
    BENCH_CHECK(is_arr(v) && as_arr(v)->len == 2, "build result shape");
    BENCH_CHECK(as_arr(v)->items[0].i == h && as_arr(v)->items[1].i == len, "build hash %lld len %lld vs %lld %lld",
                (long long)as_arr(v)->items[0].i, (long long)as_arr(v)->items[1].i, (long long)h, (long long)len);
    v = run_main(3, 1500);
    BENCH_CHECK(v.kind == V_INT && v.i == c_isort(1500, 12345), "isort %lld", (long long)v.i);
    v = run_main(4, 30000);
    BENCH_CHECK(v.kind == V_INT && v.i == c_words(30000), "words %lld vs %lld", (long long)v.i, (long long)c_words(30000));
    acc += (uint64_t)v.i + (uint64_t)len;
  }
  collect();
  printf("toylang: reps=%ld checksum=%llu collections=%zu freed=%zu\n", reps, (unsigned long long)acc,
         H.collections, H.freed);
  return 0;
}
