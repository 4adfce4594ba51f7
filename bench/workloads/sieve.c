// Memory-bound loops: the sieve of Eratosthenes over a byte array, plus a
// segmented bit sieve. Checked against the known prime counts pi(10^7) =
// 664579 and pi(2*10^6) = 148933. Scale: repetitions.
#include <string.h>

#include "bench.h"

static uint32_t byte_sieve(uint8_t* s, uint32_t n) {
  memset(s, 1, n + 1);
  s[0] = s[1] = 0;
  for (uint32_t i = 2; (uint64_t)i * i <= n; i++)
    if (s[i])
      for (uint32_t j = i * i; j <= n; j += i) s[j] = 0;
  uint32_t count = 0;
  for (uint32_t i = 0; i <= n; i++) count += s[i];
  return count;
}

// Odd numbers only, one bit each.
static uint32_t bit_sieve(uint32_t* bits, uint32_t n) {
  uint32_t m = (n - 1) / 2;  // index k stands for 2k+1, k in [1, m]
  uint32_t words = m / 32 + 1;
  for (uint32_t w = 0; w < words; w++) bits[w] = 0;
  for (uint32_t k = 1; (2 * k + 1) * (2 * k + 1) <= n; k++) {
    if (bits[k >> 5] & (1u << (k & 31))) continue;
    uint32_t p = 2 * k + 1;
    for (uint32_t j = (p * p - 1) / 2; j <= m; j += p) bits[j >> 5] |= 1u << (j & 31);
  }
  uint32_t count = 1;  // the prime 2
  for (uint32_t k = 1; k <= m; k++) count += !(bits[k >> 5] & (1u << (k & 31)));
  return count;
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 5);
  enum { N = 10000000, M = 2000000 };
  uint8_t* s = malloc(N + 1);
  uint32_t* bits = malloc((M / 64 + 2) * sizeof(uint32_t));
  BENCH_CHECK(s && bits, "out of memory");
  uint64_t total = 0;
  for (long r = 0; r < reps; r++) {
    uint32_t a = byte_sieve(s, N);
    BENCH_CHECK(a == 664579, "pi(10^7) = %u", a);
    uint32_t b = bit_sieve(bits, M);
    BENCH_CHECK(b == 148933, "pi(2*10^6) = %u", b);
    total += a + b;
  }
  printf("sieve: reps=%ld checksum=%llu\n", reps, (unsigned long long)total);
  free(s);
  free(bits);
  return 0;
}
