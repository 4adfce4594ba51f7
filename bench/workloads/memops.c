// Memory-bound loops: hand-written fill, copy (byte, word, overlapping
// backward move), reverse and strided gather over 4 MiB buffers -- the loops
// that dominate real programs without calling libc's memcpy. Checked with
// sums computed in closed form from how the buffers were filled. Scale:
// repetitions.
#include "bench.h"

enum { N = 1 << 22 };

__attribute__((noinline)) static void fill_words(uint32_t* p, uint32_t n, uint32_t seed) {
  for (uint32_t i = 0; i < n; i++) p[i] = seed + i * 2654435761u;
}

__attribute__((noinline)) static void copy_bytes(uint8_t* d, const uint8_t* s, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) d[i] = s[i];
}

__attribute__((noinline)) static void copy_words(uint32_t* d, const uint32_t* s, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) d[i] = s[i];
}

__attribute__((noinline)) static void move_back(uint8_t* d, const uint8_t* s, uint32_t n) {
  while (n--) d[n] = s[n];
}

__attribute__((noinline)) static void reverse_words(uint32_t* p, uint32_t n) {
  for (uint32_t i = 0, j = n - 1; i < j; i++, j--) {
    uint32_t t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
}

__attribute__((noinline)) static uint32_t sum_words(const uint32_t* p, uint32_t n, uint32_t stride) {
  uint32_t s = 0;
  for (uint32_t k = 0; k < stride; k++)
    for (uint32_t i = k; i < n; i += stride) s += p[i];
  return s;
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 20);
  uint32_t* a = malloc(N);
  uint32_t* b = malloc(N);
  BENCH_CHECK(a && b, "out of memory");
  const uint32_t n = N / 4;
  // sum over i of (seed + i*K) mod 2^32 = n*seed + K*n*(n-1)/2
  const uint32_t K = 2654435761u;
  uint32_t acc = 0;
  for (long r = 0; r < reps; r++) {
    uint32_t seed = (uint32_t)r * 7919u;
    uint32_t want = n * seed + K * (uint32_t)((uint64_t)n * (n - 1) / 2);
    fill_words(a, n, seed);
    copy_bytes((uint8_t*)b, (const uint8_t*)a, N);
    BENCH_CHECK(sum_words(b, n, 1) == want, "byte copy sum");
    reverse_words(b, n);
    BENCH_CHECK(b[0] == seed + (n - 1) * K && b[n - 1] == seed, "reverse ends");
    copy_words(a, b, n);
    BENCH_CHECK(sum_words(a, n, 16) == want, "strided sum after word copy");
    // Overlapping move by 4 bytes: word i+1 becomes old word i.
    move_back((uint8_t*)a + 4, (const uint8_t*)a, N - 4);
    BENCH_CHECK(a[1] == b[0] && a[n - 1] == b[n - 2], "overlapping move");
    BENCH_CHECK(sum_words(a, n, 7) == want - b[n - 1] + a[0], "sum after move");
    acc += want;
  }
  printf("memops: reps=%ld checksum=%08x\n", reps, acc);
  free(a);
  free(b);
  return 0;
}
