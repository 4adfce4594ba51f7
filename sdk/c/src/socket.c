/* TCP helpers over WAMR lib-socket's imports (vivarium_socket.h). */
#include "vivarium_socket.h"

#include <stdlib.h>
#include <string.h>

/* "a.b.c.d" -> octets; 0 when it is not one. */
static int parse_ipv4(const char* s, uint8_t out[4]) {
  for (int i = 0; i < 4; ++i) {
    unsigned v = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 4) v = v * 10 + (unsigned)(*s++ - '0'), ++digits;
    if (digits == 0 || v > 255 || (i < 3 && *s++ != '.')) return 0;
    out[i] = (uint8_t)v;
  }
  return *s == 0;
}

int32_t viv_tcp_connect(const char* host, uint16_t port, __wasi_fd_t* fd) {
  viv_addr addr;
  uint8_t ip[4];
  if (parse_ipv4(host, ip)) {
    addr = viv_ipv4(ip[0], ip[1], ip[2], ip[3], port);
  } else {
    viv_addr_hints hints = {VIV_SOCK_STREAM, VIV_INET4, 1};
    viv_addr_info info[4];
    uint32_t total = 0;
    int32_t e = viv_sock_addr_resolve(host, "", &hints, info, 4, &total);
    if (e) return e;
    if (total == 0) return __WASI_ERRNO_NOENT;
    addr = info[0].addr;
    addr.addr.ip4.port = port;
  }
  int32_t e = viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, fd);
  if (e) return e;
  e = viv_sock_connect(*fd, &addr);
  if (e) viv_sock_close(*fd);
  return e;
}

int32_t viv_tcp_send_all(__wasi_fd_t fd, const void* data, size_t len) {
  const uint8_t* p = data;
  while (len > 0) {
    __wasi_ciovec_t iov = {p, len};
    __wasi_size_t sent = 0;
    int32_t e = __wasi_sock_send(fd, &iov, 1, 0, &sent);
    if (e) return e;
    p += sent;
    len -= sent;
  }
  return 0;
}

int32_t viv_tcp_read_all(__wasi_fd_t fd, viv_sock_buf* out, size_t max) {
  size_t cap = 4096;
  out->ptr = malloc(cap + 1);
  out->len = 0;
  if (!out->ptr) return __WASI_ERRNO_NOMEM;
  for (;;) {
    if (out->len == cap) {
      if (max && cap >= max) break;
      char* bigger = realloc(out->ptr, cap * 2 + 1);
      if (!bigger) return __WASI_ERRNO_NOMEM;
      out->ptr = bigger;
      cap *= 2;
    }
    size_t want = cap - out->len;
    if (max && out->len + want > max) want = max - out->len;
    __wasi_iovec_t iov = {(uint8_t*)out->ptr + out->len, want};
    __wasi_size_t got = 0;
    __wasi_roflags_t flags = 0;
    int32_t e = __wasi_sock_recv(fd, &iov, 1, 0, &got, &flags);
    if (e) return e;
    if (got == 0) break;
    out->len += got;
    if (max && out->len >= max) break;
  }
  out->ptr[out->len] = 0;
  return 0;
}

int32_t viv_http_get(const char* host, uint16_t port, const char* path, viv_sock_buf* out) {
  __wasi_fd_t fd;
  int32_t e = viv_tcp_connect(host, port, &fd);
  if (e) return e;
  size_t n = strlen(path) + strlen(host) + 64;
  char* req = malloc(n);
  if (!req) return __WASI_ERRNO_NOMEM;
  strcpy(req, "GET ");
  strcat(req, path);
  strcat(req, " HTTP/1.0\r\nHost: ");
  strcat(req, host);
  strcat(req, "\r\nConnection: close\r\n\r\n");
  e = viv_tcp_send_all(fd, req, strlen(req));
  free(req);
  if (!e) e = viv_tcp_read_all(fd, out, 0);
  viv_sock_close(fd);
  return e;
}
