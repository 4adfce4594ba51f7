// One instance and everything it owns (its Store, its WASI context, the
// JavaScript host functions it was linked with), plus its queue of
// operations. One writer: operations run strictly one after another, in the
// order they were queued -- a call on a worker, or a memory or global access
// on the main thread -- so no operation ever sees a half-finished call. The
// queue is driven from the main thread only (an operation's completion
// starts the next), so it needs no lock. Jobs and JavaScript objects hold
// the state by shared_ptr and are destroyed on the main thread, so the last
// reference (and every JavaScript reference inside) dies there.
#pragma once
#include <napi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "call_fiber.h"
#include "host/wasi/wasi_ctx.h"
#include "ref_values.h"
#include "runtime.h"
#include "vivarium/vivarium.h"

namespace vivarium::node {

class InstanceState;
class OutputSink;
struct HostCall;

class Op {
 public:
  explicit Op(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
  virtual ~Op() = default;
  // Main-thread operations run start_main() and call state.finish() when done.
  virtual bool on_main() const { return false; }
  // Worker operations that may start on the main thread on a fiber
  // (call_fiber.h): execute() then runs there until its slice is used up.
  virtual bool can_inline() const { return false; }
  virtual void start_main(Napi::Env env, InstanceState& s) {}
  // Worker operations: execute() on a worker, complete() back on the main thread.
  virtual void execute(InstanceState& s) {}
  virtual void complete(Napi::Env env, InstanceState& s) {}

  Napi::Promise::Deferred deferred;
  uint64_t abort_id = 0;
  std::atomic<bool> aborted{false};
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct InstanceDefaults {
  uint64_t fuel = 0;       // per call; 0 = unmetered
  double timeout_ms = 0;   // per call; 0 = none
};

class InstanceState final : public std::enable_shared_from_this<InstanceState>, public Interruptible {
 public:
  InstanceState(Runtime& rt, Module module, StoreLimits limits, InstanceDefaults defaults);
  ~InstanceState() override;

  // Main thread.
  void enqueue(Napi::Env env, std::unique_ptr<Op> op);
  void finish(Napi::Env env);  // the current operation is done
  bool abort(Napi::Env env, uint64_t id);
  void dispose(Napi::Env env);  // drop the store once idle
  bool disposed() const { return disposed_; }

  // Worker: wait for a JavaScript host function (a woken wait returns
  // false: aborted, past the deadline, or the process is exiting).
  template <class Done>
  bool wait_host(Done done);
  void notify_host() {
    std::lock_guard lk(host_mu_);
    host_cv_.notify_all();
  }
  std::mutex& host_mutex() { return host_mu_; }

  // Apply the per-call budget before a call runs (worker).
  void arm(const Op& op, uint64_t fuel);
  // Wait until the guest's output written so far reached JavaScript (worker).
  void drain_output();

  void interrupt_for_shutdown() override;

  // Before each operation (worker): a stop asked for an earlier one is stale.
  void clear_stop() { stop_.store(false, std::memory_order_relaxed); }

  Runtime& rt;
  Module module;
  std::unique_ptr<Store> store;
  std::unique_ptr<wasi::WasiCtx> wasi;
  Linker linker;
  Instance instance;
  InstanceDefaults defaults;
  std::vector<std::shared_ptr<void>> keep_alive;  // host functions, output sinks
  std::vector<std::shared_ptr<OutputSink>> sinks;
  ExternRefs externs;  // main thread
  std::vector<int> owned_fds;  // ours until the WASI context has its copies
  void close_owned_fds();
  Op* current() const { return current_.get(); }

  // The inline slice (call_fiber.h): how long a call may run on the main
  // thread before a worker takes it over; zero: always on a worker. Only
  // instances without WASI start inline (a WASI call may block in the host,
  // e.g. in poll_oneoff or fd_read, which must never happen on the main
  // thread) and only while the runtime's inline allowance lasts.
  std::chrono::nanoseconds inline_slice{std::chrono::microseconds(100)};
  // On the fiber: true while it runs on the main thread.
  bool running_inline() const { return inline_now_; }
  // On the fiber, on the main thread: hand a JavaScript host call to the
  // main thread's own stack and wait for it (host_fn.cc).
  void yield_host(std::shared_ptr<HostCall> call);
  int host_depth = 0;  // main thread: host functions of this instance running synchronously now

 private:
  void start_next(Napi::Env env);
  bool inline_ok(Napi::Env env) const;
  // Main thread: runs the current operation on a fiber; true when it
  // finished there, false when a worker took it over.
  bool run_inline(Napi::Env env);
  friend class FiberJob;

  std::unique_ptr<CallFiber> fiber_;
  bool inline_now_ = false;
  std::chrono::steady_clock::time_point slice_end_{};
  std::shared_ptr<HostCall> inline_host_;

  std::deque<std::unique_ptr<Op>> queue_;
  std::unique_ptr<Op> current_;
  bool disposed_ = false;
  // Asked by abort() and shutdown, read by the store's check hook at the
  // engine's deadline checks. (Not Store::interrupt(): its flag outlives a
  // call that ended before reaching a check and would stop the next one.)
  std::atomic<bool> stop_{false};
  static bool check_hook(void* self);
  std::mutex host_mu_;
  std::condition_variable host_cv_;
};

template <class Done>
bool InstanceState::wait_host(Done done) {
  {
    std::lock_guard lk(host_mu_);
    if (done()) return true;  // answered inline already (call_fiber.h)
  }
  ThreadPool::BlockedScope blocked(rt.pool());
  std::unique_lock lk(host_mu_);
  Op* op = current_.get();
  auto stop = [&] { return done() || rt.closing() || (op && op->aborted.load()); };
  if (op && op->deadline) {
    host_cv_.wait_until(lk, *op->deadline, stop);
  } else {
    host_cv_.wait(lk, stop);
  }
  return done();
}

}  // namespace vivarium::node
