// A guest's stdout or stderr delivered to JavaScript (a callback or a
// writable stream, chosen in lib/index.js). The guest writes into a pipe; a
// reader thread posts each chunk to the main thread in order. Before a call
// settles, drain() waits until everything the guest wrote has been posted,
// so the chunks reach JavaScript before the call's promise does.
#pragma once
#include <napi.h>

#include <memory>
#include <mutex>
#include <thread>

#include "runtime.h"
#include "vivarium/error.h"

namespace vivarium::node {

class OutputSink : public std::enable_shared_from_this<OutputSink> {
 public:
  // Creates the pipe; write_fd() goes to the WASI context (which dups it).
  static Result<std::shared_ptr<OutputSink>> create(Napi::Function callback, Runtime& rt);
  ~OutputSink();
  int write_fd() const { return write_fd_; }
  // After the WASI context took its copy: close ours and start reading.
  void start();
  void drain();  // worker
  void join();   // main thread, after the guest's copy was closed

  void deliver(Napi::Env env, std::string chunk);

 private:
  OutputSink(Napi::Function callback, Runtime& rt, int read_fd, int write_fd);
  void read_loop();

  Napi::FunctionReference callback_;
  Runtime& rt_;
  int read_fd_;
  int write_fd_;
  std::mutex mu_;  // held from a read to its post
  std::thread reader_;
};

}  // namespace vivarium::node
