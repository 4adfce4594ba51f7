/* The seed proposal's client: sock_connect(ipv4, port, fd_out), then
 * sock_send, poll_oneoff, sock_recv, sock_shutdown and fd_close on the fd.
 * Usage: sock_seed_client A.B.C.D PORT MESSAGE. Prints "connect: ERRNO"
 * and, when connected, what the server answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sock_guest.h"

static uint32_t parse_ipv4(const char *s) {
  unsigned a, b, c, d;
  if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4) return 0;
  return (a << 24) | (b << 16) | (c << 8) | d;
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  __wasi_fd_t fd = 0;
  int e = viv_sock_connect_ipv4(parse_ipv4(argv[1]), (uint32_t)atoi(argv[2]), &fd);
  printf("connect: %d\n", e);
  if (e != 0) return 1;

  __wasi_fdstat_t st;
  CHECK(__wasi_fd_fdstat_get(fd, &st) == 0);
  CHECK(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
  CHECK((st.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)) ==
        (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE));

  __wasi_ciovec_t out = {(const uint8_t *)argv[3], strlen(argv[3])};
  __wasi_size_t sent = 0;
  EXPECT_ERRNO("send", __wasi_sock_send(fd, &out, 1, 0, &sent), 0);
  CHECK(sent == strlen(argv[3]));
  EXPECT_ERRNO("shutdown", __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR), 0);

  /* Wait until the answer is there. */
  __wasi_subscription_t sub = {0};
  sub.userdata = 7;
  sub.u.tag = __WASI_EVENTTYPE_FD_READ;
  sub.u.u.fd_read.file_descriptor = fd;
  __wasi_event_t ev;
  __wasi_size_t nev = 0;
  EXPECT_ERRNO("poll", __wasi_poll_oneoff(&sub, &ev, 1, &nev), 0);
  CHECK(nev == 1 && ev.userdata == 7 && ev.error == 0);

  char buf[256];
  recv_all(fd, buf, sizeof buf);
  printf("reply: %s\n", buf);
  EXPECT_ERRNO("close", __wasi_fd_close(fd), 0);
  EXPECT_ERRNO("close again", __wasi_fd_close(fd), __WASI_ERRNO_BADF);
  return failures ? 1 : 0;
}
