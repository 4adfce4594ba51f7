/* Sockets for WASI guests under Vivarium: the seed proposal's
 * sock_connect(ipv4, port, fd_out) and WAMR lib-socket's extension (the same
 * import names and struct layouts as WAMR's wasi_socket_ext.h, so programs
 * written against either run unchanged). Everything is imported from
 * wasi_snapshot_preview1; sock_send/sock_recv/sock_shutdown/sock_accept are
 * wasi-libc's own (<wasi/api.h>).
 *
 * `sock_connect` means three different calls: a program uses the seed's
 * viv_sock_connect_ipv4, WAMR's viv_sock_connect or WasmEdge's
 * viv_we_sock_connect, and Vivarium picks the meaning from the imports'
 * types (or `vivarium run --socket-abi seed|wamr|wasmedge`).
 *
 * Every call returns a WASI errno. A network refused by the policy
 * (`vivarium run --allow-connect/--allow-bind/--allow-dns`) is what the
 * module's ABI says: __WASI_ERRNO_ACCES (2) for WAMR's calls, as iwasm
 * answers outside its --addr-pool; __WASI_ERRNO_NOTCAPABLE (76) for the
 * seed's and WasmEdge's. */
#ifndef VIVARIUM_WASI_SOCKET_H
#define VIVARIUM_WASI_SOCKET_H
#include <stdint.h>
#include <wasi/api.h>

#define VIV_IMPORT(name) __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__(name)))

/* ---- the seed: one TCP connection to an IPv4 address ---------------------
 * ipv4: first octet most significant (127.0.0.1 is 0x7F000001). */
int32_t viv_sock_connect_ipv4(uint32_t ipv4, uint32_t port, __wasi_fd_t *fd_out) VIV_IMPORT("sock_connect");

/* ---- WAMR lib-socket ------------------------------------------------------ */
enum { VIV_SOCK_DGRAM = 0, VIV_SOCK_STREAM = 1 };
enum { VIV_INET4 = 0, VIV_INET6 = 1 };

/* __wasi_addr_t: 24 bytes on wasm32. IPv4 octets n0.n1.n2.n3; IPv6 eight
 * 16-bit groups, most significant first; ports in host byte order. */
typedef struct viv_addr {
  uint32_t kind; /* VIV_INET4 or VIV_INET6 */
  union {
    struct { uint8_t n[4]; uint16_t port; } ip4;
    struct { uint16_t g[8]; uint16_t port; } ip6;
  } addr;
} viv_addr;
typedef struct viv_addr_info {
  viv_addr addr;
  uint32_t type; /* VIV_SOCK_DGRAM or VIV_SOCK_STREAM */
} viv_addr_info;
typedef struct viv_addr_hints {
  uint32_t type;
  uint32_t family;
  uint8_t hints_enabled;
} viv_addr_hints;
/* __wasi_addr_ip_t: an address without a port (multicast groups), 20 bytes. */
typedef struct viv_addr_ip {
  uint32_t kind; /* VIV_INET4 or VIV_INET6 */
  union {
    uint8_t n[4];
    uint16_t g[8];
  } addr;
} viv_addr_ip;

_Static_assert(sizeof(viv_addr) == 24, "viv_addr is WAMR's __wasi_addr_t");
_Static_assert(sizeof(viv_addr_info) == 28, "viv_addr_info is WAMR's __wasi_addr_info_t");
_Static_assert(sizeof(viv_addr_ip) == 20, "viv_addr_ip is WAMR's __wasi_addr_ip_t");

int32_t viv_sock_open(__wasi_fd_t poolfd, uint32_t af, uint32_t socktype, __wasi_fd_t *fd_out) VIV_IMPORT("sock_open");
int32_t viv_sock_bind(__wasi_fd_t fd, const viv_addr *addr) VIV_IMPORT("sock_bind");
int32_t viv_sock_listen(__wasi_fd_t fd, uint32_t backlog) VIV_IMPORT("sock_listen");
int32_t viv_sock_connect(__wasi_fd_t fd, const viv_addr *addr) VIV_IMPORT("sock_connect");
int32_t viv_sock_addr_local(__wasi_fd_t fd, viv_addr *out) VIV_IMPORT("sock_addr_local");
int32_t viv_sock_addr_remote(__wasi_fd_t fd, viv_addr *out) VIV_IMPORT("sock_addr_remote");
int32_t viv_sock_addr_resolve(const char *host, const char *service, const viv_addr_hints *hints, viv_addr_info *out,
                              uint32_t out_count, uint32_t *total) VIV_IMPORT("sock_addr_resolve");
int32_t viv_sock_send_to(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, uint32_t n, uint32_t flags, const viv_addr *to,
                         uint32_t *sent) VIV_IMPORT("sock_send_to");
int32_t viv_sock_recv_from(__wasi_fd_t fd, const __wasi_iovec_t *iovs, uint32_t n, uint32_t flags, viv_addr *from,
                           uint32_t *received) VIV_IMPORT("sock_recv_from");
int32_t viv_sock_close(__wasi_fd_t fd) VIV_IMPORT("sock_close");
int32_t viv_sock_set_reuse_addr(__wasi_fd_t fd, uint32_t on) VIV_IMPORT("sock_set_reuse_addr");
int32_t viv_sock_get_reuse_addr(__wasi_fd_t fd, uint8_t *on) VIV_IMPORT("sock_get_reuse_addr");
int32_t viv_sock_set_tcp_no_delay(__wasi_fd_t fd, uint32_t on) VIV_IMPORT("sock_set_tcp_no_delay");
int32_t viv_sock_get_tcp_no_delay(__wasi_fd_t fd, uint8_t *on) VIV_IMPORT("sock_get_tcp_no_delay");
int32_t viv_sock_set_send_buf_size(__wasi_fd_t fd, uint32_t size) VIV_IMPORT("sock_set_send_buf_size");
int32_t viv_sock_get_send_buf_size(__wasi_fd_t fd, uint32_t *size) VIV_IMPORT("sock_get_send_buf_size");
int32_t viv_sock_set_recv_timeout(__wasi_fd_t fd, uint64_t us) VIV_IMPORT("sock_set_recv_timeout");
int32_t viv_sock_get_recv_timeout(__wasi_fd_t fd, uint64_t *us) VIV_IMPORT("sock_get_recv_timeout");
int32_t viv_sock_set_send_timeout(__wasi_fd_t fd, uint64_t us) VIV_IMPORT("sock_set_send_timeout");
int32_t viv_sock_get_send_timeout(__wasi_fd_t fd, uint64_t *us) VIV_IMPORT("sock_get_send_timeout");
int32_t viv_sock_set_linger(__wasi_fd_t fd, uint32_t is_enabled, int32_t linger_s) VIV_IMPORT("sock_set_linger");
int32_t viv_sock_get_linger(__wasi_fd_t fd, uint8_t *is_enabled, int32_t *linger_s) VIV_IMPORT("sock_get_linger");
/* Multicast. Joining or leaving a group needs `--allow-bind GROUP`; the
 * interface is an IPv4 address as a network-order u32 (0: any), or an IPv6
 * interface index. ipv6 picks IP_MULTICAST_LOOP or IPV6_MULTICAST_LOOP. */
int32_t viv_sock_set_ip_add_membership(__wasi_fd_t fd, const viv_addr_ip *group, uint32_t iface)
    VIV_IMPORT("sock_set_ip_add_membership");
int32_t viv_sock_set_ip_drop_membership(__wasi_fd_t fd, const viv_addr_ip *group, uint32_t iface)
    VIV_IMPORT("sock_set_ip_drop_membership");
int32_t viv_sock_set_ip_multicast_loop(__wasi_fd_t fd, uint32_t ipv6, uint32_t on) VIV_IMPORT("sock_set_ip_multicast_loop");
int32_t viv_sock_get_ip_multicast_loop(__wasi_fd_t fd, uint32_t ipv6, uint8_t *on) VIV_IMPORT("sock_get_ip_multicast_loop");
int32_t viv_sock_set_ip_multicast_ttl(__wasi_fd_t fd, uint32_t ttl) VIV_IMPORT("sock_set_ip_multicast_ttl");
int32_t viv_sock_get_ip_multicast_ttl(__wasi_fd_t fd, uint8_t *ttl) VIV_IMPORT("sock_get_ip_multicast_ttl");

/* ---- WasmEdge (wasmedge_wasi_socket) -----------------------------------
 * Its sock_open/sock_bind/sock_connect/sock_recv_from/sock_send_to take other
 * arguments than WAMR's: a program uses one family or the other. The `_v2`
 * names (and getlocaladdr/getpeeraddr, getsockopt/setsockopt, getaddrinfo)
 * collide with nothing. Addresses are {buf, len}: a 128-byte buf with a u16
 * family (1 IPv4, 2 IPv6) then the address bytes at 2, or the 4 or 16
 * address bytes alone; ports apart, as numbers. Recv and send are
 * preview1's (sock_recv_v2/sock_send_v2 are the same calls). */
enum { VIV_WE_INET4 = 1, VIV_WE_INET6 = 2, VIV_WE_DGRAM = 1, VIV_WE_STREAM = 2 };
typedef struct viv_we_addr {
  uint8_t *buf;
  uint32_t len;
} viv_we_addr;
int32_t viv_we_sock_open(uint32_t family, uint32_t type, __wasi_fd_t *fd_out) VIV_IMPORT("sock_open");
int32_t viv_we_sock_bind(__wasi_fd_t fd, const viv_we_addr *addr, uint32_t port) VIV_IMPORT("sock_bind");
int32_t viv_we_sock_connect(__wasi_fd_t fd, const viv_we_addr *addr, uint32_t port) VIV_IMPORT("sock_connect");
/* v1: 4- or 16-byte buf; *kind is 4 or 6. v2: 128-byte buf. */
int32_t viv_we_sock_getlocaladdr(__wasi_fd_t fd, viv_we_addr *addr, uint32_t *kind, uint32_t *port)
    VIV_IMPORT("sock_getlocaladdr");
int32_t viv_we_sock_getpeeraddr(__wasi_fd_t fd, viv_we_addr *addr, uint32_t *kind, uint32_t *port)
    VIV_IMPORT("sock_getpeeraddr");
int32_t viv_we_sock_getlocaladdr_v2(__wasi_fd_t fd, viv_we_addr *addr, uint32_t *port) VIV_IMPORT("sock_getlocaladdr_v2");
int32_t viv_we_sock_getpeeraddr_v2(__wasi_fd_t fd, viv_we_addr *addr, uint32_t *port) VIV_IMPORT("sock_getpeeraddr_v2");
int32_t viv_we_sock_recv_from(__wasi_fd_t fd, const __wasi_iovec_t *iovs, uint32_t n, viv_we_addr *from,
                              uint32_t ri_flags, uint32_t *received, uint16_t *ro_flags) VIV_IMPORT("sock_recv_from");
int32_t viv_we_sock_send_to(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, uint32_t n, const viv_we_addr *to,
                            uint32_t port, uint32_t si_flags, uint32_t *sent) VIV_IMPORT("sock_send_to");
int32_t viv_we_sock_open_v2(uint32_t family, uint32_t type, __wasi_fd_t *fd_out) VIV_IMPORT("sock_open_v2");
int32_t viv_we_sock_bind_v2(__wasi_fd_t fd, const viv_we_addr *addr, uint32_t port) VIV_IMPORT("sock_bind_v2");
int32_t viv_we_sock_listen_v2(__wasi_fd_t fd, uint32_t backlog) VIV_IMPORT("sock_listen_v2");
int32_t viv_we_sock_connect_v2(__wasi_fd_t fd, const viv_we_addr *addr, uint32_t port) VIV_IMPORT("sock_connect_v2");
int32_t viv_we_sock_accept_v2(__wasi_fd_t fd, uint32_t flags, __wasi_fd_t *fd_out) VIV_IMPORT("sock_accept_v2");
int32_t viv_we_sock_recv_v2(__wasi_fd_t fd, const __wasi_iovec_t *iovs, uint32_t n, uint32_t ri_flags,
                            uint32_t *received, uint16_t *ro_flags) VIV_IMPORT("sock_recv_v2");
int32_t viv_we_sock_send_v2(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, uint32_t n, uint32_t si_flags,
                            uint32_t *sent) VIV_IMPORT("sock_send_v2");
int32_t viv_we_sock_recv_from_v2(__wasi_fd_t fd, const __wasi_iovec_t *iovs, uint32_t n, viv_we_addr *from,
                                 uint32_t ri_flags, uint16_t *port, uint32_t *received, uint16_t *ro_flags)
    VIV_IMPORT("sock_recv_from_v2");
int32_t viv_we_sock_send_to_v2(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, uint32_t n, const viv_we_addr *to,
                               uint32_t port, uint32_t si_flags, uint32_t *sent) VIV_IMPORT("sock_send_to_v2");
/* Level 0 (SOL_SOCKET); names: REUSEADDR 0, TYPE 1, ERROR 2, DONTROUTE 3,
 * BROADCAST 4, SNDBUF 5, RCVBUF 6, KEEPALIVE 7, OOBINLINE 8, LINGER 9,
 * RCVLOWAT 10, RCVTIMEO 11, SNDTIMEO 12, ACCEPTCONN 13. *size: in, capacity;
 * out, the option's length. */
int32_t viv_we_sock_setsockopt(__wasi_fd_t fd, uint32_t level, uint32_t name, const void *value, uint32_t size)
    VIV_IMPORT("sock_setsockopt");
int32_t viv_we_sock_getsockopt(__wasi_fd_t fd, uint32_t level, uint32_t name, void *value, uint32_t *size)
    VIV_IMPORT("sock_getsockopt");
/* __wasi_addrinfo_t (28 bytes) and __wasi_sockaddr_t (12 bytes): the guest
 * allocates a chain (ai_next) with ai_addr and sa_data buffers; up to max are
 * filled. sa_data: the port (network order), then the rest of sockaddr_in/_in6. */
typedef struct viv_we_sockaddr {
  uint8_t sa_family; /* VIV_WE_INET4 or VIV_WE_INET6 */
  uint32_t sa_data_len;
  uint8_t *sa_data;
} viv_we_sockaddr;
typedef struct viv_we_addrinfo {
  uint16_t ai_flags;
  uint8_t ai_family;
  uint8_t ai_socktype; /* 0 any, 1 datagram, 2 stream */
  uint8_t ai_protocol; /* 0 IP, 1 TCP, 2 UDP */
  uint32_t ai_addrlen;
  viv_we_sockaddr *ai_addr;
  char *ai_canonname;
  uint32_t ai_canonname_len;
  struct viv_we_addrinfo *ai_next;
} viv_we_addrinfo;
_Static_assert(sizeof(viv_we_addrinfo) == 28, "viv_we_addrinfo is WasmEdge's __wasi_addrinfo_t");
_Static_assert(sizeof(viv_we_sockaddr) == 12, "viv_we_sockaddr is WasmEdge's __wasi_sockaddr_t");
int32_t viv_we_sock_getaddrinfo(const char *node, uint32_t node_len, const char *service, uint32_t service_len,
                                const viv_we_addrinfo *hints, viv_we_addrinfo **res, uint32_t max,
                                uint32_t *res_len) VIV_IMPORT("sock_getaddrinfo");

static inline viv_addr viv_ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  viv_addr x = {0};
  x.kind = VIV_INET4;
  x.addr.ip4.n[0] = a, x.addr.ip4.n[1] = b, x.addr.ip4.n[2] = c, x.addr.ip4.n[3] = d;
  x.addr.ip4.port = port;
  return x;
}

#endif
