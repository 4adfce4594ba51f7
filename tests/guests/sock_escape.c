/* Routes around the policy that must all be closed. Run with
 *   --allow-bind 127.0.0.1:P --allow-connect 127.0.0.1:P --allow-connect udp:127.0.0.1:P
 * Usage: sock_escape P. Prints one "name: ERRNO" line per attempt. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "wasi_socket.h"

static viv_addr mapped(uint16_t port, uint8_t last) { /* ::ffff:127.0.0.last */
  viv_addr a = {0};
  a.kind = VIV_INET6;
  a.addr.ip6.g[5] = 0xffff;
  a.addr.ip6.g[6] = 0x7f00;
  a.addr.ip6.g[7] = last;
  a.addr.ip6.port = port;
  return a;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const uint16_t p = (uint16_t)atoi(argv[1]);
  viv_addr here = viv_ipv4(127, 0, 0, 1, p);
  __wasi_fd_t srv, cli, conn, s6, u;
  EXPECT_ERRNO("open server", viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, &srv), 0);
  EXPECT_ERRNO("bind", viv_sock_bind(srv, &here), 0);
  EXPECT_ERRNO("listen", viv_sock_listen(srv, 4), 0);

  /* IPv4-mapped IPv6 is judged as the IPv4 address it maps. */
  EXPECT_ERRNO("open v6", viv_sock_open(3, VIV_INET6, VIV_SOCK_STREAM, &s6), 0);
  viv_addr other = mapped(p, 2);
  EXPECT_ERRNO("connect mapped other", viv_sock_connect(s6, &other), __WASI_ERRNO_ACCES);
  viv_addr same = mapped(p, 1);
  EXPECT_ERRNO("connect mapped granted", viv_sock_connect(s6, &same), 0);

  /* A granted port does not open the next one. */
  EXPECT_ERRNO("open client", viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, &cli), 0);
  viv_addr next = viv_ipv4(127, 0, 0, 1, (uint16_t)(p + 1));
  EXPECT_ERRNO("connect other port", viv_sock_connect(cli, &next), __WASI_ERRNO_ACCES);
  viv_addr any = viv_ipv4(0, 0, 0, 0, p);
  EXPECT_ERRNO("connect 0.0.0.0", viv_sock_connect(cli, &any), __WASI_ERRNO_ACCES);
  EXPECT_ERRNO("bind 0.0.0.0", viv_sock_bind(cli, &any), __WASI_ERRNO_ACCES);

  /* An accepted connection cannot be pointed elsewhere. */
  EXPECT_ERRNO("accept", __wasi_sock_accept(srv, 0, &conn), 0);
  EXPECT_ERRNO("connect accepted", viv_sock_connect(conn, &here), __WASI_ERRNO_NOTCAPABLE);
  __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
  uint32_t sent;
  EXPECT_ERRNO("send_to from accepted", viv_sock_send_to(conn, &iov, 1, 0, &next, &sent), __WASI_ERRNO_ACCES);

  /* UDP: only the granted destination. */
  EXPECT_ERRNO("open udp", viv_sock_open(3, VIV_INET4, VIV_SOCK_DGRAM, &u), 0);
  EXPECT_ERRNO("send_to other port", viv_sock_send_to(u, &iov, 1, 0, &next, &sent), __WASI_ERRNO_ACCES);
  EXPECT_ERRNO("send_to granted", viv_sock_send_to(u, &iov, 1, 0, &here, &sent), 0);
  EXPECT_ERRNO("connect udp other port", viv_sock_connect(u, &next), __WASI_ERRNO_ACCES);
  return failures ? 1 : 0;
}
