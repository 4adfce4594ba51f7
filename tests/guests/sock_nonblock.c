/* Non-blocking mode: fd_fdstat_set_flags(NONBLOCK) on a WAMR socket, then
 * connect (0 or EINPROGRESS), poll_oneoff for writability, recv with
 * nothing there (EAGAIN), and poll_oneoff for the answer.
 * Usage: sock_nonblock A.B.C.D PORT MESSAGE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sock_guest.h"

static int wait_for(__wasi_fd_t fd, __wasi_eventtype_t type) {
  __wasi_subscription_t sub = {0};
  sub.u.tag = type;
  sub.u.u.fd_read.file_descriptor = fd; /* fd_write has the same layout */
  __wasi_event_t ev;
  __wasi_size_t n = 0;
  int e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
  return e ? e : (n == 1 ? ev.error : -1);
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  viv_addr to = arg_addr(argv[1], argv[2]);
  __wasi_fd_t fd;
  EXPECT_ERRNO("open", viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, &fd), 0);
  EXPECT_ERRNO("nonblock", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK), 0);
  __wasi_fdstat_t st;
  CHECK(__wasi_fd_fdstat_get(fd, &st) == 0 && (st.fs_flags & __WASI_FDFLAGS_NONBLOCK));
  int e = viv_sock_connect(fd, &to);
  CHECK(e == 0 || e == __WASI_ERRNO_INPROGRESS);
  printf("connect: %s\n", e == 0 || e == __WASI_ERRNO_INPROGRESS ? "started" : "failed");
  EXPECT_ERRNO("poll write", wait_for(fd, __WASI_EVENTTYPE_FD_WRITE), 0);
  viv_addr peer;
  EXPECT_ERRNO("connected", viv_sock_addr_remote(fd, &peer), 0);

  char buf[256];
  __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  __wasi_roflags_t fl;
  EXPECT_ERRNO("recv nothing yet", __wasi_sock_recv(fd, &in, 1, 0, &n, &fl), __WASI_ERRNO_AGAIN);

  __wasi_ciovec_t out = {(const uint8_t *)argv[3], strlen(argv[3])};
  __wasi_size_t sent;
  EXPECT_ERRNO("send", __wasi_sock_send(fd, &out, 1, 0, &sent), 0);
  EXPECT_ERRNO("shutdown", __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR), 0);
  size_t got = 0;
  for (;;) {
    if (wait_for(fd, __WASI_EVENTTYPE_FD_READ) != 0) break;
    __wasi_iovec_t more = {(uint8_t *)buf + got, sizeof buf - 1 - got};
    int r = __wasi_sock_recv(fd, &more, 1, 0, &n, &fl);
    if (r == __WASI_ERRNO_AGAIN) continue;
    if (r != 0 || n == 0) break;
    got += n;
  }
  buf[got] = 0;
  printf("reply: %s\n", buf);
  return failures ? 1 : 0;
}
