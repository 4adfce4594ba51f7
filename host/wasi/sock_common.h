// Helpers shared by the socket ABI files (abi_sock*.cc).
#pragma once
#include <sys/socket.h>
#include <sys/uio.h>

#include <vector>

#include "host/wasi/fd_table.h"
#include "host/wasi/wasi_ctx.h"
#include "host/wasi/socket_policy.h"

namespace vivarium::wasi {

namespace right {
// The seed proposal's sock_connect right (the bit after sock_accept): a
// socket WAMR's sock_open created may connect; an accepted one may not.
constexpr Rights SockConnect = 1ull << 30;
}  // namespace right

// The socket entry for `fd` holding `need`: BADF if unknown, NOTSOCK if not a
// socket, NOTCAPABLE without the right.
ErrnoOr<FdEntry*> socket_entry(FdTable& t, Fd fd, Rights need);
SockKind kind_of(const FdEntry& e);
// Takes ownership of `host_fd` (closed on failure: MFILE when the table is full).
ErrnoOr<Fd> install_socket(FdTable& t, int host_fd, FileType type, Rights base);
// connect(2), finishing one interrupted by a signal instead of failing it.
// With a deadline (sock_wait.h) a blocking connect runs non-blocking and
// waits no longer than the deadline (TimedOut) or the guest's SO_SNDTIMEO
// (InProgress, as the kernel says).
Errno connect_host(const WasiCtx& c, int fd, const sockaddr_storage& ss);
// What every ABI's open/bind/connect does once the address is read
// (abi_sock_open.cc): a socket with the rights sock_open gives; bind and
// connect past the policy (NOTCAPABLE, logged). The fd is judged before the
// address the guest gave (which may be an errno: FAULT, INVAL), so an
// unknown fd is BADF whatever the address.
ErrnoOr<Fd> open_socket(WasiCtx& c, int family, bool stream);
Errno bind_socket(WasiCtx& c, Fd fd, ErrnoOr<sockaddr_storage> addr);
Errno connect_socket(WasiCtx& c, Fd fd, ErrnoOr<sockaddr_storage> addr);

// sendmsg/recvmsg over guest iovecs, retried on EINTR. `peer` is the
// destination (send, null: the connected peer) or receives the sender (recv,
// may be null); `truncated` is set when a datagram did not fit. With a
// deadline they wait as sock_wait.h says (TimedOut once it passes), and a
// send then sends what fits instead of blocking for the rest.
ErrnoOr<uint32_t> send_host(const WasiCtx& c, int fd, std::vector<iovec>& v, const sockaddr_storage* peer);
ErrnoOr<uint32_t> recv_host(const WasiCtx& c, int fd, std::vector<iovec>& v, uint32_t ri_flags,
                            sockaddr_storage* peer, bool* truncated);
// Asks the policy (null denies) and logs a refusal. `op` ("connect",
// "send_to", "bind") names the call in the log; binds ask may_bind.
enum class PolicyAsk { Connect, Bind };
bool policy_allows(const SocketPolicy* p, PolicyAsk ask, const char* op, const sockaddr_storage& ss, SockKind kind);
// The errno of a call the policy refused, as the module's ABI spells it:
// WAMR's iwasm answers an address outside --addr-pool (or a name outside
// --allow-resolve) with ACCES, so programs written for it see the same;
// the seed's and WasmEdge's calls get NOTCAPABLE.
Errno policy_refusal(const WasiCtx& c);

}  // namespace vivarium::wasi
