// Calls and recursion: naive recursive Fibonacci and Ackermann, the classic
// tests of call and return cost. Scale: repetitions of fib(30 or 31) + ack(2, n).
// Checked against an iterative Fibonacci and Ackermann's closed form A(2,n)=2n+3,
// A(3,n)=2^(n+3)-3.
#include "bench.h"

__attribute__((noinline)) static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static uint32_t ack(uint32_t m, uint32_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

static uint32_t fib_iter(uint32_t n) {
  uint32_t a = 0, b = 1;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t t = a + b;
    a = b;
    b = t;
  }
  return a;
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 8);
  uint64_t sum = 0;
  for (long r = 0; r < reps; r++) {
    uint32_t n = 30 + (uint32_t)(r & 1);
    uint32_t f = fib(n);
    BENCH_CHECK(f == fib_iter(n), "fib(%u) = %u", n, f);
    uint32_t a = ack(2, 500 + (uint32_t)r);
    BENCH_CHECK(a == 2 * (500 + (uint32_t)r) + 3, "ack(2,n) = %u", a);
    uint32_t a3 = ack(3, 7);
    BENCH_CHECK(a3 == (1u << 10) - 3, "ack(3,7) = %u", a3);
    sum += f + a + a3;
  }
  printf("fib: reps=%ld checksum=%llu\n", reps, (unsigned long long)sum);
  return 0;
}
