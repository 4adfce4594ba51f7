// Floating point with structs and calls: a Whitted-style ray tracer (spheres
// and a checkered floor, Phong shading from point lights, shadow rays, mirror
// reflection to depth 4, 2x2 supersampling) rendering frames as the lights
// move. Held out: written after the interpreter was tuned, never profiled.
// Checked by the primary-hit map of the centre sphere matching its analytic
// silhouette pixel by pixel (a disc of radius tan(asin(r/d)) on the image
// plane, computed in 2-D without any ray-sphere code), by the image's
// left-right mirror symmetry in the hit map (the geometry is symmetric), and
// by every channel staying finite and the mean brightness plausible.
// Only +, -, *, /, sqrt and floor are used, so every target rounds alike.
// Scale: frames of 160x120 pixels.
#include <math.h>

#include "bench.h"

typedef struct { double x, y, z; } vec3;

static inline vec3 v3(double x, double y, double z) { vec3 v = {x, y, z}; return v; }
static inline vec3 vadd(vec3 a, vec3 b) { return v3(a.x + b.x, a.y + b.y, a.z + b.z); }
static inline vec3 vsub(vec3 a, vec3 b) { return v3(a.x - b.x, a.y - b.y, a.z - b.z); }
static inline vec3 vscale(vec3 a, double s) { return v3(a.x * s, a.y * s, a.z * s); }
static inline vec3 vmul(vec3 a, vec3 b) { return v3(a.x * b.x, a.y * b.y, a.z * b.z); }
static inline double vdot(vec3 a, vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static inline vec3 vnorm(vec3 a) { return vscale(a, 1.0 / sqrt(vdot(a, a))); }

typedef struct {
  vec3 color;
  double diffuse, specular, reflect;
  int shininess;
  int checker;  // floor: alternate color and color2
  vec3 color2;
} material;

typedef struct {
  vec3 center;
  double radius;
  material mat;
} sphere;

typedef struct {
  vec3 pos, color;
} light;

enum { NSPHERES = 7, NLIGHTS = 3, MAX_DEPTH = 4, W = 160, H = 120, SS = 2 };
#define FLOOR_Y (-1.5)
#define EPS 1e-6
#define FOV_TAN 0.5  // tan of half the vertical field of view

static sphere spheres[NSPHERES];
static material floor_mat;
static light lights[NLIGHTS];

static void build_scene(void) {
  // Symmetric about x = 0: the centre sphere, then mirrored pairs.
  material mirror = {v3(0.9, 0.9, 0.95), 0.3, 0.8, 0.55, 64, 0, v3(0, 0, 0)};
  material red = {v3(0.9, 0.2, 0.15), 0.8, 0.4, 0.15, 16, 0, v3(0, 0, 0)};
  material green = {v3(0.2, 0.85, 0.3), 0.8, 0.5, 0.1, 32, 0, v3(0, 0, 0)};
  material blue = {v3(0.2, 0.3, 0.9), 0.7, 0.6, 0.25, 48, 0, v3(0, 0, 0)};
  spheres[0] = (sphere){v3(0, 0, 5), 1.0, mirror};
  spheres[1] = (sphere){v3(-2.2, -0.2, 6), 0.8, red};
  spheres[2] = (sphere){v3(2.2, -0.2, 6), 0.8, red};
  spheres[3] = (sphere){v3(-1.2, -1.0, 3.6), 0.45, green};
  spheres[4] = (sphere){v3(1.2, -1.0, 3.6), 0.45, green};
  spheres[5] = (sphere){v3(-3.5, 1.2, 9), 1.6, blue};
  spheres[6] = (sphere){v3(3.5, 1.2, 9), 1.6, blue};
  floor_mat = (material){v3(0.95, 0.95, 0.9), 0.9, 0.1, 0.2, 8, 1, v3(0.15, 0.15, 0.2)};
}

static void place_lights(long frame) {
  // Lights circle above the scene; frame changes shading, not geometry.
  double a = (double)frame * 0.37;
  double c = 1 - a * a / 2 + a * a * a * a / 24, s = a - a * a * a / 6;  // cheap, identical everywhere
  lights[0] = (light){v3(4 * c, 6, 2 + 4 * s), v3(0.7, 0.7, 0.65)};
  lights[1] = (light){v3(-5, 4, -1 + 0.2 * (double)(frame % 7)), v3(0.4, 0.4, 0.5)};
  lights[2] = (light){v3(0, 8, 8), v3(0.3, 0.3, 0.3)};
}

// Nearest intersection along o + t d (d unit) with t > EPS; returns the object
// id (0..NSPHERES-1 spheres, NSPHERES the floor, -1 none).
static int intersect(vec3 o, vec3 d, double* tout) {
  double best = 1e30;
  int id = -1;
  for (int i = 0; i < NSPHERES; i++) {
    vec3 oc = vsub(o, spheres[i].center);
    double b = vdot(oc, d);
    double c = vdot(oc, oc) - spheres[i].radius * spheres[i].radius;
    double disc = b * b - c;
    if (disc < 0) continue;
    double sq = sqrt(disc);
    double t = -b - sq;
    if (t < EPS) t = -b + sq;
    if (t > EPS && t < best) {
      best = t;
      id = i;
    }
  }
  if (d.y < -1e-9) {
    double t = (FLOOR_Y - o.y) / d.y;
    if (t > EPS && t < best) {
      best = t;
      id = NSPHERES;
    }
  }
  *tout = best;
  return id;
}

static int in_shadow(vec3 p, vec3 to_light, double dist) {
  for (int i = 0; i < NSPHERES; i++) {
    vec3 oc = vsub(p, spheres[i].center);
    double b = vdot(oc, to_light);
    double c = vdot(oc, oc) - spheres[i].radius * spheres[i].radius;
    double disc = b * b - c;
    if (disc < 0) continue;
    double sq = sqrt(disc);
    double t = -b - sq;
    if (t < EPS) t = -b + sq;
    if (t > EPS && t < dist) return 1;
  }
  return 0;
}

static double ipow(double x, int n) {
  double r = 1;
  while (n) {
    if (n & 1) r *= x;
    x *= x;
    n >>= 1;
  }
  return r;
}

static vec3 trace(vec3 o, vec3 d, int depth) {
  double t;
  int id = intersect(o, d, &t);
  if (id < 0) {
    double k = 0.5 * (d.y + 1);  // sky gradient
    return vadd(vscale(v3(1, 1, 1), 1 - k), vscale(v3(0.45, 0.65, 1.0), k));
  }
  vec3 p = vadd(o, vscale(d, t));
  vec3 n;
  const material* m;
  vec3 base;
  if (id == NSPHERES) {
    n = v3(0, 1, 0);
    m = &floor_mat;
    long cx = (long)floor(p.x * 1.25), cz = (long)floor(p.z * 1.25);
    base = ((cx + cz) & 1) ? m->color2 : m->color;
  } else {
    n = vscale(vsub(p, spheres[id].center), 1.0 / spheres[id].radius);
    m = &spheres[id].mat;
    base = m->color;
  }
  vec3 col = vscale(base, 0.08);  // ambient
  for (int l = 0; l < NLIGHTS; l++) {
    vec3 tl = vsub(lights[l].pos, p);
    double dist = sqrt(vdot(tl, tl));
    vec3 ld = vscale(tl, 1.0 / dist);
    double ndl = vdot(n, ld);
    if (ndl <= 0) continue;
    if (in_shadow(p, ld, dist)) continue;
    vec3 r = vsub(vscale(n, 2 * ndl), ld);  // reflected light direction
    double rv = -vdot(r, d);
    double spec = rv > 0 ? m->specular * ipow(rv, m->shininess) : 0;
    col = vadd(col, vmul(lights[l].color, vadd(vscale(base, m->diffuse * ndl), v3(spec, spec, spec))));
  }
  if (m->reflect > 0 && depth < MAX_DEPTH) {
    vec3 rd = vsub(d, vscale(n, 2 * vdot(d, n)));
    vec3 rc = trace(p, rd, depth + 1);
    col = vadd(vscale(col, 1 - m->reflect), vscale(rc, m->reflect));
  }
  return col;
}

// Pinhole at the origin looking down +z; px, py in pixels (centre = +0.5).
static inline double image_u(double px) { return (2 * px / W - 1) * FOV_TAN * W / H; }
static inline double image_v(double py) { return (1 - 2 * py / H) * FOV_TAN; }
static inline vec3 camera_ray(double px, double py) { return vnorm(v3(image_u(px), image_v(py), 1)); }

static inline int quant(double c) {
  if (!(c >= 0)) c = 0;  // also maps NaN to 0 (and the check below catches it)
  if (c > 1) c = 1;
  return (int)(c * 255 + 0.5);
}

static uint32_t render(uint8_t* img, double* mean) {
  uint32_t h = 2166136261u;
  uint64_t sum = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      vec3 c = v3(0, 0, 0);
      for (int sy = 0; sy < SS; sy++)
        for (int sx = 0; sx < SS; sx++)
          c = vadd(c, trace(v3(0, 0, 0), camera_ray(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS), 0));
      c = vscale(c, 1.0 / (SS * SS));
      BENCH_CHECK(c.x == c.x && c.y == c.y && c.z == c.z, "NaN at pixel %d,%d", x, y);
      uint8_t* px = img + 3 * (y * W + x);
      px[0] = (uint8_t)quant(c.x);
      px[1] = (uint8_t)quant(c.y);
      px[2] = (uint8_t)quant(c.z);
      for (int k = 0; k < 3; k++) {
        h = (h ^ px[k]) * 16777619u;
        sum += px[k];
      }
    }
  *mean = (double)sum / (3.0 * W * H);
  return h;
}

// The silhouette of sphere 0 (centre (0,0,d), radius r) seen from the origin
// is the disc u^2 + v^2 < R^2 on the image plane z = 1, R = r / sqrt(d^2 - r^2).
static void check_geometry(void) {
  double d = spheres[0].center.z, r = spheres[0].radius;
  double R2 = r * r / (d * d - r * r);
  int disagree = 0, inside = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      double t, u = image_u(x + 0.5), v = image_v(y + 0.5);
      int id = intersect(v3(0, 0, 0), vnorm(v3(u, v, 1)), &t);
      double q = u * u + v * v;
      int analytic = q < R2;
      inside += analytic;
      if ((id == 0) != analytic && fabs(q - R2) > 1e-9) disagree++;
      // Mirror symmetry of the hit map: object ids pair up as 1<->2, 3<->4, 5<->6.
      // The mirrored ray is (-u, v, 1): every product and sum is then the
      // same in magnitude, so the symmetry is exact, not approximate.
      double t2;
      int id2 = intersect(v3(0, 0, 0), vnorm(v3(-u, v, 1)), &t2);
      int mirrored = (id >= 1 && id < NSPHERES) ? (id & 1 ? id + 1 : id - 1) : id;
      BENCH_CHECK(id2 == mirrored && t2 == t, "hit map not symmetric at %d,%d: %d vs %d", x, y, id, id2);
    }
  BENCH_CHECK(disagree == 0, "%d pixels disagree with the analytic silhouette", disagree);
  BENCH_CHECK(inside > 400, "silhouette too small (%d pixels)", inside);
}

int main(int argc, char** argv) {
  long frames = bench_scale(argc, argv, 10);
  build_scene();
  check_geometry();
  uint8_t* img = malloc(3 * W * H);
  BENCH_CHECK(img, "oom");
  uint32_t acc = 0;
  double mean_sum = 0;
  for (long f = 0; f < frames; f++) {
    place_lights(f);
    double mean;
    uint32_t h = render(img, &mean);
    BENCH_CHECK(mean > 30 && mean < 220, "frame %ld: implausible mean brightness %.2f", f, mean);
    acc = acc * 31 + h;
    mean_sum += mean;
  }
  printf("raytrace: frames=%ld hash=%08x mean=%.4f\n", frames, (unsigned)acc, mean_sum / (double)frames);
  free(img);
  return 0;
}
