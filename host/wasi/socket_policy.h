// What a guest may do with the network, as the socket ABI functions ask it.
// The WASI layer (part of the engine library) does not link the network
// component: the embedder hands in an implementation, `vivarium run` one
// built on host/net's EgressPolicy (cli/socket_policy_net.cc). No policy at
// all denies everything, loopback included.
#pragma once
#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vivarium::wasi {

// Which function a colliding import name means. WAMR's lib-socket and the
// seed proposal both define `sock_connect`, with different signatures, and
// WasmEdge's wasmedge_wasi_socket `sock_open/bind/connect` with others; the
// embedder picks from the module's imports (choose_socket_abi) or a flag.
enum class SocketAbi { Seed, Wamr, WasmEdge };

enum class SockKind { Tcp, Udp };

class SocketPolicy {
 public:
  virtual ~SocketPolicy() = default;
  // connect(), and UDP send_to: may the guest reach this peer?
  virtual bool may_connect(const sockaddr& peer, SockKind kind) const = 0;
  // bind(): may the guest use this local address and port?
  virtual bool may_bind(const sockaddr& local, SockKind kind) const = 0;
  // Name resolution: the addresses of `name` the guest may reach. nullopt
  // when the policy refuses the name or every address it has; empty when it
  // does not resolve. `family` is AF_INET, AF_INET6 or AF_UNSPEC. Never
  // returns an address may_connect would refuse.
  virtual std::optional<std::vector<sockaddr_storage>> resolve(std::string_view name, int family) const = 0;
  // A refused call, for the operator's debug log.
  virtual void denied(const std::string& what) const = 0;
};

}  // namespace vivarium::wasi
