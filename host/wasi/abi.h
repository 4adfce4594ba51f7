// The ABI layer, one registration function per group of witx functions. Each
// function is a typed host function: wasm arguments become C++ parameters,
// the errno becomes the i32 result, and guest memory is reached only through
// Caller::memory() (a checked MemoryView).
#pragma once
#include "host/wasi/wasi_ctx.h"
#include "vivarium/linker.h"
#include "host/wasi/wasi.h"

namespace vivarium::wasi {

void add_args_env(Linker& l, WasiCtx& ctx);     // args_*, environ_*
void add_clock_proc(Linker& l, WasiCtx& ctx);   // clock_*, random_get, sched_yield, proc_*
void add_fd_meta(Linker& l, WasiCtx& ctx);      // fd_* that do not move data
void add_fd_io(Linker& l, WasiCtx& ctx);        // fd_read/write/pread/pwrite
void add_fd_readdir(Linker& l, WasiCtx& ctx);   // fd_readdir
void add_path(Linker& l, WasiCtx& ctx);         // path_* except path_open
void add_path_open(Linker& l, WasiCtx& ctx);    // path_open
void add_poll(Linker& l, WasiCtx& ctx);         // poll_oneoff
void add_sock(Linker& l, WasiCtx& ctx);         // sock_accept/recv/send/shutdown
void add_sock_open(Linker& l, WasiCtx& ctx);    // sock_connect (seed or WAMR), sock_open/bind/listen
void add_sock_listen(Linker& l, WasiCtx& ctx);  // sock_listen (every ABI)
void add_sock_wasmedge(Linker& l, WasiCtx& ctx);  // WasmEdge v1: sock_open/bind/connect/recv_from/send_to
void add_sock_wasmedge_v2(Linker& l, WasiCtx& ctx);   // WasmEdge: *_v2, sock_get{local,peer}addr (always)
void add_sock_wasmedge_opt(Linker& l, WasiCtx& ctx);  // WasmEdge: sock_{get,set}sockopt, sock_getaddrinfo
void add_sock_addr(Linker& l, WasiCtx& ctx);    // WAMR: sock_addr_*, sock_send_to/recv_from, sock_close
void add_sock_opt(Linker& l, WasiCtx& ctx);     // WAMR: sock_set_* / sock_get_*
void add_sock_multicast(Linker& l, WasiCtx& ctx);  // WAMR: group membership, multicast loop

}  // namespace vivarium::wasi
