// SIMD benchmark workload: RGBA -> luma conversion followed by repeated 3x3
// binomial (Gaussian) blurs of the luma plane, over a generated image.
//
// Built twice (see CMakeLists.txt / run): with -msimd128 the kernels use
// wasm_simd128.h intrinsics (16 pixels per step); without it, the same
// arithmetic one pixel at a time. Either way the result is checked against a
// plain scalar reference computed after the timed part, so a wrong SIMD
// instruction in the engine makes the benchmark fail instead of look fast.
//
//   blur.wasm [WIDTH HEIGHT PASSES]
// Prints "kernel_ms=<ms> checksum=<hex>" and exits 0, or exits 1 on mismatch.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

// ---- the image ---------------------------------------------------------------------
// A deterministic pattern with gradients, edges and noise, so that neither
// the blur nor the luma weights see constant input.
static void generate(uint8_t* rgba, int w, int h) {
  uint32_t seed = 12345;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      seed = seed * 1664525u + 1013904223u;
      uint8_t* p = rgba + 4 * (y * w + x);
      p[0] = (uint8_t)((x * 255) / w ^ (seed >> 28));
      p[1] = (uint8_t)(((x / 16 + y / 16) & 1) ? 220 : 30);
      p[2] = (uint8_t)((y * 255) / h + (seed >> 29));
      p[3] = 255;
    }
  }
}

// ---- luma: y = (77 r + 150 g + 29 b + 128) >> 8 (fits in 16 bits unsigned) -----------
static inline uint8_t luma1(const uint8_t* p) {
  return (uint8_t)((77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8);
}

static void luma(const uint8_t* rgba, uint8_t* out, int n) {
  int i = 0;
#ifdef __wasm_simd128__
  const v128_t byte = wasm_i32x4_splat(0xFF);
  const v128_t wr = wasm_i32x4_splat(77), wg = wasm_i32x4_splat(150), wb = wasm_i32x4_splat(29);
  const v128_t half = wasm_i32x4_splat(128);
  for (; i + 16 <= n; i += 16) {
    v128_t y32[4];
    for (int k = 0; k < 4; ++k) {
      v128_t px = wasm_v128_load(rgba + 4 * (i + 4 * k));  // 4 RGBA pixels
      v128_t r = wasm_v128_and(px, byte);
      v128_t g = wasm_v128_and(wasm_u32x4_shr(px, 8), byte);
      v128_t b = wasm_v128_and(wasm_u32x4_shr(px, 16), byte);
      v128_t s = wasm_i32x4_add(wasm_i32x4_add(wasm_i32x4_mul(r, wr), wasm_i32x4_mul(g, wg)),
                                wasm_i32x4_add(wasm_i32x4_mul(b, wb), half));
      y32[k] = wasm_u32x4_shr(s, 8);
    }
    v128_t y16a = wasm_u16x8_narrow_i32x4(y32[0], y32[1]);
    v128_t y16b = wasm_u16x8_narrow_i32x4(y32[2], y32[3]);
    wasm_v128_store(out + i, wasm_u8x16_narrow_i16x8(y16a, y16b));
  }
#endif
  for (; i < n; ++i) out[i] = luma1(rgba + 4 * i);
}

// ---- 3x3 binomial blur: weights [1 2 1] x [1 2 1] / 16, edges clamped ---------------
// Horizontal pass into 16-bit sums (at most 4 * 255), then vertical pass,
// rounding: (v + 8) >> 4.
static void blur_row_h(const uint8_t* in, uint16_t* out, int w) {
  out[0] = (uint16_t)(3 * in[0] + in[1]);
  int x = 1;
#ifdef __wasm_simd128__
  for (; x + 16 <= w - 1; x += 16) {
    v128_t l = wasm_v128_load(in + x - 1), c = wasm_v128_load(in + x), r = wasm_v128_load(in + x + 1);
    v128_t lo = wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(l), wasm_u16x8_extend_low_u8x16(r)),
                               wasm_i16x8_shl(wasm_u16x8_extend_low_u8x16(c), 1));
    v128_t hi = wasm_i16x8_add(wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(l), wasm_u16x8_extend_high_u8x16(r)),
                               wasm_i16x8_shl(wasm_u16x8_extend_high_u8x16(c), 1));
    wasm_v128_store(out + x, lo);
    wasm_v128_store(out + x + 8, hi);
  }
#endif
  for (; x < w - 1; ++x) out[x] = (uint16_t)(in[x - 1] + 2 * in[x] + in[x + 1]);
  out[w - 1] = (uint16_t)(in[w - 2] + 3 * in[w - 1]);
}

static void blur_rows_v(const uint16_t* a, const uint16_t* b, const uint16_t* c, uint8_t* out, int w) {
  int x = 0;
#ifdef __wasm_simd128__
  const v128_t eight = wasm_i16x8_splat(8);
  for (; x + 16 <= w; x += 16) {
    v128_t s0 = wasm_i16x8_add(wasm_i16x8_add(wasm_v128_load(a + x), wasm_v128_load(c + x)),
                               wasm_i16x8_add(wasm_i16x8_shl(wasm_v128_load(b + x), 1), eight));
    v128_t s1 = wasm_i16x8_add(wasm_i16x8_add(wasm_v128_load(a + x + 8), wasm_v128_load(c + x + 8)),
                               wasm_i16x8_add(wasm_i16x8_shl(wasm_v128_load(b + x + 8), 1), eight));
    wasm_v128_store(out + x, wasm_u8x16_narrow_i16x8(wasm_u16x8_shr(s0, 4), wasm_u16x8_shr(s1, 4)));
  }
#endif
  for (; x < w; ++x) out[x] = (uint8_t)((a[x] + 2 * b[x] + c[x] + 8) >> 4);
}

// One blur pass from `in` to `out` (distinct buffers); `rows` holds 3 rows of sums.
static void blur(const uint8_t* in, uint8_t* out, int w, int h, uint16_t* rows) {
  uint16_t* r[3] = {rows, rows + w, rows + 2 * w};
  blur_row_h(in, r[1], w);
  memcpy(r[0], r[1], (size_t)w * 2);  // clamp: the row above row 0 is row 0
  for (int y = 0; y < h; ++y) {
    if (y + 1 < h) blur_row_h(in + (size_t)(y + 1) * w, r[2], w);
    else memcpy(r[2], r[1], (size_t)w * 2);
    blur_rows_v(r[0], r[1], r[2], out + (size_t)y * w, w);
    uint16_t* t = r[0]; r[0] = r[1]; r[1] = r[2]; r[2] = t;
  }
}

// ---- the reference: the same definition, written directly, never vectorized ----------
static uint8_t at(const uint8_t* img, int w, int h, int x, int y) {
  x = x < 0 ? 0 : x >= w ? w - 1 : x;
  y = y < 0 ? 0 : y >= h ? h - 1 : y;
  return img[(size_t)y * w + x];
}
static void reference(const uint8_t* rgba, uint8_t* a, uint8_t* b, int w, int h, int passes) {
#pragma clang loop vectorize(disable)
  for (int i = 0; i < w * h; ++i) a[i] = luma1(rgba + 4 * i);
  for (int p = 0; p < passes; ++p) {
    for (int y = 0; y < h; ++y) {
#pragma clang loop vectorize(disable)
      for (int x = 0; x < w; ++x) {
        static const int k[3] = {1, 2, 1};
        int s = 0;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) s += k[dx + 1] * k[dy + 1] * at(a, w, h, x + dx, y + dy);
        b[(size_t)y * w + x] = (uint8_t)((s + 8) >> 4);
      }
    }
    uint8_t* t = a; a = b; b = t;
  }
  if (passes & 1) memcpy(b, a, (size_t)w * h);  // result in the caller's `a`
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  int w = argc > 1 ? atoi(argv[1]) : 1024, h = argc > 2 ? atoi(argv[2]) : 768;
  int passes = argc > 3 ? atoi(argv[3]) : 8;
  if (w < 2 || h < 2 || passes < 0) {
    fprintf(stderr, "usage: blur [WIDTH>=2 HEIGHT>=2 PASSES>=0]\n");
    return 2;
  }
  size_t n = (size_t)w * h;
  uint8_t* rgba = malloc(4 * n);
  uint8_t* a = malloc(n);
  uint8_t* b = malloc(n);
  uint16_t* rows = malloc(3 * (size_t)w * sizeof(uint16_t));
  uint8_t* ra = malloc(n);
  uint8_t* rb = malloc(n);
  if (!rgba || !a || !b || !rows || !ra || !rb) {
    fprintf(stderr, "blur: out of memory\n");
    return 2;
  }
  generate(rgba, w, h);

  double t0 = now_ms();
  luma(rgba, a, (int)n);
  for (int p = 0; p < passes; ++p) {
    blur(a, b, w, h, rows);
    uint8_t* t = a; a = b; b = t;
  }
  double t1 = now_ms();

  reference(rgba, ra, rb, w, h, passes);
  uint32_t sum = 2166136261u;  // FNV-1a of the result, to compare runs by eye
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != ra[i]) {
      fprintf(stderr, "blur: MISMATCH at pixel (%zu, %zu): got %u, reference %u\n", i % w, i / w, a[i], ra[i]);
      return 1;
    }
    sum = (sum ^ a[i]) * 16777619u;
  }
  printf("kernel_ms=%.3f checksum=%08x simd=%d\n", t1 - t0, sum,
#ifdef __wasm_simd128__
         1
#else
         0
#endif
  );
  return 0;
}
