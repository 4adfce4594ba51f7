/* TCP echo server, one C program built twice: natively (POSIX sockets) and
 * for wasm32-wasi (wasi-libc + sdk/c/wasi_socket.h), so bench/sockets/run
 * can time the same loop on both sides.
 *   sock_echo PORT: listen on 127.0.0.1:PORT, print "listening", accept one
 *   connection, echo everything it sends until it closes, exit 0.
 * Only the listening socket differs; the echo loop is read()/write() in both. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>

#ifdef __wasi__
#include "wasi_socket.h"
static int listen_on(unsigned port) {
  __wasi_fd_t fd;
  viv_addr addr = viv_ipv4(127, 0, 0, 1, (uint16_t)port);
  int e = viv_sock_open(3, VIV_INET4, VIV_SOCK_STREAM, &fd);
  if (e == 0) e = viv_sock_bind(fd, &addr);
  if (e == 0) e = viv_sock_listen(fd, 4);
  if (e != 0) {
    fprintf(stderr, "sock_echo: listen on 127.0.0.1:%u: errno %d\n", port, e);
    return -1;
  }
  return (int)fd;
}
#else
#include <arpa/inet.h>
#include <netinet/in.h>
static int listen_on(unsigned port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int on = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 4) != 0) {
    perror("sock_echo: listen");
    return -1;
  }
  return fd;
}
#endif

static char buf[256 * 1024];

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: sock_echo PORT\n");
    return 2;
  }
  int lfd = listen_on((unsigned)atoi(argv[1]));
  if (lfd < 0) return 1;
  printf("listening\n");
  fflush(stdout);
  int c = accept(lfd, NULL, NULL);
  if (c < 0) {
    perror("sock_echo: accept");
    return 1;
  }
  for (;;) {
    ssize_t n = read(c, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("sock_echo: read");
      return 1;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(c, buf + off, (size_t)(n - off));
      if (w < 0) {
        if (errno == EINTR) continue;
        perror("sock_echo: write");
        return 1;
      }
      off += w;
    }
  }
  close(c);
  close(lfd);
  return 0;
}
