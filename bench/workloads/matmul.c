// Floating point: dense double-precision matrix multiply (i-k-j order, as
// written in real code) of pseudo-random 200x200 matrices. Checked by
// Freivalds' method: A*(B*x) must equal C*x for random vectors x, an
// independent O(n^2) computation. Scale: multiplications.
#include <math.h>

#include "bench.h"

enum { N = 200 };

static void matmul(const double* a, const double* b, double* c) {
  for (int i = 0; i < N * N; i++) c[i] = 0;
  for (int i = 0; i < N; i++)
    for (int k = 0; k < N; k++) {
      double aik = a[i * N + k];
      for (int j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
    }
}

static void matvec(const double* m, const double* x, double* y) {
  for (int i = 0; i < N; i++) {
    double s = 0;
    for (int j = 0; j < N; j++) s += m[i * N + j] * x[j];
    y[i] = s;
  }
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 15);
  static double a[N * N], b[N * N], c[N * N];
  static double x[N], bx[N], abx[N], cx[N];
  bench_rng rng = {12345};
  double trace = 0;
  for (long r = 0; r < reps; r++) {
    for (int i = 0; i < N * N; i++) {
      a[i] = (double)(bench_next(&rng) >> 11) / 9007199254740992.0 - 0.5;
      b[i] = (double)(bench_next(&rng) >> 11) / 9007199254740992.0 - 0.5;
    }
    matmul(a, b, c);
    for (int t = 0; t < 3; t++) {
      for (int i = 0; i < N; i++) x[i] = (double)(bench_next(&rng) % 1000) - 500;
      matvec(b, x, bx);
      matvec(a, bx, abx);
      matvec(c, x, cx);
      for (int i = 0; i < N; i++)
        BENCH_CHECK(fabs(abx[i] - cx[i]) < 1e-8 * (1 + fabs(cx[i])), "Freivalds row %d: %g vs %g", i, abx[i], cx[i]);
    }
    for (int i = 0; i < N; i++) trace += c[i * N + i];
  }
  printf("matmul: reps=%ld trace=%.6f\n", reps, trace);
  return 0;
}
