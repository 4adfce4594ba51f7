// Socket addresses as the guest ABIs spell them, to and from sockaddr.
//  * seed: sock_connect(ipv4: u32, port) -- first octet most significant,
//    so 127.0.0.1 is 0x7F000001.
//  * WAMR's __wasi_addr_t (wasm32, 24 bytes): kind u32 @0 (0 IPv4, 1 IPv6);
//    IPv4: octets n0..n3 @4, port u16 @8 (host order); IPv6: eight u16
//    groups @4..@19, most significant first, each in host (little-endian)
//    order, port u16 @20. __wasi_addr_info_t is an addr plus a u32 socket
//    type (0 dgram, 1 stream): 28 bytes. __wasi_addr_ip_t (multicast
//    groups) is the same without the port: 20 bytes.
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

#include "host/wasi/errno_or.h"
#include "vivarium/memory_view.h"

namespace vivarium::wasi {

namespace layout {
constexpr uint32_t kWamrAddrSize = 24, kWamrAddrInfoSize = 28, kWamrAddrInfoType = 24, kWamrAddrIpSize = 20;
}

sockaddr_storage seed_sockaddr(uint32_t ipv4, uint16_t port);
// FAULT when out of bounds, INVAL for an unknown kind.
ErrnoOr<sockaddr_storage> read_wamr_addr(const MemoryView& mem, uint32_t ptr);
// A __wasi_addr_ip_t: the address alone, port 0.
ErrnoOr<sockaddr_storage> read_wamr_ip(const MemoryView& mem, uint32_t ptr);
// AFNOSUPPORT for a family other than IPv4/IPv6 (e.g. an unbound socket's AF_UNSPEC).
Errno write_wamr_addr(const MemoryView& mem, uint32_t ptr, const sockaddr_storage& ss);
socklen_t sockaddr_len(const sockaddr_storage& ss);
// A literal IPv4 or IPv6 address, port 0 (getaddrinfo's AI_NUMERICHOST):
// literals resolve to themselves. nullopt for anything else.
std::optional<sockaddr_storage> parse_ip_literal(const std::string& host);
void set_port(sockaddr_storage& ss, uint16_t port);
// "127.0.0.1:80", "[::1]:80": for log lines.
std::string describe(const sockaddr_storage& ss);

}  // namespace vivarium::wasi
