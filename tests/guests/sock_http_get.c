/* An HTTP/1.1 GET client over WAMR's socket ABI: resolve HOST with
 * sock_addr_resolve, connect to the first address, send the request, print
 * the status line and the body. Usage: sock_http_get HOST PORT PATH. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "sock_guest.h"

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  viv_addr_info info[4];
  uint32_t total = 0;
  viv_addr_hints hints = {VIV_SOCK_STREAM, VIV_INET4, 1};
  int e = viv_sock_addr_resolve(argv[1], argv[2], &hints, info, 4, &total);
  printf("resolve: %d\n", e);
  if (e != 0 || total == 0) return 1;
  __wasi_fd_t fd;
  EXPECT_ERRNO("open", viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, &fd), 0);
  e = viv_sock_connect(fd, &info[0].addr);
  printf("connect: %d\n", e);
  if (e != 0) return 1;
  char req[512];
  int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", argv[3], argv[1]);
  __wasi_ciovec_t out = {(const uint8_t *)req, (size_t)len};
  __wasi_size_t sent = 0;
  EXPECT_ERRNO("send", __wasi_sock_send(fd, &out, 1, 0, &sent), 0);
  static char resp[65536];
  recv_all(fd, resp, sizeof resp);
  char *eol = strstr(resp, "\r\n");
  if (eol) *eol = 0;
  printf("status: %s\n", resp);
  char *body = eol ? strstr(eol + 2, "\r\n\r\n") : NULL;
  printf("body: %s\n", body ? body + 4 : "");
  EXPECT_ERRNO("close", __wasi_fd_close(fd), 0);
  return failures ? 1 : 0;
}
