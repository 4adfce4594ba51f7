/* TCP helpers for WASI guests run by `vivarium run` (not `vivarium serve`,
 * whose guests reach the network through the hostcalls): connect by name or
 * address, send everything, read to the end, and a one-shot HTTP/1.0 GET.
 * They use WAMR lib-socket's imports (wasi_socket.h), so the command line
 * must grant the network: `vivarium run --allow-connect HOST[:PORT]`
 * (and `--allow-dns NAME` for names). Every call returns a WASI errno
 * (0 = success; 2, EACCES, when the policy refuses: WAMR's calls).
 * Link src/socket.c. */
#ifndef VIVARIUM_SDK_VIVARIUM_SOCKET_H
#define VIVARIUM_SDK_VIVARIUM_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#include "wasi_socket.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes read from a socket, malloc'd and NUL-terminated; free(ptr). */
typedef struct {
  char* ptr;
  size_t len;
} viv_sock_buf;

/* host: a dotted IPv4 address or a name (resolved by the host). */
int32_t viv_tcp_connect(const char* host, uint16_t port, __wasi_fd_t* fd);
int32_t viv_tcp_send_all(__wasi_fd_t fd, const void* data, size_t len);
/* Reads until the peer closes (or max bytes; 0: no limit). */
int32_t viv_tcp_read_all(__wasi_fd_t fd, viv_sock_buf* out, size_t max);
/* GET http://host:port/path with HTTP/1.0; *out holds the whole response
 * (status line, headers and body). */
int32_t viv_http_get(const char* host, uint16_t port, const char* path, viv_sock_buf* out);

#ifdef __cplusplus
}
#endif
#endif /* VIVARIUM_SDK_VIVARIUM_SOCKET_H */
