// One guest's WASI world: its arguments, environment, descriptor table
// (stdio, preopened directories, pre-opened listening sockets) and the
// resolver that keeps paths beneath their preopen. Built from a WasiConfig by
// the embedder (`vivarium run`); the ABI functions only ever see this.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/wasi/fd_table.h"
#include "host/wasi/resolver.h"
#include "host/wasi/socket_policy.h"
#include "vivarium/error.h"

namespace vivarium::wasi {

struct PreopenSpec {
  std::string host_path;
  std::string guest_path;  // what fd_prestat_dir_name reports
  bool read_only = false;  // withholds every right that could modify files
};

struct WasiConfig {
  std::vector<std::string> args;  // args[0] is the program name
  std::vector<std::string> env;   // "KEY=VALUE"
  std::vector<PreopenSpec> preopens;
  // Host sockets already listening (from --listen); the context takes them.
  // They are numbered after the preopens, so wasi-libc's preopen scan (which
  // stops at the first fd that is not a preopen) still finds every directory.
  std::vector<int> listeners;
  // Host descriptors standing in for the guest's stdin/stdout/stderr; they
  // are duplicated, so a guest fd_close never closes the embedder's own.
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;
  ResolveMode resolve = ResolveMode::Auto;
  // When set, poll_oneoff and other blocking waits end with DeadlineExceeded
  // instead of sleeping past it (the interpreter checks only while running).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // The network capability of the socket calls (sock_connect, sock_bind,
  // sock_addr_resolve, ...); null denies everything.
  std::shared_ptr<const SocketPolicy> sockets;
  // Which meaning colliding socket import names get (see socket_abi.h).
  SocketAbi socket_abi = SocketAbi::Seed;
  bool two_arg_accept = false;  // WAMR's older sock_accept(fd, fd_out)
};

class WasiCtx {
 public:
  static Result<std::unique_ptr<WasiCtx>> create(WasiConfig config);

  FdTable& fds() { return fds_; }
  const Resolver& resolver() const { return resolver_; }
  const std::vector<std::string>& args() const { return config_.args; }
  const std::vector<std::string>& env() const { return config_.env; }
  const std::optional<std::chrono::steady_clock::time_point>& deadline() const { return config_.deadline; }
  void set_deadline(std::chrono::steady_clock::time_point t) { config_.deadline = t; }
  const SocketPolicy* sockets() const { return config_.sockets.get(); }
  SocketAbi socket_abi() const { return config_.socket_abi; }
  bool two_arg_accept() const { return config_.two_arg_accept; }

 private:
  explicit WasiCtx(WasiConfig config) : config_(std::move(config)), resolver_(config_.resolve) {}
  WasiConfig config_;
  Resolver resolver_;
  FdTable fds_;
};

}  // namespace vivarium::wasi
