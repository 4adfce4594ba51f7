// One Runtime per Node environment (the main thread or a worker_thread): the
// worker pool, the one thread-safe function through which every worker
// reaches the JavaScript thread, and what keeps the event loop alive while
// work is in flight. Everything that touches JavaScript runs on the main
// thread; workers only post tasks to it.
#pragma once
#include <napi.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <functional>
#include <set>
#include <vector>

#include "thread_pool.h"

namespace vivarium::node {

// Work for the JavaScript thread, posted from any thread. run() gets the
// environment; when the environment is gone the task is leaked (the process
// is exiting and JavaScript handles in it must not be touched).
class MainTask {
 public:
  virtual ~MainTask() = default;
  virtual void run(Napi::Env env) = 0;
};

// Work for the pool with its completion on the main thread.
class Job {
 public:
  virtual ~Job() = default;
  virtual void execute() = 0;                // on a worker
  virtual void complete(Napi::Env env) = 0;  // on the main thread, afterwards
};

// Something a shutdown must stop (an instance's running call).
class Interruptible {
 public:
  virtual ~Interruptible() = default;
  virtual void interrupt_for_shutdown() = 0;
};

class Runtime {
 public:
  static Runtime& of(Napi::Env env);
  static void init(Napi::Env env);

  // Main thread: runs job->execute() on the pool, then job->complete() on
  // the main thread. The event loop stays alive until then.
  void run(Napi::Env env, std::unique_ptr<Job> job);
  // Any thread: queue a task for the main thread (FIFO with every other
  // post). False when the environment is shutting down (the task is leaked).
  bool post(MainTask* task);
  // Main thread: keep the loop alive while something is pending.
  void hold(Napi::Env env);
  void release(Napi::Env env);

  // Main thread: how long a guest may run on this thread now (zero: not
  // now; see call_fiber.h). At most 1 ms of every 4 ms window goes to guests
  // running inline, so calls started back to back cannot hold the event loop,
  // and one call holds it for at most kInlineContinuous, host functions
  // included.
  static constexpr std::chrono::nanoseconds kInlineContinuous = std::chrono::milliseconds(1);
  std::chrono::nanoseconds inline_allowance(std::chrono::steady_clock::time_point now);
  void charge_inline(std::chrono::nanoseconds used) { inline_used_ += used; }

  ThreadPool& pool() { return pool_; }
  bool closing() const { return closing_.load(std::memory_order_acquire); }

  void add_interruptible(Interruptible* i);
  void remove_interruptible(Interruptible* i);

  // The JavaScript VivariumError class, set by lib/index.js.
  Napi::FunctionReference error_class;
  // Constructors of the wrapped classes (owned by cleanup hooks).
  Napi::FunctionReference* module_ctor = nullptr;
  Napi::FunctionReference* instance_ctor = nullptr;
  Napi::FunctionReference* view_ctor = nullptr;
  Napi::FunctionReference* funcref_ctor = nullptr;
  // The edge runner's executor (edge.cc), made on first use.
  std::shared_ptr<void> edge;
  // Run at shutdown, before the pool is joined.
  void add_shutdown_hook(std::function<void()> f) { shutdown_hooks_.push_back(std::move(f)); }

 private:
  explicit Runtime(Napi::Env env);
  static void shutdown(void* self);
  static void call_js(Napi::Env env, Napi::Function, std::nullptr_t*, MainTask* task);

  using Tsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, MainTask, &Runtime::call_js>;
  ThreadPool pool_;
  Tsfn tsfn_;
  std::mutex post_mu_;
  std::atomic<bool> closing_{false};
  size_t holds_ = 0;
  std::chrono::steady_clock::time_point inline_window_start_{};
  std::chrono::nanoseconds inline_used_{0};
  std::mutex interruptible_mu_;
  std::set<Interruptible*> interruptibles_;
  std::vector<std::function<void()>> shutdown_hooks_;
};

}  // namespace vivarium::node
