/* WAMR lib-socket name resolution: sock_addr_resolve(NAME, PORT) and print
 * every address. Usage: sock_resolve NAME [PORT]. Prints "resolve: ERRNO". */
#include <stdio.h>

#include "check.h"
#include "wasi_socket.h"

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  viv_addr_info info[8];
  uint32_t total = 0;
  viv_addr_hints hints = {VIV_SOCK_STREAM, VIV_INET4, 0};
  int e = viv_sock_addr_resolve(argv[1], argc > 2 ? argv[2] : "", &hints, info, 8, &total);
  printf("resolve: %d\n", e);
  if (e != 0) return 1;
  for (uint32_t i = 0; i < total && i < 8; ++i) {
    const viv_addr *a = &info[i].addr;
    if (a->kind == VIV_INET4)
      printf("address: %u.%u.%u.%u port %u\n", a->addr.ip4.n[0], a->addr.ip4.n[1], a->addr.ip4.n[2],
             a->addr.ip4.n[3], a->addr.ip4.port);
    else
      printf("address: ipv6 %x:...:%x port %u\n", a->addr.ip6.g[0], a->addr.ip6.g[7], a->addr.ip6.port);
  }
  return 0;
}
