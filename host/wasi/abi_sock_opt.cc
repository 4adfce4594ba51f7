// WAMR lib-socket's socket options: sock_set_X(fd, value) and
// sock_get_X(fd, out) for each option below, plus timeouts (u64
// microseconds) and linger (sock_set_linger(fd, is_enabled, linger_s),
// sock_get_linger(fd, bool* is_enabled, int* linger_s)). Options change only
// the guest's own socket, so the policy is not asked (multicast groups,
// which admit traffic, are abi_sock_multicast.cc's).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/sock_common.h"

namespace vivarium::wasi {
namespace {

struct IntOption {
  const char* name;  // sock_set_<name> / sock_get_<name>
  int level;
  int opt;
  enum Kind { Flag, U8, U32 } kind;  // what the getter stores: a u8 0/1, a u8, a u32
  uint32_t width() const { return kind == U32 ? 4 : 1; }
};

constexpr IntOption kIntOptions[] = {
    {"reuse_addr", SOL_SOCKET, SO_REUSEADDR, IntOption::Flag},
    {"reuse_port", SOL_SOCKET, SO_REUSEPORT, IntOption::Flag},
    {"keep_alive", SOL_SOCKET, SO_KEEPALIVE, IntOption::Flag},
    {"broadcast", SOL_SOCKET, SO_BROADCAST, IntOption::Flag},
    {"send_buf_size", SOL_SOCKET, SO_SNDBUF, IntOption::U32},
    {"recv_buf_size", SOL_SOCKET, SO_RCVBUF, IntOption::U32},
    {"tcp_no_delay", IPPROTO_TCP, TCP_NODELAY, IntOption::Flag},
    {"tcp_quick_ack", IPPROTO_TCP, TCP_QUICKACK, IntOption::Flag},
    {"tcp_keep_idle", IPPROTO_TCP, TCP_KEEPIDLE, IntOption::U32},
    {"tcp_keep_intvl", IPPROTO_TCP, TCP_KEEPINTVL, IntOption::U32},
    {"tcp_fastopen_connect", IPPROTO_TCP, TCP_FASTOPEN_CONNECT, IntOption::Flag},
    {"ip_ttl", IPPROTO_IP, IP_TTL, IntOption::U8},
    {"ip_multicast_ttl", IPPROTO_IP, IP_MULTICAST_TTL, IntOption::U8},
    {"ipv6_only", IPPROTO_IPV6, IPV6_V6ONLY, IntOption::Flag},
};

Errno set_int(int fd, const IntOption& o, uint32_t v) {
  int value = static_cast<int>(v);
  return host_result(::setsockopt(fd, o.level, o.opt, &value, sizeof value));
}

ErrnoOr<uint32_t> get_int(int fd, const IntOption& o) {
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd, o.level, o.opt, &value, &len) != 0) return last_host_errno();
  return static_cast<uint32_t>(value);
}

Errno set_timeout(int fd, int opt, uint64_t us) {
  struct timeval tv {};
  tv.tv_sec = static_cast<time_t>(us / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(us % 1000000);
  return host_result(::setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv));
}

ErrnoOr<uint64_t> get_timeout(int fd, int opt) {
  struct timeval tv {};
  socklen_t len = sizeof tv;
  if (::getsockopt(fd, SOL_SOCKET, opt, &tv, &len) != 0) return last_host_errno();
  return static_cast<uint64_t>(tv.tv_sec) * 1000000 + static_cast<uint64_t>(tv.tv_usec);
}

}  // namespace

void add_sock_opt(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  for (const IntOption& o : kIntOptions) {
    const IntOption* opt = &o;
    l.func(kModule, std::string("sock_set_") + o.name, [c, opt](uint32_t fd, uint32_t value) -> uint32_t {
      WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, 0));
      return ret(set_int(e->host.get(), *opt, value));
    });
    l.func(kModule, std::string("sock_get_") + o.name, [c, opt](Caller& caller, uint32_t fd, uint32_t out) -> uint32_t {
      WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, 0));
      MemoryView mem = caller.memory();
      WASI_TRY_ERRNO_RET(check_out(mem, out, opt->width()));
      WASI_TRY_ASSIGN_RET(uint32_t v, get_int(e->host.get(), *opt));
      if (opt->kind == IntOption::Flag) return ret(put<uint8_t>(mem, out, v != 0 ? 1 : 0));
      if (opt->kind == IntOption::U8) return ret(put<uint8_t>(mem, out, static_cast<uint8_t>(v)));
      return ret(put<uint32_t>(mem, out, v));
    });
  }

  const std::pair<const char*, int> timeouts[] = {{"recv_timeout", SO_RCVTIMEO}, {"send_timeout", SO_SNDTIMEO}};
  for (const auto& [name, so] : timeouts) {
    const int opt = so;
    l.func(kModule, std::string("sock_set_") + name, [c, opt](uint32_t fd, uint64_t us) -> uint32_t {
      WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, 0));
      return ret(set_timeout(e->host.get(), opt, us));
    });
    l.func(kModule, std::string("sock_get_") + name, [c, opt](Caller& caller, uint32_t fd, uint32_t out) -> uint32_t {
      WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, 0));
      MemoryView mem = caller.memory();
      WASI_TRY_ERRNO_RET(check_out(mem, out, 8));
      WASI_TRY_ASSIGN_RET(uint64_t us, get_timeout(e->host.get(), opt));
      return ret(put<uint64_t>(mem, out, us));
    });
  }

  l.func(kModule, "sock_set_linger", [c](uint32_t fd, uint32_t is_enabled, uint32_t linger_s) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, 0));
    if (linger_s > 0x7fffffff) return ret(Errno::Inval);  // a negative int
    struct linger lg {};
    lg.l_onoff = is_enabled ? 1 : 0;
    lg.l_linger = static_cast<int>(linger_s);
    return ret(host_result(::setsockopt(e->host.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg)));
  });
  l.func(kModule, "sock_get_linger", [c](Caller& caller, uint32_t fd, uint32_t enabled_out, uint32_t secs_out) -> uint32_t {
    WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c->fds(), fd, 0));
    MemoryView mem = caller.memory();
    WASI_TRY_ERRNO_RET(check_out(mem, enabled_out, 1));
    WASI_TRY_ERRNO_RET(check_out(mem, secs_out, 4));
    struct linger lg {};
    socklen_t len = sizeof lg;
    if (::getsockopt(e->host.get(), SOL_SOCKET, SO_LINGER, &lg, &len) != 0) return ret(last_host_errno());
    (void)mem.store<uint8_t>(enabled_out, lg.l_onoff ? 1 : 0);
    return ret(put<uint32_t>(mem, secs_out, static_cast<uint32_t>(lg.l_linger)));
  });
  add_sock_multicast(l, ctx);
}

}  // namespace vivarium::wasi
