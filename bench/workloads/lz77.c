// Compression: an LZ77 compressor with hash chains (the match finder of
// deflate-style codecs: 3-byte hash heads, a chain window, lazy evaluation)
// and its decompressor, over generated text. Checked by the round trip being
// byte-identical, by a checksum of the input computed before compression,
// and by the compressed size lying in the range text of this kind gives.
// Scale: rounds over 1 MiB.
#include <string.h>

#include "bench.h"

enum { WINDOW = 1 << 15, HASH_BITS = 15, MIN_MATCH = 3, MAX_MATCH = 258, MAX_CHAIN = 48 };

static uint32_t hash3(const uint8_t* p) { return ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 2654435761u >> (32 - HASH_BITS); }

// Output format: a control byte per 8 items (bit set = match); a literal is
// one byte; a match is length-3 (1 byte) and distance-1 (2 bytes, little end).
typedef struct {
  uint8_t* out;
  size_t n, ctrl_at;
  int ctrl_bits;
} writer;

static void put_item(writer* w, int is_match) {
  if (w->ctrl_bits == 8 || w->n == 0) {
    w->ctrl_at = w->n++;
    w->out[w->ctrl_at] = 0;
    w->ctrl_bits = 0;
  }
  if (is_match) w->out[w->ctrl_at] |= (uint8_t)(1u << w->ctrl_bits);
  w->ctrl_bits++;
}

static size_t longest(const uint8_t* in, size_t pos, size_t end, const int32_t* head, const int32_t* prev,
                      uint32_t h, size_t* dist) {
  size_t best = 0;
  int32_t cand = head[h];
  int chain = MAX_CHAIN;
  size_t limit = end - pos < MAX_MATCH ? end - pos : MAX_MATCH;
  while (cand >= 0 && pos - (size_t)cand <= WINDOW && chain-- > 0) {
    const uint8_t* a = in + cand;
    const uint8_t* b = in + pos;
    if (a[best] == b[best]) {
      size_t len = 0;
      while (len < limit && a[len] == b[len]) len++;
      if (len > best) {
        best = len;
        *dist = pos - (size_t)cand;
        if (len == limit) break;
      }
    }
    cand = prev[cand & (WINDOW - 1)];
  }
  return best;
}

static size_t compress(const uint8_t* in, size_t n, uint8_t* out, int32_t* head, int32_t* prev) {
  for (size_t i = 0; i < (1u << HASH_BITS); i++) head[i] = -1;
  writer w = {out, 0, 0, 8};
  size_t pos = 0;
  while (pos < n) {
    size_t dist = 0, len = 0;
    uint32_t h = 0;
    if (pos + MIN_MATCH <= n) {
      h = hash3(in + pos);
      len = longest(in, pos, n, head, prev, h, &dist);
      // Lazy evaluation: a longer match one byte later wins.
      if (len >= MIN_MATCH && len < 32 && pos + 1 + MIN_MATCH <= n) {
        size_t d2 = 0;
        prev[pos & (WINDOW - 1)] = head[h];
        head[h] = (int32_t)pos;
        uint32_t h2 = hash3(in + pos + 1);
        size_t l2 = longest(in, pos + 1, n, head, prev, h2, &d2);
        if (l2 > len + 1) {
          put_item(&w, 0);
          w.out[w.n++] = in[pos];
          pos++;
          len = l2;
          dist = d2;
          h = h2;
        } else {
          // pos is already inserted; fall through without inserting it twice.
          put_item(&w, 1);
          w.out[w.n++] = (uint8_t)(len - MIN_MATCH);
          w.out[w.n++] = (uint8_t)(dist - 1);
          w.out[w.n++] = (uint8_t)((dist - 1) >> 8);
          for (size_t k = 1; k < len; k++)
            if (pos + k + MIN_MATCH <= n) {
              uint32_t hk = hash3(in + pos + k);
              prev[(pos + k) & (WINDOW - 1)] = head[hk];
              head[hk] = (int32_t)(pos + k);
            }
          pos += len;
          continue;
        }
      }
    }
    if (len >= MIN_MATCH) {
      put_item(&w, 1);
      w.out[w.n++] = (uint8_t)(len - MIN_MATCH);
      w.out[w.n++] = (uint8_t)(dist - 1);
      w.out[w.n++] = (uint8_t)((dist - 1) >> 8);
      for (size_t k = 0; k < len; k++)
        if (pos + k + MIN_MATCH <= n) {
          uint32_t hk = hash3(in + pos + k);
          prev[(pos + k) & (WINDOW - 1)] = head[hk];
          head[hk] = (int32_t)(pos + k);
        }
      pos += len;
    } else {
      if (pos + MIN_MATCH <= n) {
        prev[pos & (WINDOW - 1)] = head[h];
        head[h] = (int32_t)pos;
      }
      put_item(&w, 0);
      w.out[w.n++] = in[pos++];
    }
  }
  return w.n;
}

static size_t decompress(const uint8_t* in, size_t n, uint8_t* out, size_t cap) {
  size_t i = 0, o = 0;
  while (i < n) {
    uint8_t ctrl = in[i++];
    for (int b = 0; b < 8 && i < n; b++) {
      if (ctrl & (1u << b)) {
        BENCH_CHECK(i + 3 <= n, "truncated match at %zu", i);
        size_t len = (size_t)in[i] + MIN_MATCH;
        size_t dist = ((size_t)in[i + 1] | (size_t)in[i + 2] << 8) + 1;
        i += 3;
        BENCH_CHECK(dist <= o && o + len <= cap, "bad match at %zu", i);
        for (size_t k = 0; k < len; k++, o++) out[o] = out[o - dist];  // may overlap: byte by byte
      } else {
        BENCH_CHECK(o < cap, "output overflow");
        out[o++] = in[i++];
      }
    }
  }
  return o;
}

static const char* words[] = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "module", "memory",
                              "function", "table", "import", "export", "value", "stack", "branch", "loop",
                              "interpreter", "compiler", "WebAssembly", "runtime", "instance", "global"};

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 2);
  enum { N = 1 << 20 };
  uint8_t* text = malloc(N);
  uint8_t* packed = malloc(N + N / 8 + 16);
  uint8_t* back = malloc(N);
  int32_t* head = malloc(sizeof(int32_t) << HASH_BITS);
  int32_t* prev = malloc(sizeof(int32_t) * WINDOW);
  BENCH_CHECK(text && packed && back && head && prev, "oom");
  bench_rng rng = {2024};
  uint64_t acc = 0;
  for (long r = 0; r < reps; r++) {
    size_t n = 0;
    uint32_t sum = 0;
    while (n < N) {
      uint64_t x = bench_next(&rng);
      const char* wd = words[x % (sizeof words / sizeof words[0])];
      size_t l = strlen(wd);
      if (n + l + 1 > N) break;
      memcpy(text + n, wd, l);
      n += l;
      text[n++] = (x >> 40) % 13 == 0 ? '\n' : (x >> 40) % 7 == 0 ? (uint8_t)('0' + (x >> 50) % 10) : ' ';
    }
    for (size_t i = 0; i < n; i++) sum = sum * 31 + text[i];
    size_t c = compress(text, n, packed, head, prev);
    BENCH_CHECK(c > n / 10 && c < n / 2, "compressed %zu of %zu bytes: implausible ratio", c, n);
    memset(back, 0, N);
    size_t d = decompress(packed, c, back, N);
    BENCH_CHECK(d == n, "round trip length %zu vs %zu", d, n);
    uint32_t sum2 = 0;
    for (size_t i = 0; i < d; i++) sum2 = sum2 * 31 + back[i];
    BENCH_CHECK(sum2 == sum && memcmp(text, back, n) == 0, "round trip differs");
    acc += c;
  }
  printf("lz77: reps=%ld compressed=%llu\n", reps, (unsigned long long)acc);
  free(text);
  free(packed);
  free(back);
  free(head);
  free(prev);
  return 0;
}
