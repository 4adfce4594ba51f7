/* Bad input to the socket calls: wild pointers, bad address kinds, unknown
 * fds, double close, and opening sockets until the table or the host says
 * no (EMFILE/ENFILE), then closing them all and opening one again. */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "wasi_socket.h"

static __wasi_fd_t fds[12000];

int main(void) {
  __wasi_fd_t fd;
  EXPECT_ERRNO("open bad family", viv_sock_open(3, 9, VIV_SOCK_STREAM, &fd), __WASI_ERRNO_AFNOSUPPORT);
  EXPECT_ERRNO("open bad type", viv_sock_open(3, VIV_INET4, 7, &fd), __WASI_ERRNO_PROTONOSUPPORT);
  EXPECT_ERRNO("open wild out", viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, (__wasi_fd_t *)0xfffffff0u),
               __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("open", viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, &fd), 0);
  viv_addr bad = viv_ipv4(127, 0, 0, 1, 80);
  bad.kind = 5;
  EXPECT_ERRNO("connect bad kind", viv_sock_connect(fd, &bad), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("connect wild addr", viv_sock_connect(fd, (viv_addr *)0xfffffff0u), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("bind wild addr", viv_sock_bind(fd, (viv_addr *)0xffffffffu), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("connect unknown fd", viv_sock_connect(9999, &bad), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("connect stdout", viv_sock_connect(1, &bad), __WASI_ERRNO_NOTSOCK);
  EXPECT_ERRNO("listen unbound", viv_sock_listen(fd, 4), __WASI_ERRNO_DESTADDRREQ);
  viv_addr out;
  EXPECT_ERRNO("addr_local wild", viv_sock_addr_local(fd, (viv_addr *)0xfffffff8u), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("addr_remote unconnected", viv_sock_addr_remote(fd, &out), __WASI_ERRNO_NOTCONN);
  uint32_t total;
  viv_addr_info info[2];
  EXPECT_ERRNO("resolve wild name", viv_sock_addr_resolve((const char *)0xfffffff0u, "", 0, info, 2, &total),
               __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("resolve wild out", viv_sock_addr_resolve("localhost", "", 0, (viv_addr_info *)0xffffff00u, 2, &total),
               __WASI_ERRNO_FAULT);
  uint8_t lg_on = 9;
  int32_t lg_secs = -1;
  EXPECT_ERRNO("linger wild", viv_sock_get_linger(fd, &lg_on, (int32_t *)0xfffffffeu), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("set linger negative", viv_sock_set_linger(fd, 1, -1), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("set linger", viv_sock_set_linger(fd, 1, 7), 0);
  EXPECT_ERRNO("linger", viv_sock_get_linger(fd, &lg_on, &lg_secs), 0);
  CHECK(lg_on == 1 && lg_secs == 7);
  viv_addr_ip group = {VIV_INET4, {{224, 0, 0, 251}}};
  EXPECT_ERRNO("join wild", viv_sock_set_ip_add_membership(fd, (const viv_addr_ip *)0xfffffff0u, 0),
               __WASI_ERRNO_FAULT);
  group.kind = 7;
  EXPECT_ERRNO("join bad kind", viv_sock_set_ip_add_membership(fd, &group, 0), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("join stdout", viv_sock_set_ip_add_membership(1, &group, 0), __WASI_ERRNO_NOTSOCK);
  group.kind = VIV_INET4;
  EXPECT_ERRNO("join without a grant", viv_sock_set_ip_add_membership(fd, &group, 0), __WASI_ERRNO_ACCES);
  EXPECT_ERRNO("loop wild", viv_sock_get_ip_multicast_loop(fd, 0, (uint8_t *)0xffffffffu), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("close", viv_sock_close(fd), 0);
  EXPECT_ERRNO("close again", viv_sock_close(fd), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("fd_close again", __wasi_fd_close(fd), __WASI_ERRNO_BADF);

  /* 10,000 sockets: the host's or the table's limit answers, never a crash. */
  int opened = 0, last = 0;
  while (opened < 12000) {
    last = viv_sock_open(3, VIV_INET4, VIV_SOCK_DGRAM, &fds[opened]);
    if (last != 0) break;
    ++opened;
  }
  printf("opened before failure: %s\n", opened >= 10000 || last != 0 ? "some" : "none");
  CHECK(last == __WASI_ERRNO_MFILE || last == __WASI_ERRNO_NFILE || (last == 0 && opened == 12000));
  printf("limit errno: %s\n", last == __WASI_ERRNO_MFILE || last == __WASI_ERRNO_NFILE ? "mfile" : "none");
  for (int i = 0; i < opened; ++i) CHECK(__wasi_fd_close(fds[i]) == 0);
  __wasi_fd_t again;
  EXPECT_ERRNO("open after closing all", viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, &again), 0);
  CHECK(again == fds[0]);
  return failures ? 1 : 0;
}
