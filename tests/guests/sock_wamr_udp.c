/* WAMR lib-socket UDP: send a datagram to A.B.C.D:PORT with sock_send_to and
 * print the answer sock_recv_from gets (with a receive timeout).
 * Usage: sock_wamr_udp A.B.C.D PORT MESSAGE. Prints "send_to: ERRNO". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sock_guest.h"

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  viv_addr to = arg_addr(argv[1], argv[2]);
  __wasi_fd_t fd;
  EXPECT_ERRNO("open", viv_sock_open(3, VIV_INET4, VIV_SOCK_DGRAM, &fd), 0);
  EXPECT_ERRNO("timeout", viv_sock_set_recv_timeout(fd, 5000000), 0);
  uint64_t us = 0;
  EXPECT_ERRNO("get timeout", viv_sock_get_recv_timeout(fd, &us), 0);
  CHECK(us == 5000000);
  __wasi_ciovec_t out = {(const uint8_t *)argv[3], strlen(argv[3])};
  uint32_t sent = 0;
  int e = viv_sock_send_to(fd, &out, 1, 0, &to, &sent);
  printf("send_to: %d\n", e);
  if (e != 0) return 1;
  char buf[256];
  __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf - 1};
  viv_addr from;
  uint32_t n = 0;
  EXPECT_ERRNO("recv_from", viv_sock_recv_from(fd, &in, 1, 0, &from, &n), 0);
  buf[n] = 0;
  CHECK(from.kind == VIV_INET4 && from.addr.ip4.port == to.addr.ip4.port);
  printf("reply: %s\n", buf);
  EXPECT_ERRNO("close", __wasi_fd_close(fd), 0);
  return failures ? 1 : 0;
}
