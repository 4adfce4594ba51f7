/* An image thumbnailer with its own codecs:
 *   POST /thumbnail?w=W&h=H[&format=ppm|bmp]   body: a binary PPM (P6, maxval 255)
 * decodes the image, scales it to W x H (1..512; default 64 x 64) with a box
 * filter (each output pixel averages the source pixels it covers), and
 * encodes it as PPM (default) or as a 24-bit BMP. 400 names what is wrong
 * with a bad image or size. */
#include "vivarium_guest.h"

typedef struct {
  uint32_t w, h;
  uint8_t* rgb; /* w * h * 3 */
} image;

static void skip_space_and_comments(const uint8_t* p, size_t n, size_t* at) {
  while (*at < n) {
    if (p[*at] == '#') {
      while (*at < n && p[*at] != '\n') ++*at;
    } else if (p[*at] == ' ' || p[*at] == '\n' || p[*at] == '\r' || p[*at] == '\t') {
      ++*at;
    } else {
      return;
    }
  }
}

static int read_number(const uint8_t* p, size_t n, size_t* at, uint32_t* out) {
  skip_space_and_comments(p, n, at);
  uint32_t v = 0;
  size_t start = *at;
  while (*at < n && p[*at] >= '0' && p[*at] <= '9' && v < 100000) v = v * 10 + (p[(*at)++] - '0');
  *out = v;
  return *at > start;
}

/* NULL when fine, else what is wrong. */
static const char* decode_ppm(const uint8_t* p, size_t n, image* img) {
  size_t at = 2;
  uint32_t maxval;
  if (n < 2 || p[0] != 'P' || p[1] != '6') return "not a binary PPM (P6)";
  if (!read_number(p, n, &at, &img->w) || !read_number(p, n, &at, &img->h) || !read_number(p, n, &at, &maxval))
    return "a malformed PPM header";
  if (maxval != 255) return "only maxval 255 is supported";
  if (img->w == 0 || img->h == 0 || img->w > 4096 || img->h > 4096) return "width and height must be 1..4096";
  ++at; /* the single whitespace byte after maxval */
  size_t need = (size_t)img->w * img->h * 3;
  if (n < at || n - at < need) return "the pixel data is shorter than the header says";
  img->rgb = (uint8_t*)p + at;
  return 0;
}

static void resize_box(const image* src, image* dst) {
  for (uint32_t y = 0; y < dst->h; ++y) {
    uint32_t y0 = y * src->h / dst->h, y1 = (y + 1) * src->h / dst->h;
    if (y1 <= y0) y1 = y0 + 1;
    for (uint32_t x = 0; x < dst->w; ++x) {
      uint32_t x0 = x * src->w / dst->w, x1 = (x + 1) * src->w / dst->w;
      if (x1 <= x0) x1 = x0 + 1;
      uint32_t sum[3] = {0, 0, 0}, count = (y1 - y0) * (x1 - x0);
      for (uint32_t sy = y0; sy < y1; ++sy)
        for (uint32_t sx = x0; sx < x1; ++sx)
          for (int c = 0; c < 3; ++c) sum[c] += src->rgb[((size_t)sy * src->w + sx) * 3 + c];
      for (int c = 0; c < 3; ++c) dst->rgb[((size_t)y * dst->w + x) * 3 + c] = (uint8_t)((sum[c] + count / 2) / count);
    }
  }
}

static void encode_ppm(const image* img, viv_buf* out) {
  viv_buf_append_str(out, "P6\n");
  viv_buf_append_int(out, img->w);
  viv_buf_append_str(out, " ");
  viv_buf_append_int(out, img->h);
  viv_buf_append_str(out, "\n255\n");
  viv_buf_append(out, img->rgb, (size_t)img->w * img->h * 3);
}

static void put_le(uint8_t* p, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

/* A bottom-up 24-bit BMP: rows of BGR padded to 4 bytes. */
static void encode_bmp(const image* img, viv_buf* out) {
  uint32_t row = (img->w * 3 + 3) & ~3u, size = 54 + row * img->h;
  uint8_t* p = malloc(size);
  for (uint32_t i = 0; i < size; ++i) p[i] = 0;
  p[0] = 'B';
  p[1] = 'M';
  put_le(p + 2, size, 4);
  put_le(p + 10, 54, 4);
  put_le(p + 14, 40, 4);
  put_le(p + 18, img->w, 4);
  put_le(p + 22, img->h, 4);
  put_le(p + 26, 1, 2);
  put_le(p + 28, 24, 2);
  put_le(p + 34, row * img->h, 4);
  for (uint32_t y = 0; y < img->h; ++y) {
    uint8_t* dst = p + 54 + (size_t)(img->h - 1 - y) * row;
    const uint8_t* src = img->rgb + (size_t)y * img->w * 3;
    for (uint32_t x = 0; x < img->w; ++x) {
      dst[x * 3] = src[x * 3 + 2];
      dst[x * 3 + 1] = src[x * 3 + 1];
      dst[x * 3 + 2] = src[x * 3];
    }
  }
  out->ptr = (char*)p;
  out->len = size;
}

static uint32_t size_param(viv_buf path, const char* name) {
  viv_buf v = viv_query_param(path, name);
  uint32_t n = v.ptr ? (uint32_t)viv_parse_int(v.ptr, v.len) : 64;
  viv_buf_free(&v);
  return n;
}

__attribute__((export_name("run"))) void run(void) {
  viv_init();
  viv_buf method = viv_req_method(), path = viv_req_path();
  if (!viv_path_is(path, "/thumbnail") || !viv_buf_eq(method, "POST")) {
    viv_respond(404, "text/plain", "POST a PPM image to /thumbnail?w=W&h=H&format=ppm|bmp\n");
    return;
  }
  image src, dst;
  dst.w = size_param(path, "w");
  dst.h = size_param(path, "h");
  if (dst.w < 1 || dst.w > 512 || dst.h < 1 || dst.h > 512) {
    viv_respond(400, "text/plain", "w and h must be 1..512\n");
    return;
  }
  viv_buf body = viv_req_body();
  const char* bad = decode_ppm((const uint8_t*)body.ptr, body.len, &src);
  if (bad) {
    viv_buf msg = {0, 0};
    viv_buf_append_str(&msg, bad);
    viv_buf_append_str(&msg, "\n");
    viv_respond(400, "text/plain", msg.ptr);
    return;
  }
  dst.rgb = malloc((size_t)dst.w * dst.h * 3);
  resize_box(&src, &dst);
  viv_buf format = viv_query_param(path, "format");
  viv_buf out = {0, 0};
  if (format.ptr && viv_buf_eq(format, "bmp")) {
    encode_bmp(&dst, &out);
    viv_resp_header("content-type", "image/bmp");
  } else {
    encode_ppm(&dst, &out);
    viv_resp_header("content-type", "image/x-portable-pixmap");
  }
  viv_resp_body(out.ptr, out.len);
}
