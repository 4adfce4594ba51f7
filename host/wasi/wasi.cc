#include "host/wasi/wasi.h"

#include "host/wasi/abi.h"

namespace vivarium::wasi {

void add_to_linker(Linker& linker, WasiCtx& ctx) {
  add_args_env(linker, ctx);
  add_clock_proc(linker, ctx);
  add_fd_meta(linker, ctx);
  add_fd_io(linker, ctx);
  add_fd_readdir(linker, ctx);
  add_path(linker, ctx);
  add_path_open(linker, ctx);
  add_poll(linker, ctx);
  add_sock(linker, ctx);
  add_sock_open(linker, ctx);
  add_sock_addr(linker, ctx);
  add_sock_opt(linker, ctx);
}

}  // namespace vivarium::wasi
