/* The rest of WasmEdge's socket ABI on loopback, one call after another:
 * UDP to itself with sock_send_to/sock_recv_from (v1: raw address buffer)
 * and their v2 forms (port apart), a TCP listener and a connection to it
 * with the _v2 names (open, bind, listen, connect, accept, send, recv),
 * poll_oneoff on the accepted fd, sock_getlocaladdr v1 and v2, socket
 * options, and sock_getaddrinfo. Usage: sock_wasmedge_full NAME (the name
 * to resolve). Prints "LABEL: ERRNO" for each call; exit 1 on a failed check. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "sock_guest.h"

static uint8_t lo4[4] = {127, 0, 0, 1};

static void udp(void) {
  viv_we_addr any = {lo4, 4};
  __wasi_fd_t u;
  EXPECT_ERRNO("udp open", viv_we_sock_open(VIV_WE_INET4, VIV_WE_DGRAM, &u), 0);
  int e = viv_we_sock_bind(u, &any, 0);
  printf("udp bind: %d\n", e);
  if (e != 0) {
    failures++;  /* refused: nothing more to try on this socket */
    EXPECT_ERRNO("udp close", __wasi_fd_close(u), 0);
    return;
  }
  uint8_t local[4];
  viv_we_addr la = {local, 4};
  uint32_t kind = 0, port = 0;
  EXPECT_ERRNO("getlocaladdr v1", viv_we_sock_getlocaladdr(u, &la, &kind, &port), 0);
  CHECK(kind == 4 && local[0] == 127 && port != 0);
  const char *msg = "dgram";
  __wasi_ciovec_t out = {(const uint8_t *)msg, 5};
  uint32_t sent = 0;
  EXPECT_ERRNO("send_to v1", viv_we_sock_send_to(u, &out, 1, &la, port, 0, &sent), 0);
  CHECK(sent == 5);
  char buf[32] = {0};
  __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf - 1};
  uint8_t from[4] = {0};
  viv_we_addr fa = {from, 4};
  uint32_t got = 0;
  uint16_t fl = 9;
  EXPECT_ERRNO("recv_from v1", viv_we_sock_recv_from(u, &in, 1, &fa, 0, &got, &fl), 0);
  CHECK(got == 5 && strcmp(buf, "dgram") == 0 && from[0] == 127 && fl == 0);
  EXPECT_ERRNO("send_to v2", viv_we_sock_send_to_v2(u, &out, 1, &la, port, 0, &sent), 0);
  uint8_t from128[128] = {0};
  viv_we_addr f128 = {from128, 128};
  uint16_t from_port = 0;
  EXPECT_ERRNO("recv_from v2", viv_we_sock_recv_from_v2(u, &in, 1, &f128, 0, &from_port, &got, &fl), 0);
  CHECK(got == 5 && from128[0] == VIV_WE_INET4 && from128[2] == 127 && from_port == port);
  EXPECT_ERRNO("send_to bad length", viv_we_sock_send_to(u, &out, 1, &(viv_we_addr){lo4, 3}, port, 0, &sent),
               __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("send_to wild", viv_we_sock_send_to(u, &out, 1, (viv_we_addr *)0xfffffff0u, port, 0, &sent),
               __WASI_ERRNO_FAULT);
  EXPECT_ERRNO("udp close", __wasi_fd_close(u), 0);
}

static void tcp(void) {
  uint8_t st[128] = {VIV_WE_INET4, 0, 127, 0, 0, 1};
  viv_we_addr a = {st, 128};
  __wasi_fd_t l, c, s;
  EXPECT_ERRNO("open v2", viv_we_sock_open_v2(VIV_WE_INET4, VIV_WE_STREAM, &l), 0);
  int one = 1;
  EXPECT_ERRNO("setsockopt reuseaddr", viv_we_sock_setsockopt(l, 0, 0, &one, sizeof one), 0);
  int v = 0;
  uint32_t size = sizeof v;
  EXPECT_ERRNO("getsockopt reuseaddr", viv_we_sock_getsockopt(l, 0, 0, &v, &size), 0);
  CHECK(v == 1 && size == sizeof v);
  EXPECT_ERRNO("getsockopt type", viv_we_sock_getsockopt(l, 0, 1, &v, &size), 0);
  CHECK(v == VIV_WE_STREAM);
  struct { long long sec, usec; } tv = {2, 500000}, tv2 = {0, 0};
  EXPECT_ERRNO("setsockopt rcvtimeo", viv_we_sock_setsockopt(l, 0, 11, &tv, sizeof tv), 0);
  size = sizeof tv2;
  EXPECT_ERRNO("getsockopt rcvtimeo", viv_we_sock_getsockopt(l, 0, 11, &tv2, &size), 0);
  CHECK(tv2.sec == 2 && tv2.usec == 500000);
  EXPECT_ERRNO("setsockopt bindtodevice", viv_we_sock_setsockopt(l, 0, 14, "lo", 3), __WASI_ERRNO_NOTSUP);
  EXPECT_ERRNO("setsockopt bad level", viv_we_sock_setsockopt(l, 6, 0, &one, sizeof one), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("setsockopt bad name", viv_we_sock_setsockopt(l, 0, 99, &one, sizeof one), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO("getsockopt wild", viv_we_sock_getsockopt(l, 0, 0, (void *)0xfffffffcu, &size), __WASI_ERRNO_FAULT);
  int e = viv_we_sock_bind_v2(l, &a, 0);
  printf("bind v2: %d\n", e);
  if (e != 0) {
    failures++;
    EXPECT_ERRNO("close listener", __wasi_fd_close(l), 0);
    return;
  }
  EXPECT_ERRNO("listen v2", viv_we_sock_listen_v2(l, 4), 0);
  uint32_t port = 0;
  EXPECT_ERRNO("getlocaladdr v2", viv_we_sock_getlocaladdr_v2(l, &a, &port), 0);
  EXPECT_ERRNO("client open", viv_we_sock_open_v2(VIV_WE_INET4, VIV_WE_STREAM, &c), 0);
  EXPECT_ERRNO("connect v2", viv_we_sock_connect_v2(c, &a, port), 0);
  EXPECT_ERRNO("accept v2", viv_we_sock_accept_v2(l, 0, &s), 0);
  EXPECT_ERRNO("getsockopt error", viv_we_sock_getsockopt(s, 0, 2, &v, &size), 0);
  CHECK(v == 0);
  __wasi_ciovec_t out = {(const uint8_t *)"stream", 6};
  uint32_t sent = 0;
  EXPECT_ERRNO("send v2", viv_we_sock_send_v2(c, &out, 1, 0, &sent), 0);
  __wasi_subscription_t sub = {0};
  sub.u.tag = __WASI_EVENTTYPE_FD_READ;
  sub.u.u.fd_read.file_descriptor = s;
  __wasi_event_t ev;
  __wasi_size_t nev = 0;
  EXPECT_ERRNO("poll accepted", __wasi_poll_oneoff(&sub, &ev, 1, &nev), 0);
  CHECK(nev == 1 && ev.error == 0 && ev.fd_readwrite.nbytes == 6);
  char buf[16] = {0};
  __wasi_iovec_t in = {(uint8_t *)buf, sizeof buf - 1};
  uint32_t got = 0;
  uint16_t fl;
  EXPECT_ERRNO("recv v2", viv_we_sock_recv_v2(s, &in, 1, 0, &got, &fl), 0);
  CHECK(got == 6 && strcmp(buf, "stream") == 0);
  uint8_t peer[16];
  viv_we_addr pa = {peer, 16};
  uint32_t kind = 0, pport = 0;
  EXPECT_ERRNO("getpeeraddr v1", viv_we_sock_getpeeraddr(s, &pa, &kind, &pport), 0);
  CHECK(kind == 4 && peer[0] == 127 && pport != 0);
  EXPECT_ERRNO("shutdown", __wasi_sock_shutdown(c, __WASI_SDFLAGS_WR), 0);
  EXPECT_ERRNO("recv eof", viv_we_sock_recv_v2(s, &in, 1, 0, &got, &fl), 0);
  CHECK(got == 0);
  EXPECT_ERRNO("close accepted", __wasi_fd_close(s), 0);
  EXPECT_ERRNO("close accepted again", __wasi_fd_close(s), __WASI_ERRNO_BADF);
  EXPECT_ERRNO("close client", __wasi_fd_close(c), 0);
  EXPECT_ERRNO("close listener", __wasi_fd_close(l), 0);
}

static void resolve(const char *name) {
  viv_we_addrinfo hints = {0}, res[2] = {{0}};
  viv_we_sockaddr sa[2];
  uint8_t data[2][26];
  for (int i = 0; i < 2; ++i) {
    sa[i].sa_data = data[i];
    sa[i].sa_data_len = sizeof data[i];
    res[i].ai_addr = &sa[i];
    res[i].ai_next = i == 0 ? &res[1] : NULL;
  }
  hints.ai_family = VIV_WE_INET4;
  hints.ai_socktype = VIV_WE_STREAM;
  viv_we_addrinfo *first = res;
  uint32_t n = 0;
  int e = viv_we_sock_getaddrinfo(name, strlen(name), "8080", 4, &hints, &first, 2, &n);
  printf("getaddrinfo: %d\n", e);
  if (e != 0) return;
  CHECK(n >= 1 && res[0].ai_family == VIV_WE_INET4 && res[0].ai_socktype == VIV_WE_STREAM);
  CHECK(sa[0].sa_family == VIV_WE_INET4 && sa[0].sa_data_len == 14);
  printf("address: %u.%u.%u.%u port %u\n", data[0][2], data[0][3], data[0][4], data[0][5],
         (unsigned)(data[0][0] << 8 | data[0][1]));
  EXPECT_ERRNO("getaddrinfo bad service", viv_we_sock_getaddrinfo(name, strlen(name), "http", 4, &hints, &first, 2, &n),
               85);
  EXPECT_ERRNO("getaddrinfo no room", viv_we_sock_getaddrinfo(name, strlen(name), "", 0, &hints, &first, 0, &n), 82);
  EXPECT_ERRNO("getaddrinfo wild", viv_we_sock_getaddrinfo((const char *)0xfffffff0u, 64, "", 0, &hints, &first, 2, &n),
               __WASI_ERRNO_FAULT);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  udp();
  tcp();
  resolve(argv[1]);
  return failures ? 1 : 0;
}
