/* Helpers the socket guests share: an A.B.C.D + PORT argument pair as a WAMR
 * address, and reading a stream to its end. */
#ifndef VIVARIUM_SOCK_GUEST_H
#define VIVARIUM_SOCK_GUEST_H
#include <stdio.h>
#include <stdlib.h>

#include "wasi_socket.h"

static inline viv_addr arg_addr(const char *ip, const char *port) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d);
  return viv_ipv4((uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d, (uint16_t)atoi(port));
}

/* Reads until EOF or an error; NUL-terminates. */
static inline size_t recv_all(__wasi_fd_t fd, char *buf, size_t cap) {
  size_t got = 0;
  for (;;) {
    __wasi_iovec_t in = {(uint8_t *)buf + got, cap - 1 - got};
    __wasi_size_t n = 0;
    __wasi_roflags_t fl = 0;
    if (__wasi_sock_recv(fd, &in, 1, 0, &n, &fl) != 0 || n == 0) break;
    got += n;
  }
  buf[got] = 0;
  return got;
}

#endif
