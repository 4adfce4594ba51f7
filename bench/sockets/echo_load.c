/* The load side of bench/sockets: a native client that streams TOTAL bytes
 * to an echo server in CHUNK-byte writes (one thread) while another thread
 * reads the echo back, and prints the echoed bytes per second.
 *   sock_echo_load PORT TOTAL_MB CHUNK_BYTES
 * Prints "bytes N seconds S MB/s R" (MB = 10^6 bytes; every byte crosses the
 * server twice, in and out, and counts once). Exit 1 if the echo is short. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct writer {
  int fd;
  long long total;
  size_t chunk;
};

static void *write_all(void *arg) {
  struct writer *w = arg;
  char *buf = malloc(w->chunk);
  memset(buf, 'x', w->chunk);
  for (long long sent = 0; sent < w->total;) {
    size_t n = w->total - sent < (long long)w->chunk ? (size_t)(w->total - sent) : w->chunk;
    ssize_t k = write(w->fd, buf, n);
    if (k <= 0) {
      perror("sock_echo_load: write");
      break;
    }
    sent += k;
  }
  shutdown(w->fd, SHUT_WR);
  free(buf);
  return NULL;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: sock_echo_load PORT TOTAL_MB CHUNK_BYTES\n");
    return 2;
  }
  struct writer w = {socket(AF_INET, SOCK_STREAM, 0), atoll(argv[2]) * 1000000LL, (size_t)atol(argv[3])};
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)atoi(argv[1]));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (w.fd < 0 || w.chunk == 0 || connect(w.fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    perror("sock_echo_load: connect");
    return 1;
  }
  double start = now();
  pthread_t t;
  pthread_create(&t, NULL, write_all, &w);
  static char buf[256 * 1024];
  long long got = 0;
  for (ssize_t n; (n = read(w.fd, buf, sizeof buf)) > 0;) got += n;
  double secs = now() - start;
  pthread_join(t, NULL);
  close(w.fd);
  printf("bytes %lld seconds %.3f MB/s %.1f\n", got, secs, got / secs / 1e6);
  return got == w.total ? 0 : 1;
}
