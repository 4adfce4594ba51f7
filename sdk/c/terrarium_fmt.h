/* A small snprintf for Terrarium guests: wasi-libc's stdio pulls in WASI
 * imports (fd_write, fd_seek, fd_close) that a Terrarium host refuses.
 * Supports %d %u %ld %zu %s %.*s %c and %%; returns the length it would have
 * written, like snprintf. */
#ifndef VIVARIUM_SDK_TERRARIUM_FMT_H
#define VIVARIUM_SDK_TERRARIUM_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

static inline void terrarium_fmt_put(char* buf, size_t size, size_t* at, char c) {
  if (*at + 1 < size) buf[*at] = c;
  ++*at;
}

static inline void terrarium_fmt_num(char* buf, size_t size, size_t* at, uint64_t v, int negative) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  if (negative) terrarium_fmt_put(buf, size, at, '-');
  while (n) terrarium_fmt_put(buf, size, at, digits[--n]);
}

static inline int terrarium_vsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
  size_t at = 0;
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      terrarium_fmt_put(buf, size, &at, *fmt);
      continue;
    }
    ++fmt;
    if (*fmt == '%') {
      terrarium_fmt_put(buf, size, &at, '%');
    } else if (*fmt == 'd') {
      int v = va_arg(ap, int);
      terrarium_fmt_num(buf, size, &at, v < 0 ? (uint64_t)(-(int64_t)v) : (uint64_t)v, v < 0);
    } else if (*fmt == 'u') {
      terrarium_fmt_num(buf, size, &at, va_arg(ap, unsigned), 0);
    } else if (*fmt == 'l' && fmt[1] == 'd') {
      long v = va_arg(ap, long);
      ++fmt;
      terrarium_fmt_num(buf, size, &at, v < 0 ? (uint64_t)(-(int64_t)v) : (uint64_t)v, v < 0);
    } else if (*fmt == 'z' && fmt[1] == 'u') {
      ++fmt;
      terrarium_fmt_num(buf, size, &at, va_arg(ap, size_t), 0);
    } else if (*fmt == 'c') {
      terrarium_fmt_put(buf, size, &at, (char)va_arg(ap, int));
    } else if (*fmt == 's') {
      for (const char* s = va_arg(ap, const char*); *s; ++s) terrarium_fmt_put(buf, size, &at, *s);
    } else if (*fmt == '.' && fmt[1] == '*' && fmt[2] == 's') {
      int n = va_arg(ap, int);
      const char* s = va_arg(ap, const char*);
      fmt += 2;
      for (int i = 0; i < n; ++i) terrarium_fmt_put(buf, size, &at, s[i]);
    } else {
      break; /* unsupported conversion: stop */
    }
  }
  if (size) buf[at < size ? at : size - 1] = 0;
  return (int)at;
}

static inline int terrarium_snprintf(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = terrarium_vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

#endif /* VIVARIUM_SDK_TERRARIUM_FMT_H */
