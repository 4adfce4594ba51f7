/* vivarium_socket.h from a WASI command: http_get HOST PORT PATH prints the
 * whole HTTP response, or "errno N" and exits 1. */
#include <stdio.h>
#include <stdlib.h>

#include "vivarium_socket.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: http_get HOST PORT PATH\n");
    return 2;
  }
  viv_sock_buf response = {0, 0};
  int32_t e = viv_http_get(argv[1], (uint16_t)atoi(argv[2]), argv[3], &response);
  if (e) {
    printf("errno %d\n", e);
    return 1;
  }
  fwrite(response.ptr, 1, response.len, stdout);
  free(response.ptr);
  return 0;
}
