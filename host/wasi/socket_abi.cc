#include "host/wasi/socket_abi.h"

#include "host/wasi/wasi.h"

namespace vivarium::wasi {

SocketAbiChoice choose_socket_abi(const Module& m) {
  SocketAbiChoice c;
  bool wasmedge = false, wamr = false, seed = false;
  for (const ImportDesc& imp : m.imports()) {
    if (imp.module != kModule || imp.kind != ExternKind::Func) continue;
    const size_t n = imp.func.params.size();
    if (imp.name == "sock_connect" && n == 2) wamr = true;
    if (imp.name == "sock_connect" && n == 3) seed = true;
    // WAMR's own calls: a module with no sock_connect (a server) is still WAMR's.
    if ((imp.name == "sock_open" && n == 4) || imp.name == "sock_send_to" || imp.name == "sock_recv_from" ||
        imp.name == "sock_addr_resolve")
      wamr = true;
    // WasmEdge's own names, or its shorter sock_open / longer sock_bind.
    if (imp.name == "sock_getlocaladdr" || imp.name == "sock_getpeeraddr" || (imp.name == "sock_open" && n == 3) ||
        (imp.name == "sock_bind" && n == 3))
      wasmedge = true;
    if (imp.name == "sock_accept" && n == 2) c.two_arg_accept = true;
  }
  if (wamr && !seed) c.connect = SocketAbi::Wamr;
  if (wasmedge) c.connect = SocketAbi::WasmEdge;
  return c;
}

std::optional<SocketAbi> parse_socket_abi(std::string_view name) {
  if (name == "seed") return SocketAbi::Seed;
  if (name == "wamr") return SocketAbi::Wamr;
  if (name == "wasmedge") return SocketAbi::WasmEdge;
  return std::nullopt;
}

}  // namespace vivarium::wasi
