/* WAMR lib-socket multicast: joins GROUP on the loopback interface, binds
 * GROUP:PORT, prints "listening", receives one datagram, leaves the group.
 *   sock_multicast A.B.C.D PORT
 * Prints "join: ERRNO" (76 without --allow-bind GROUP) and "received: ...". */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "sock_guest.h"

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  viv_addr addr = arg_addr(argv[1], argv[2]);
  viv_addr_ip group = {VIV_INET4, {{0}}};
  for (int i = 0; i < 4; ++i) group.addr.n[i] = addr.addr.ip4.n[i];
  __wasi_fd_t fd;
  EXPECT_ERRNO("open", viv_sock_open(3, VIV_INET4, VIV_SOCK_DGRAM, &fd), 0);
  EXPECT_ERRNO("reuse", viv_sock_set_reuse_addr(fd, 1), 0);
  uint8_t v = 9;
  EXPECT_ERRNO("set ttl", viv_sock_set_ip_multicast_ttl(fd, 0), 0);
  EXPECT_ERRNO("get ttl", viv_sock_get_ip_multicast_ttl(fd, &v), 0);
  CHECK(v == 0);
  EXPECT_ERRNO("set loop off", viv_sock_set_ip_multicast_loop(fd, 0, 0), 0);
  EXPECT_ERRNO("get loop", viv_sock_get_ip_multicast_loop(fd, 0, &v), 0);
  CHECK(v == 0);
  EXPECT_ERRNO("set loop on", viv_sock_set_ip_multicast_loop(fd, 0, 1), 0);
  EXPECT_ERRNO("get loop", viv_sock_get_ip_multicast_loop(fd, 0, &v), 0);
  CHECK(v == 1);
  /* The interface: 127.0.0.1 as a network-order u32 (its bytes in memory order). */
  const uint8_t lo[4] = {127, 0, 0, 1};
  uint32_t iface;
  __builtin_memcpy(&iface, lo, 4);
  int e = viv_sock_set_ip_add_membership(fd, &group, iface);
  printf("join: %d\n", e);
  if (e != 0) return 1;
  EXPECT_ERRNO("bind", viv_sock_bind(fd, &addr), 0);
  printf("listening\n");
  fflush(stdout);
  char buf[128];
  __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf - 1};
  uint32_t n = 0;
  viv_addr from;
  EXPECT_ERRNO("recv_from", viv_sock_recv_from(fd, &in, 1, 0, &from, &n), 0);
  buf[n] = 0;
  printf("received: %s\n", buf);
  EXPECT_ERRNO("leave", viv_sock_set_ip_drop_membership(fd, &group, iface), 0);
  EXPECT_ERRNO("leave again", viv_sock_set_ip_drop_membership(fd, &group, iface), __WASI_ERRNO_ADDRNOTAVAIL);
  EXPECT_ERRNO("close", viv_sock_close(fd), 0);
  return failures ? 1 : 0;
}
