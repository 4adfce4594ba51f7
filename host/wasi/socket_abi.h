// Choosing between socket ABIs whose import names collide: the seed
// proposal's sock_connect(ipv4, port, fd_out) and WAMR's
// sock_connect(fd, addr); the preview1 sock_accept(fd, flags, fd_out) and
// older WAMR's sock_accept(fd, fd_out); WasmEdge's sock_open(family, type,
// fd_out), sock_bind/sock_connect(fd, addr, port) -- whose sock_connect has
// the seed's very type, so WasmEdge is recognised by its other imports
// (sock_getlocaladdr, the 3-argument sock_open or sock_bind). The module's
// import types decide.
#pragma once
#include <optional>
#include <string_view>

#include "host/wasi/socket_policy.h"
#include "vivarium/module.h"

namespace vivarium::wasi {

struct SocketAbiChoice {
  SocketAbi connect = SocketAbi::Seed;
  bool two_arg_accept = false;
};

SocketAbiChoice choose_socket_abi(const Module& m);
// "seed", "wamr", "wasmedge"; nullopt for anything else.
std::optional<SocketAbi> parse_socket_abi(std::string_view name);

}  // namespace vivarium::wasi
