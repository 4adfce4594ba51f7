// Socket addresses as WasmEdge's socket extension (wasmedge_wasi_socket)
// spells them. An address argument points to {buf: u32, len: u32}; the
// buffer is either the raw address (4 bytes IPv4, 16 bytes IPv6, network
// order) or a 128-byte storage: a u16 family (1 IPv4, 2 IPv6) then the
// address bytes at offset 2. Ports travel apart, as plain numbers.
#pragma once
#include <sys/socket.h>

#include <cstdint>

#include "host/wasi/errno_or.h"
#include "vivarium/memory_view.h"

namespace vivarium::wasi::wasmedge {

constexpr uint16_t kInet4 = 1, kInet6 = 2;  // __wasi_address_family_t
constexpr uint32_t kStorageSize = 128;

// The address at `addr_ptr` with `port`: FAULT outside memory, INVAL for a
// length other than 4, 16 or 128 or a port past 65535, AFNOSUPPORT for a
// storage of another family.
ErrnoOr<sockaddr_storage> read_address(const MemoryView& mem, uint32_t addr_ptr, uint32_t port);
// Writes `ss`'s address into the buffer `addr_ptr` names: the storage form
// when it is 128 bytes, the raw bytes when it holds them (INVAL when too
// small). Returns the port (host order) through `port`.
Errno write_address(const MemoryView& mem, uint32_t addr_ptr, const sockaddr_storage& ss, uint16_t* port);

}  // namespace vivarium::wasi::wasmedge
