/* WasmEdge's socket ABI: sock_open(family, type), sock_connect(fd, {buf,
 * len}, port), sock_getpeeraddr, then preview1 send/recv. Usage:
 * sock_wasmedge_client A.B.C.D PORT MESSAGE. Prints "connect: ERRNO". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sock_guest.h"

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  unsigned a, b, c, d;
  sscanf(argv[1], "%u.%u.%u.%u", &a, &b, &c, &d);
  uint8_t buf[128] = {VIV_WE_INET4, 0, (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
  viv_we_addr addr = {buf, sizeof buf};
  __wasi_fd_t fd;
  EXPECT_ERRNO("open", viv_we_sock_open(VIV_WE_INET4, VIV_WE_STREAM, &fd), 0);
  int e = viv_we_sock_connect(fd, &addr, (uint32_t)atoi(argv[2]));
  printf("connect: %d\n", e);
  if (e != 0) return 1;
  uint8_t peer_buf[128];
  viv_we_addr peer = {peer_buf, sizeof peer_buf};
  uint32_t port = 0;
  EXPECT_ERRNO("getpeeraddr", viv_we_sock_getpeeraddr_v2(fd, &peer, &port), 0);
  CHECK(peer_buf[0] == VIV_WE_INET4 && peer_buf[2] == 127 && port == (uint32_t)atoi(argv[2]));
  __wasi_ciovec_t out = {(const uint8_t *)argv[3], strlen(argv[3])};
  __wasi_size_t sent;
  EXPECT_ERRNO("send", __wasi_sock_send(fd, &out, 1, 0, &sent), 0);
  EXPECT_ERRNO("shutdown", __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR), 0);
  char reply[256];
  recv_all(fd, reply, sizeof reply);
  printf("reply: %s\n", reply);
  return failures ? 1 : 0;
}
