/* One blocking socket call that nobody answers, to check it ends: at the
 * guest's own SO_RCVTIMEO/SO_SNDTIMEO (errno AGAIN, 6) or at `vivarium run
 * --timeout` (exit 142), never later.
 *   sock_block MODE A.B.C.D PORT [TIMEOUT_US]
 * MODE: recv (sock_recv), read (fd_read), recv_from (sock_recv_from) and
 * send (sock_send until the peer's window is full) on a connection to the
 * address; connect (to a listener whose backlog is full); accept (on the
 * address, bound here; prints "listening" first). TIMEOUT_US sets the
 * socket's send timeout (send, connect) or recv timeout (the others) first.
 * Prints "MODE: ERRNO". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sock_guest.h"

static char buf[65536];

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  const char *mode = argv[1];
  viv_addr addr = arg_addr(argv[2], argv[3]);
  uint64_t timeout_us = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
  __wasi_fd_t fd;
  EXPECT_ERRNO("open", viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, &fd), 0);
  if (timeout_us) {
    if (strcmp(mode, "send") == 0 || strcmp(mode, "connect") == 0) {
      EXPECT_ERRNO("set send timeout", viv_sock_set_send_timeout(fd, timeout_us), 0);
      uint64_t got = 0;
      EXPECT_ERRNO("get send timeout", viv_sock_get_send_timeout(fd, &got), 0);
      CHECK(got == timeout_us);
    } else {
      EXPECT_ERRNO("set recv timeout", viv_sock_set_recv_timeout(fd, timeout_us), 0);
    }
  }
  fflush(stdout);
  int e;
  if (strcmp(mode, "accept") == 0) {
    EXPECT_ERRNO("bind", viv_sock_bind(fd, &addr), 0);
    EXPECT_ERRNO("listen", viv_sock_listen(fd, 4), 0);
    printf("listening\n");
    fflush(stdout);
    __wasi_fd_t conn;
    e = __wasi_sock_accept(fd, 0, &conn);
  } else {
    e = viv_sock_connect(fd, &addr);
    if (strcmp(mode, "connect") != 0) {
      EXPECT_ERRNO("connected", e, 0);
      printf("waiting\n");
      fflush(stdout);
      __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf};
      __wasi_ciovec_t out = {(const uint8_t *)buf, sizeof buf};
      __wasi_size_t n = 0;
      __wasi_roflags_t fl;
      viv_addr from;
      if (strcmp(mode, "recv") == 0) {
        e = __wasi_sock_recv(fd, &in, 1, 0, &n, &fl);
      } else if (strcmp(mode, "read") == 0) {
        e = __wasi_fd_read(fd, &in, 1, &n);
      } else if (strcmp(mode, "recv_from") == 0) {
        uint32_t got = 0;
        e = viv_sock_recv_from(fd, &in, 1, 0, &from, &got);
      } else if (strcmp(mode, "send") == 0) {
        uint64_t total = 0;
        while ((e = __wasi_sock_send(fd, &out, 1, 0, &n)) == 0) total += n;
        CHECK(total > 0);
      } else {
        return 2;
      }
    }
  }
  printf("%s: %d\n", mode, e);
  return failures ? 1 : 0;
}
