// Entropy coding: canonical Huffman coding of generated text in 64 KiB blocks
// (frequency count, a binary min-heap building the code tree, canonical code
// assignment, an MSB-first 64-bit bit writer) and two decoders: a table-driven
// one (an 11-bit lookup table with a canonical slow path for longer codes) and
// a bit-at-a-time canonical decoder. Held out: written after the interpreter
// was tuned, never profiled. Checked by both decoders reproducing the input
// byte for byte, by the code being complete (Kraft sum exactly 1), by the
// encoded size equalling sum(freq * length), and by the mean code length
// lying between the block's entropy H and H + 1.
// Scale: rounds over 1 MiB of text.
#include <math.h>
#include <string.h>

#include "bench.h"

enum { NSYM = 256, MAXLEN = 30, TBITS = 11, BLOCK = 1 << 16 };

// ---- code construction ------------------------------------------------------

typedef struct {
  uint32_t freq;
  int16_t left, right;  // children (node ids), -1 for a leaf
} node;

typedef struct {
  uint8_t len[NSYM];      // code length per symbol, 0 = unused
  uint32_t code[NSYM];    // canonical code, MSB-first
  uint16_t count[MAXLEN + 1];  // codes per length
  uint16_t sorted[NSYM];  // symbols by (length, symbol)
  int nsorted;
} code_table;

// Heap of node ids ordered by (freq, id): ties break the same way everywhere.
static int heap_less(const node* nodes, int a, int b) {
  return nodes[a].freq < nodes[b].freq || (nodes[a].freq == nodes[b].freq && a < b);
}

static void heap_push(int* heap, int* n, const node* nodes, int v) {
  int i = (*n)++;
  while (i > 0) {
    int p = (i - 1) / 2;
    if (!heap_less(nodes, v, heap[p])) break;
    heap[i] = heap[p];
    i = p;
  }
  heap[i] = v;
}

static int heap_pop(int* heap, int* n, const node* nodes) {
  int top = heap[0], v = heap[--*n], i = 0;
  for (;;) {
    int c = 2 * i + 1;
    if (c >= *n) break;
    if (c + 1 < *n && heap_less(nodes, heap[c + 1], heap[c])) c++;
    if (!heap_less(nodes, heap[c], v)) break;
    heap[i] = heap[c];
    i = c;
  }
  heap[i] = v;
  return top;
}

static void assign_depths(const node* nodes, int id, int depth, uint8_t* len) {
  // Iterative walk: (node, depth) pairs on an explicit stack.
  int stack[2 * NSYM], dstack[2 * NSYM], sp = 0;
  stack[sp] = id;
  dstack[sp++] = depth;
  while (sp > 0) {
    --sp;
    int v = stack[sp], d = dstack[sp];
    if (nodes[v].left < 0) {
      BENCH_CHECK(d <= MAXLEN, "code length %d too long", d);
      len[v] = (uint8_t)(d == 0 ? 1 : d);  // a lone symbol still needs one bit
    } else {
      stack[sp] = nodes[v].left;
      dstack[sp++] = d + 1;
      stack[sp] = nodes[v].right;
      dstack[sp++] = d + 1;
    }
  }
}

static void build_code(const uint32_t* freq, code_table* ct) {
  node nodes[2 * NSYM];
  int heap[NSYM], hn = 0;
  memset(ct, 0, sizeof *ct);
  for (int s = 0; s < NSYM; s++) {
    nodes[s].freq = freq[s];
    nodes[s].left = nodes[s].right = -1;
    if (freq[s]) heap_push(heap, &hn, nodes, s);
  }
  BENCH_CHECK(hn > 0, "empty block");
  int next = NSYM;
  while (hn > 1) {
    int a = heap_pop(heap, &hn, nodes), b = heap_pop(heap, &hn, nodes);
    nodes[next].freq = nodes[a].freq + nodes[b].freq;
    nodes[next].left = (int16_t)a;
    nodes[next].right = (int16_t)b;
    heap_push(heap, &hn, nodes, next++);
  }
  assign_depths(nodes, heap[0], 0, ct->len);
  // Canonical codes: by length, then by symbol.
  for (int s = 0; s < NSYM; s++) ct->count[ct->len[s]]++;
  ct->count[0] = 0;
  uint32_t first[MAXLEN + 2];
  uint32_t code = 0;
  int offs[MAXLEN + 2], o = 0;
  for (int l = 1; l <= MAXLEN; l++) {
    code = (code + (l > 1 ? ct->count[l - 1] : 0)) << (l > 1 ? 1 : 0);
    first[l] = code;
    offs[l] = o;
    o += ct->count[l];
  }
  ct->nsorted = o;
  for (int s = 0; s < NSYM; s++)
    if (ct->len[s]) {
      int l = ct->len[s];
      ct->code[s] = first[l]++;
      ct->sorted[offs[l]++] = (uint16_t)s;
    }
}

// ---- bit I/O ----------------------------------------------------------------

typedef struct {
  uint8_t* out;
  size_t n;
  uint64_t acc;
  int bits;
} bit_writer;

static inline void put_bits(bit_writer* w, uint32_t code, int len) {
  w->acc = (w->acc << len) | code;
  w->bits += len;
  while (w->bits >= 8) {
    w->bits -= 8;
    w->out[w->n++] = (uint8_t)(w->acc >> w->bits);
  }
}

static void flush_bits(bit_writer* w) {
  if (w->bits > 0) w->out[w->n++] = (uint8_t)(w->acc << (8 - w->bits));
  w->bits = 0;
}

typedef struct {
  const uint8_t* in;
  size_t n, pos;
  uint64_t acc;  // the next `bits` bits, MSB-aligned at bit 63
  int bits;
} bit_reader;

static inline void refill(bit_reader* r) {
  while (r->bits <= 56) {
    uint64_t b = r->pos < r->n ? r->in[r->pos] : 0;  // zeros past the end
    r->pos++;
    r->acc |= b << (56 - r->bits);
    r->bits += 8;
  }
}

static inline uint32_t peek_bits(bit_reader* r, int k) { return (uint32_t)(r->acc >> (64 - k)); }

static inline void drop_bits(bit_reader* r, int k) {
  r->acc <<= k;
  r->bits -= k;
}

// ---- decoders ---------------------------------------------------------------

typedef struct {
  uint16_t entry[1 << TBITS];  // symbol << 5 | length, 0 = longer than TBITS
} fast_table;

static void build_fast(const code_table* ct, fast_table* ft) {
  memset(ft, 0, sizeof *ft);
  for (int s = 0; s < NSYM; s++) {
    int l = ct->len[s];
    if (l == 0 || l > TBITS) continue;
    uint32_t lo = ct->code[s] << (TBITS - l), hi = lo + (1u << (TBITS - l));
    for (uint32_t i = lo; i < hi; i++) ft->entry[i] = (uint16_t)(s << 5 | l);
  }
}

// Canonical decode of one symbol, a bit at a time (the slow path and the
// reference decoder): at each length, codes of that length are the range
// [first, first + count).
static inline int decode_slow(const code_table* ct, bit_reader* r) {
  int code = 0, first = 0, index = 0;
  for (int l = 1; l <= MAXLEN; l++) {
    if (r->bits == 0) refill(r);
    code |= (int)(r->acc >> 63);
    drop_bits(r, 1);
    int count = ct->count[l];
    if (code - first < count) return ct->sorted[index + (code - first)];
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  BENCH_CHECK(0, "invalid code");
  return -1;
}

static size_t decode_fast(const code_table* ct, const fast_table* ft, const uint8_t* in, size_t n, uint8_t* out,
                          size_t nsym) {
  bit_reader r = {in, n, 0, 0, 0};
  for (size_t i = 0; i < nsym; i++) {
    if (r.bits < 32) refill(&r);
    uint16_t e = ft->entry[peek_bits(&r, TBITS)];
    if (e) {
      drop_bits(&r, e & 31);
      out[i] = (uint8_t)(e >> 5);
    } else {
      out[i] = (uint8_t)decode_slow(ct, &r);
    }
  }
  return (r.pos - (size_t)(r.bits / 8));  // bytes consumed (rounded)
}

static void decode_reference(const code_table* ct, const uint8_t* in, size_t n, uint8_t* out, size_t nsym) {
  bit_reader r = {in, n, 0, 0, 0};
  for (size_t i = 0; i < nsym; i++) out[i] = (uint8_t)decode_slow(ct, &r);
}

// ---- text -------------------------------------------------------------------

static const char* vocab[] = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on",
    "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they",
    "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when",
    "will", "would", "who", "so", "no", "huffman", "entropy", "symbol", "prefix", "canonical", "Zipf",
    "QUARTZ", "jackdaw", "sphinx", "vexed", "wizard", "0x7f", "1984", "&", "{x}", "~", "#include"};

static size_t gen_text(bench_rng* rng, uint8_t* t, size_t cap) {
  // Word ranks drawn roughly Zipf-like: min of two uniform draws, squared.
  const size_t nv = sizeof vocab / sizeof vocab[0];
  size_t n = 0;
  while (n + 16 < cap) {
    uint64_t x = bench_next(rng);
    uint64_t a = (x & 0xffff) % nv, b = ((x >> 16) & 0xffff) % nv;
    uint64_t rank = (a < b ? a : b) * (a < b ? a : b) / nv;
    const char* w = vocab[rank];
    size_t l = strlen(w);
    memcpy(t + n, w, l);
    n += l;
    unsigned p = (unsigned)(x >> 40) % 100;
    t[n++] = p < 3 ? '.' : p < 6 ? ',' : p < 8 ? '\n' : ' ';
    if (p < 3 && n + 2 < cap) t[n++] = ' ';
  }
  return n;
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 10);
  enum { N = 1 << 20 };
  uint8_t* text = malloc(N);
  uint8_t* packed = malloc(N + N / 4);
  uint8_t* back = malloc(N);
  uint8_t* back2 = malloc(N);
  code_table* ct = malloc(sizeof(code_table) * (N / BLOCK + 1));
  fast_table* ft = malloc(sizeof(fast_table));
  size_t* boff = malloc(sizeof(size_t) * (N / BLOCK + 2));
  BENCH_CHECK(text && packed && back && back2 && ct && ft && boff, "oom");
  bench_rng rng = {0x5eedULL};
  uint64_t total_bits = 0;
  uint32_t hash = 0;
  for (long r = 0; r < reps; r++) {
    size_t n = gen_text(&rng, text, N);
    size_t nblocks = (n + BLOCK - 1) / BLOCK;
    // Encode every block with its own code.
    bit_writer w = {packed, 0, 0, 0};
    for (size_t b = 0; b < nblocks; b++) {
      const uint8_t* blk = text + b * BLOCK;
      size_t len = n - b * BLOCK < BLOCK ? n - b * BLOCK : BLOCK;
      uint32_t freq[NSYM] = {0};
      for (size_t i = 0; i < len; i++) freq[blk[i]]++;
      build_code(freq, &ct[b]);
      // Complete code: sum of 2^-len is exactly 1.
      uint64_t kraft = 0, bits = 0;
      double H = 0;
      for (int s = 0; s < NSYM; s++)
        if (ct[b].len[s]) {
          kraft += 1ull << (MAXLEN - ct[b].len[s]);
          bits += (uint64_t)freq[s] * ct[b].len[s];
          double p = (double)freq[s] / (double)len;
          H -= p * log2(p);
        }
      BENCH_CHECK(kraft == 1ull << MAXLEN, "block %zu: Kraft sum %llu", b, (unsigned long long)kraft);
      double avg = (double)bits / (double)len;
      BENCH_CHECK(avg >= H - 1e-9 && avg < H + 1, "block %zu: mean length %.4f vs entropy %.4f", b, avg, H);
      boff[b] = w.n;
      size_t start_bits = w.n * 8;
      for (size_t i = 0; i < len; i++) put_bits(&w, ct[b].code[blk[i]], ct[b].len[blk[i]]);
      BENCH_CHECK(w.n * 8 + (size_t)w.bits - start_bits == bits, "block %zu: wrote a different size", b);
      flush_bits(&w);  // blocks start on a byte boundary
      total_bits += bits;
    }
    boff[nblocks] = w.n;
    // Decode twice: table-driven and bit-by-bit.
    memset(back, 0, N);
    memset(back2, 0, N);
    for (size_t b = 0; b < nblocks; b++) {
      size_t len = n - b * BLOCK < BLOCK ? n - b * BLOCK : BLOCK;
      build_fast(&ct[b], ft);
      size_t used = decode_fast(&ct[b], ft, packed + boff[b], boff[b + 1] - boff[b], back + b * BLOCK, len);
      BENCH_CHECK(used <= boff[b + 1] - boff[b] + 8, "block %zu: decoder overran", b);
      if (b % 4 == (size_t)r % 4)  // the slow reference decoder on a quarter of the blocks
        decode_reference(&ct[b], packed + boff[b], boff[b + 1] - boff[b], back2 + b * BLOCK, len);
      else
        memcpy(back2 + b * BLOCK, text + b * BLOCK, len);
    }
    BENCH_CHECK(memcmp(back, text, n) == 0, "table decoder: round trip differs");
    BENCH_CHECK(memcmp(back2, text, n) == 0, "reference decoder: round trip differs");
    BENCH_CHECK(w.n < n * 3 / 4 && w.n > n / 3, "packed %zu of %zu bytes: implausible", w.n, n);
    for (size_t i = 0; i < w.n; i++) hash = (hash ^ packed[i]) * 16777619u;
  }
  printf("huffman: reps=%ld bits=%llu hash=%08x\n", reps, (unsigned long long)total_bits, (unsigned)hash);
  free(text);
  free(packed);
  free(back);
  free(back2);
  free(ct);
  free(ft);
  free(boff);
  return 0;
}
