// WAMR lib-socket's multicast calls: sock_set_ip_add_membership and
// sock_set_ip_drop_membership(fd, __wasi_addr_ip_t* group, u32 interface),
// sock_set/get_ip_multicast_loop(fd, ipv6, value), and (in
// abi_sock_opt.cc's table) the multicast TTL. A group admits traffic the
// guest did not ask for by address, so joining one goes past the policy as a
// bind to the group (`--allow-bind GROUP`, any port); leaving one does not.
// The interface is IPv4's network-order address (0: the kernel picks) or
// IPv6's interface index, as WAMR passes them.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/sock_addr.h"
#include "host/wasi/sock_common.h"

namespace vivarium::wasi {
namespace {

Errno membership(WasiCtx& c, Caller& caller, uint32_t fd, uint32_t group_ptr, uint32_t iface, bool join) {
  WASI_TRY_ASSIGN(FdEntry * e, socket_entry(c.fds(), fd, 0));
  WASI_TRY_ASSIGN(sockaddr_storage group, read_wamr_ip(caller.memory(), group_ptr));
  if (join && !policy_allows(c.sockets(), PolicyAsk::Bind, "join", group, SockKind::Udp)) return policy_refusal(c);
  const int s = e->host.get();
  if (group.ss_family == AF_INET) {
    struct ip_mreq m {};
    m.imr_multiaddr = reinterpret_cast<const sockaddr_in&>(group).sin_addr;
    m.imr_interface.s_addr = iface;
    return host_result(::setsockopt(s, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof m));
  }
  struct ipv6_mreq m {};
  m.ipv6mr_multiaddr = reinterpret_cast<const sockaddr_in6&>(group).sin6_addr;
  m.ipv6mr_interface = iface;
  return host_result(::setsockopt(s, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m, sizeof m));
}

int loop_level(uint32_t ipv6) { return ipv6 ? IPPROTO_IPV6 : IPPROTO_IP; }
int loop_option(uint32_t ipv6) { return ipv6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP; }

}  // namespace

void add_sock_multicast(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  l.func(kModule, "sock_set_ip_add_membership", [c](Caller& caller, uint32_t fd, uint32_t group, uint32_t iface) {
    return ret(membership(*c, caller, fd, group, iface, true));
  });
  l.func(kModule, "sock_set_ip_drop_membership", [c](Caller& caller, uint32_t fd, uint32_t group, uint32_t iface) {
    return ret(membership(*c, caller, fd, group, iface, false));
  });
  l.func(kModule, "sock_set_ip_multicast_loop", [c](uint32_t fd, uint32_t ipv6, uint32_t on) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, 0));
    // IPv4 takes a u8 (an int works too), IPv6 an unsigned int.
    const unsigned value = on ? 1 : 0;
    return ret(host_result(::setsockopt(e->host.get(), loop_level(ipv6), loop_option(ipv6), &value, sizeof value)));
  });
  l.func(kModule, "sock_get_ip_multicast_loop",
         [c](Caller& caller, uint32_t fd, uint32_t ipv6, uint32_t out) -> uint32_t {
           WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, 0));
           MemoryView mem = caller.memory();
           WASI_TRY_ERRNO_RET(check_out(mem, out, 1));
           unsigned value = 0;
           socklen_t len = sizeof value;
           if (::getsockopt(e->host.get(), loop_level(ipv6), loop_option(ipv6), &value, &len) != 0)
             return ret(last_host_errno());
           // IPv4 may answer in one byte: only that byte of `value` is set.
           const bool on = len == 1 ? (value & 0xff) != 0 : value != 0;
           return ret(put<uint8_t>(mem, out, on ? 1 : 0));
         });
}

}  // namespace vivarium::wasi
