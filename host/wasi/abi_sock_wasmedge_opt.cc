// WasmEdge's socket options and name resolution:
//  * sock_setsockopt(fd, level, name, flag, flag_size) and
//    sock_getsockopt(fd, level, name, flag, flag_size_ptr): level 0 is
//    SOL_SOCKET, names are __wasi_sock_opt_so_t (REUSEADDR 0 ... BINDTODEVICE
//    14). The value is the option's bytes as the guest's libc lays them out
//    (int, struct linger, struct timeval: the same on wasm32 and x86-64),
//    at most 64; getsockopt's SO_ERROR comes back as a WASI errno and SO_TYPE
//    as WasmEdge's sock type (1 datagram, 2 stream). SO_BINDTODEVICE is not
//    offered (an interface is not the guest's to pick).
//  * sock_getaddrinfo(node, node_len, service, service_len, hints, res,
//    max_res, res_len_out): `res` holds the guest's first __wasi_addrinfo_t
//    (28 bytes), chained by ai_next, each with its __wasi_sockaddr_t and
//    sa_data buffer already allocated; up to max_res are filled. Names go
//    through the policy as WAMR's resolve does (only addresses a grant admits).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <charconv>
#include <cstring>
#include <string>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"
#include "host/wasi/sock_addr.h"
#include "host/wasi/sock_addr_wasmedge.h"
#include "host/wasi/sock_common.h"

namespace vivarium::wasi {
namespace {

constexpr uint32_t kMaxOptionBytes = 64;
// WasmEdge's getaddrinfo errnos (its witx extends preview1's list).
constexpr uint32_t kAiFamily = 81, kAiMemory = 82, kAiNoName = 84, kAiService = 85;

ErrnoOr<int> host_option(uint32_t level, uint32_t name) {
  if (level != 0) return Errno::Inval;
  static constexpr std::array<int, 14> kNames = {SO_REUSEADDR, SO_TYPE,   SO_ERROR,    SO_DONTROUTE, SO_BROADCAST,
                                                 SO_SNDBUF,    SO_RCVBUF, SO_KEEPALIVE, SO_OOBINLINE, SO_LINGER,
                                                 SO_RCVLOWAT,  SO_RCVTIMEO, SO_SNDTIMEO, SO_ACCEPTCONN};
  if (name == 14) return Errno::NotSup;  // SO_BINDTODEVICE
  if (name >= kNames.size()) return Errno::Inval;
  return kNames[name];
}

uint32_t setsockopt_call(WasiCtx& c, Caller& caller, uint32_t fd, uint32_t level, uint32_t name, uint32_t flag,
                         uint32_t size) {
  WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c.fds(), fd, 0));
  WASI_TRY_ASSIGN_RET(int opt, host_option(level, name));
  if (size > kMaxOptionBytes) return ret(Errno::Inval);
  MemoryView mem = caller.memory();
  auto bytes = mem.bytes(flag, size);
  if (!bytes) return ret(Errno::Fault);
  std::array<uint8_t, kMaxOptionBytes> buf{};
  std::memcpy(buf.data(), bytes->data(), size);
  return ret(host_result(::setsockopt(e->host.get(), SOL_SOCKET, opt, buf.data(), size)));
}

uint32_t getsockopt_call(WasiCtx& c, Caller& caller, uint32_t fd, uint32_t level, uint32_t name, uint32_t flag,
                         uint32_t size_ptr) {
  WASI_TRY_ASSIGN_RET(FdEntry * e, socket_entry(c.fds(), fd, 0));
  WASI_TRY_ASSIGN_RET(int opt, host_option(level, name));
  MemoryView mem = caller.memory();
  WASI_TRY_ERRNO_RET(check_out(mem, size_ptr, 4));
  const uint32_t cap = *mem.load<uint32_t>(size_ptr);
  if (cap > kMaxOptionBytes) return ret(Errno::Inval);
  if (!mem.in_bounds(flag, cap)) return ret(Errno::Fault);
  std::array<uint8_t, kMaxOptionBytes> buf{};
  socklen_t len = cap;
  if (::getsockopt(e->host.get(), SOL_SOCKET, opt, buf.data(), &len) != 0) return ret(last_host_errno());
  if ((opt == SO_ERROR || opt == SO_TYPE) && len == sizeof(int)) {
    int v;
    std::memcpy(&v, buf.data(), sizeof v);
    v = opt == SO_ERROR ? static_cast<int>(from_host_errno(v)) : (v == SOCK_STREAM ? 2 : v == SOCK_DGRAM ? 1 : 0);
    std::memcpy(buf.data(), &v, sizeof v);
  }
  std::memcpy(mem.bytes(flag, len)->data(), buf.data(), len);
  return ret(put<uint32_t>(mem, size_ptr, len));
}

// The bytes of a sockaddr from sin_port on, as WasmEdge copies them into
// sa_data: port (network order), then the rest of sockaddr_in/_in6.
std::pair<const uint8_t*, uint32_t> sa_data_of(const sockaddr_storage& ss) {
  const auto* base = reinterpret_cast<const uint8_t*>(&ss);
  if (ss.ss_family == AF_INET6)
    return {base + offsetof(sockaddr_in6, sin6_port), sizeof(sockaddr_in6) - offsetof(sockaddr_in6, sin6_port)};
  return {base + offsetof(sockaddr_in, sin_port), sizeof(sockaddr_in) - offsetof(sockaddr_in, sin_port)};
}

// Fills the guest's addrinfo chain from `addrs`; returns how many it filled.
ErrnoOr<uint32_t> fill_addrinfo(const MemoryView& mem, uint32_t first, uint32_t max, const std::vector<sockaddr_storage>& addrs,
                                uint8_t socktype) {
  uint32_t item = first, n = 0;
  for (const sockaddr_storage& a : addrs) {
    if (n == max) break;
    if (!mem.in_bounds(item, 28)) return Errno::Fault;
    const uint32_t sa = *mem.load<uint32_t>(item + 12);
    if (!mem.in_bounds(sa, 12)) return Errno::Fault;
    const auto [bytes, size] = sa_data_of(a);
    const uint32_t data = *mem.load<uint32_t>(sa + 8);
    if (*mem.load<uint32_t>(sa + 4) < size) return Errno::Inval;
    if (!mem.in_bounds(data, size)) return Errno::Fault;
    const uint8_t family = a.ss_family == AF_INET6 ? wasmedge::kInet6 : wasmedge::kInet4;
    (void)mem.store<uint16_t>(item, 0);                      // ai_flags
    (void)mem.store<uint8_t>(item + 2, family);              // ai_family
    (void)mem.store<uint8_t>(item + 3, socktype);            // ai_socktype
    (void)mem.store<uint8_t>(item + 4, socktype == 1 ? 2 : 1);  // ai_protocol: UDP 2, TCP 1
    (void)mem.store<uint32_t>(item + 8, static_cast<uint32_t>(sockaddr_len(a)));  // ai_addrlen
    (void)mem.store<uint32_t>(item + 20, 0);                 // ai_canonname_len
    (void)mem.store<uint8_t>(sa, family);
    (void)mem.store<uint32_t>(sa + 4, size);
    std::memcpy(mem.bytes(data, size)->data(), bytes, size);
    ++n;
    item = *mem.load<uint32_t>(item + 24);  // ai_next
  }
  return n;
}

ErrnoOr<std::string> guest_string(const MemoryView& mem, uint32_t ptr, uint32_t len, uint32_t max) {
  if (len > max) return Errno::NameTooLong;
  auto b = mem.bytes(ptr, len);
  if (!b) return Errno::Fault;
  std::string s(reinterpret_cast<const char*>(b->data()), len);
  while (!s.empty() && s.back() == '\0') s.pop_back();  // C callers may count the NUL
  return s;
}

uint32_t getaddrinfo_call(WasiCtx& c, Caller& caller, uint32_t node_ptr, uint32_t node_len, uint32_t service_ptr,
                          uint32_t service_len, uint32_t hints, uint32_t res, uint32_t max_res, uint32_t res_len_out) {
  MemoryView mem = caller.memory();
  WASI_TRY_ERRNO_RET(check_out(mem, res_len_out, 4));
  WASI_TRY_ERRNO_RET(check_out(mem, res, 4));
  if (!mem.in_bounds(hints, 28)) return ret(Errno::Fault);
  WASI_TRY_ASSIGN_RET(std::string node, guest_string(mem, node_ptr, node_len, 253));
  WASI_TRY_ASSIGN_RET(std::string service, guest_string(mem, service_ptr, service_len, 32));
  if (max_res < 1) return kAiMemory;
  const uint8_t family = *mem.load<uint8_t>(hints + 2), socktype = *mem.load<uint8_t>(hints + 3);
  if (family > wasmedge::kInet6) return kAiFamily;
  if (socktype > 2 || *mem.load<uint8_t>(hints + 4) > 2) return ret(Errno::NoSys);
  unsigned port = 0;
  if (!service.empty()) {
    auto [end, ec] = std::from_chars(service.data(), service.data() + service.size(), port);
    if (ec != std::errc() || end != service.data() + service.size() || port > 65535) return kAiService;
  }
  const int af = family == wasmedge::kInet4 ? AF_INET : family == wasmedge::kInet6 ? AF_INET6 : AF_UNSPEC;
  std::vector<sockaddr_storage> addrs;
  if (auto lit = parse_ip_literal(node); lit) {
    if (af == AF_UNSPEC || af == lit->ss_family) addrs.push_back(*lit);
  } else {
    auto found = c.sockets() ? c.sockets()->resolve(node, af) : std::nullopt;
    if (!found) {
      if (c.sockets()) c.sockets()->denied("resolve " + node);
      return ret(policy_refusal(c));
    }
    addrs = std::move(*found);
  }
  if (addrs.empty()) return kAiNoName;
  for (sockaddr_storage& a : addrs) set_port(a, static_cast<uint16_t>(port));
  WASI_TRY_ASSIGN_RET(uint32_t n, fill_addrinfo(mem, *mem.load<uint32_t>(res), max_res, addrs, socktype == 1 ? 1 : 2));
  return ret(put<uint32_t>(mem, res_len_out, n));
}

}  // namespace

void add_sock_wasmedge_opt(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  l.func(kModule, "sock_setsockopt",
         [c](Caller& caller, uint32_t fd, uint32_t level, uint32_t name, uint32_t flag, uint32_t size) {
           return setsockopt_call(*c, caller, fd, level, name, flag, size);
         });
  l.func(kModule, "sock_getsockopt",
         [c](Caller& caller, uint32_t fd, uint32_t level, uint32_t name, uint32_t flag, uint32_t size_ptr) {
           return getsockopt_call(*c, caller, fd, level, name, flag, size_ptr);
         });
  l.func(kModule, "sock_getaddrinfo",
         [c](Caller& caller, uint32_t node, uint32_t node_len, uint32_t service, uint32_t service_len, uint32_t hints,
             uint32_t res, uint32_t max_res, uint32_t res_len_out) {
           return getaddrinfo_call(*c, caller, node, node_len, service, service_len, hints, res, max_res, res_len_out);
         });
}

}  // namespace vivarium::wasi
