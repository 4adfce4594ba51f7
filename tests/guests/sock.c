/* The socket calls on a listening socket handed in with --listen (fd 3,
 * no --dir): accept one connection, echo what arrives back with a "pong:"
 * prefix, shut down, and check the error paths. */
#include "check.h"

#define LISTENER 3

int main(void) {
  __wasi_fdstat_t st;
  EXPECT_OK(__wasi_fd_fdstat_get(LISTENER, &st));
  CHECK(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
  CHECK(st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT);
  __wasi_prestat_t ps;
  EXPECT_ERRNO("prestat of the socket", __wasi_fd_prestat_get(LISTENER, &ps), __WASI_ERRNO_BADF);

  __wasi_fd_t conn = 0;
  EXPECT_ERRNO("accept with bad flags", __wasi_sock_accept(LISTENER, __WASI_FDFLAGS_APPEND, &conn), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("accept on stdout", __wasi_sock_accept(1, 0, &conn), __WASI_ERRNO_NOTSOCK);
  EXPECT_ERRNO("accept on unknown fd", __wasi_sock_accept(99, 0, &conn), __WASI_ERRNO_BADF);

  /* Wait until a client is there, then take it. */
  __wasi_subscription_t sub;
  memset(&sub, 0, sizeof sub);
  sub.userdata = 5;
  sub.u.tag = __WASI_EVENTTYPE_FD_READ;
  sub.u.u.fd_read.file_descriptor = LISTENER;
  __wasi_event_t ev;
  __wasi_size_t n;
  EXPECT_OK(__wasi_poll_oneoff(&sub, &ev, 1, &n));
  CHECK(n == 1 && ev.userdata == 5 && ev.error == 0);
  EXPECT_OK(__wasi_sock_accept(LISTENER, 0, &conn));
  printf("accepted\n");
  fflush(stdout);

  char buf[64] = {0};
  /* Exactly the 4 bytes the client sends: WAITALL waits for the whole buffer. */
  __wasi_iovec_t iov = {(uint8_t*)buf + 5, 4};
  __wasi_size_t got = 0;
  __wasi_roflags_t roflags = 0xff;
  /* Peek first: the data stays for the real read. */
  EXPECT_OK(__wasi_sock_recv(conn, &iov, 1, __WASI_RIFLAGS_RECV_PEEK | __WASI_RIFLAGS_RECV_WAITALL, &got, &roflags));
  CHECK(got == 4 && roflags == 0);
  EXPECT_OK(__wasi_sock_recv(conn, &iov, 1, 0, &got, &roflags));
  CHECK(got == 4);
  printf("received: %.*s\n", (int)got, buf + 5);
  memcpy(buf, "pong:", 5);
  __wasi_ciovec_t out = {(const uint8_t*)buf, 5 + got};
  __wasi_size_t sent = 0;
  EXPECT_OK(__wasi_sock_send(conn, &out, 1, 0, &sent));
  CHECK(sent == 5 + got);
  EXPECT_ERRNO("recv with unknown flags", __wasi_sock_recv(conn, &iov, 1, 8, &got, &roflags), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("shutdown with no direction", __wasi_sock_shutdown(conn, 0), __WASI_ERRNO_INVAL);
  __wasi_fd_t other;
  EXPECT_ERRNO("accept on a connection", __wasi_sock_accept(conn, 0, &other), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_OK(__wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR));
  EXPECT_ERRNO("send after shutdown", __wasi_sock_send(conn, &out, 1, 0, &sent), __WASI_ERRNO_PIPE);
  EXPECT_ERRNO("recv on stdout", __wasi_sock_recv(1, &iov, 1, 0, &got, &roflags), __WASI_ERRNO_NOTSOCK);
  EXPECT_ERRNO("send on unknown fd", __wasi_sock_send(77, &out, 1, 0, &sent), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("shutdown on stdout", __wasi_sock_shutdown(1, __WASI_SDFLAGS_RD), __WASI_ERRNO_NOTSOCK);
  EXPECT_OK(__wasi_fd_close(conn));
  return finish();
}
