/* WAMR lib-socket TCP, client or server.
 *   sock_wamr_tcp client A.B.C.D PORT MESSAGE: connect, send, print the reply
 *   sock_wamr_tcp server A.B.C.D PORT: bind, listen, print "listening",
 *     accept one connection, answer "echo:" + what it sent, exit
 * Prints "connect: ERRNO" / "bind: ERRNO" so the driver can check denials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sock_guest.h"

static int send_str(__wasi_fd_t fd, const char *s) {
  __wasi_ciovec_t out = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t sent = 0;
  return __wasi_sock_send(fd, &out, 1, 0, &sent);
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  viv_addr addr = arg_addr(argv[2], argv[3]);
  __wasi_fd_t fd;
  EXPECT_ERRNO("open", viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, &fd), 0);
  if (strcmp(argv[1], "client") == 0 && argc >= 5) {
    EXPECT_ERRNO("nodelay", viv_sock_set_tcp_no_delay(fd, 1), 0);
    uint8_t on = 0;
    EXPECT_ERRNO("get nodelay", viv_sock_get_tcp_no_delay(fd, &on), 0);
    CHECK(on == 1);
    int e = viv_sock_connect(fd, &addr);
    printf("connect: %d\n", e);
    if (e != 0) return 1;
    viv_addr peer;
    EXPECT_ERRNO("addr_remote", viv_sock_addr_remote(fd, &peer), 0);
    CHECK(peer.kind == VIV_INET4 && peer.addr.ip4.port == addr.addr.ip4.port && peer.addr.ip4.n[0] == 127);
    EXPECT_ERRNO("send", send_str(fd, argv[4]), 0);
    EXPECT_ERRNO("shutdown", __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR), 0);
    char buf[256];
    recv_all(fd, buf, sizeof buf);
    printf("reply: %s\n", buf);
  } else {
    int e = viv_sock_bind(fd, &addr);
    printf("bind: %d\n", e);
    if (e != 0) return 1;
    EXPECT_ERRNO("listen", viv_sock_listen(fd, 4), 0);
    viv_addr local;
    EXPECT_ERRNO("addr_local", viv_sock_addr_local(fd, &local), 0);
    CHECK(local.addr.ip4.port == addr.addr.ip4.port);
    printf("listening\n");
    fflush(stdout);
    __wasi_fd_t conn;
    EXPECT_ERRNO("accept", __wasi_sock_accept(fd, 0, &conn), 0);
    char buf[256], reply[300];
    recv_all(conn, buf, sizeof buf);
    printf("received: %s\n", buf);
    snprintf(reply, sizeof reply, "echo:%s", buf);
    EXPECT_ERRNO("send", send_str(conn, reply), 0);
    EXPECT_ERRNO("close conn", __wasi_fd_close(conn), 0);
  }
  EXPECT_ERRNO("close", viv_sock_close(fd), 0);
  return failures ? 1 : 0;
}
