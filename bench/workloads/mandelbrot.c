// Floating point, branchy inner loop: escape-time Mandelbrot over a grid
// symmetric about the real axis. Checked by the set's conjugate symmetry
// (mirrored rows give identical iteration counts, computed independently)
// and by the area estimate lying near the known 1.5066. Scale: grid passes.
#include <math.h>

#include "bench.h"

enum { W = 600, H = 600, MAXIT = 200 };  // H even; rows i and H-1-i mirror

static int escape(double cr, double ci) {
  double zr = 0, zi = 0;
  int it = 0;
  while (it < MAXIT) {
    double zr2 = zr * zr, zi2 = zi * zi;
    if (zr2 + zi2 > 4.0) break;
    zi = 2 * zr * zi + ci;
    zr = zr2 - zi2 + cr;
    it++;
  }
  return it;
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 4);
  static unsigned short row[W];
  const double x0 = -2.0, x1 = 0.6, y0 = -1.3, y1 = 1.3;
  const double dx = (x1 - x0) / W, dy = (y1 - y0) / H;
  uint64_t total_iters = 0;
  double area = 0;
  for (long r = 0; r < reps; r++) {
    long inside = 0;
    for (int i = 0; i < H / 2; i++) {
      double ci = y0 + (i + 0.5) * dy;
      for (int j = 0; j < W; j++) {
        int it = escape(x0 + (j + 0.5) * dx, ci);
        row[j] = (unsigned short)it;
        total_iters += (uint64_t)it;
        inside += it == MAXIT;
      }
      double cm = y0 + (H - 1 - i + 0.5) * dy;  // == -ci
      for (int j = 0; j < W; j += 37) {
        int it = escape(x0 + (j + 0.5) * dx, cm);
        BENCH_CHECK(it == row[j], "symmetry row %d col %d: %d vs %d", i, j, it, row[j]);
      }
    }
    area = 2.0 * inside * dx * dy;
    BENCH_CHECK(area > 1.49 && area < 1.54, "area %.4f", area);
  }
  printf("mandelbrot: reps=%ld iters=%llu area=%.4f\n", reps, (unsigned long long)total_iters, area);
  return 0;
}
