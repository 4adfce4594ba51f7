#include "runtime.h"

#include <sched.h>

#include <cstdlib>
#include <thread>

namespace vivarium::node {
namespace {

// One worker per core this process may run on (VIVARIUM_NODE_WORKERS overrides).
size_t pool_size() {
  if (const char* v = std::getenv("VIVARIUM_NODE_WORKERS"); v != nullptr && std::atoi(v) > 0) {
    return static_cast<size_t>(std::atoi(v));
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return static_cast<size_t>(CPU_COUNT(&set));
  size_t n = std::thread::hardware_concurrency();
  return n ? n : 2;
}

// How many nice steps below the JavaScript thread workers run
// (VIVARIUM_NODE_WORKER_NICE overrides; 0 keeps them equal).
int worker_nice_delta() {
  const char* v = std::getenv("VIVARIUM_NODE_WORKER_NICE");
  return v != nullptr && *v != 0 ? std::atoi(v) : 19;
}

constexpr std::chrono::nanoseconds kInlineWindow = std::chrono::milliseconds(4);
constexpr std::chrono::nanoseconds kInlinePerWindow = std::chrono::milliseconds(1);

class JobDone final : public MainTask {
 public:
  JobDone(Runtime& rt, std::unique_ptr<Job> job) : rt_(rt), job_(std::move(job)) {}
  void run(Napi::Env env) override {
    rt_.release(env);
    job_->complete(env);
  }

 private:
  Runtime& rt_;
  std::unique_ptr<Job> job_;
};

}  // namespace

Runtime::Runtime(Napi::Env env) : pool_(pool_size(), worker_nice_delta()) {
  tsfn_ = Tsfn::New(env, "vivarium", 0, 1, nullptr);
  tsfn_.Unref(env);
  napi_add_env_cleanup_hook(env, &Runtime::shutdown, this);
}

void Runtime::init(Napi::Env env) { env.SetInstanceData(new Runtime(env)); }

Runtime& Runtime::of(Napi::Env env) { return *env.GetInstanceData<Runtime>(); }

void Runtime::call_js(Napi::Env env, Napi::Function, std::nullptr_t*, MainTask* task) {
  if (env == nullptr) return;  // environment gone: leak, see MainTask
  std::unique_ptr<MainTask> owned(task);
  try {
    owned->run(env);
  } catch (const Napi::Error& e) {
    // A task never throws on purpose; surface it rather than lose it.
    napi_fatal_exception(env, e.Value());
  }
}

void Runtime::run(Napi::Env env, std::unique_ptr<Job> job) {
  hold(env);
  Job* raw = job.release();
  pool_.submit([this, raw] {
    raw->execute();
    post(new JobDone(*this, std::unique_ptr<Job>(raw)));
  });
}

bool Runtime::post(MainTask* task) {
  std::lock_guard lk(post_mu_);
  if (closing()) return false;
  return tsfn_.NonBlockingCall(task) == napi_ok;
}

void Runtime::hold(Napi::Env env) {
  if (holds_++ == 0) tsfn_.Ref(env);
}

void Runtime::release(Napi::Env env) {
  if (--holds_ == 0) tsfn_.Unref(env);
}

std::chrono::nanoseconds Runtime::inline_allowance(std::chrono::steady_clock::time_point now) {
  if (now - inline_window_start_ >= kInlineWindow) {
    inline_window_start_ = now;
    inline_used_ = std::chrono::nanoseconds(0);
  }
  return inline_used_ >= kInlinePerWindow ? std::chrono::nanoseconds(0) : kInlinePerWindow - inline_used_;
}

void Runtime::add_interruptible(Interruptible* i) {
  std::lock_guard lk(interruptible_mu_);
  interruptibles_.insert(i);
}

void Runtime::remove_interruptible(Interruptible* i) {
  std::lock_guard lk(interruptible_mu_);
  interruptibles_.erase(i);
}

// The environment is going away (process exit, possibly with calls in
// flight): stop every running guest, wake every worker waiting for
// JavaScript, join the pool. Results that arrive now are dropped.
void Runtime::shutdown(void* self) {
  auto* rt = static_cast<Runtime*>(self);
  {
    std::lock_guard lk(rt->post_mu_);
    rt->closing_.store(true, std::memory_order_release);
  }
  {
    std::lock_guard lk(rt->interruptible_mu_);
    for (Interruptible* i : rt->interruptibles_) i->interrupt_for_shutdown();
  }
  for (auto& f : rt->shutdown_hooks_) f();
  rt->pool_.shutdown();
  rt->tsfn_.Abort();
  // The Runtime itself is instance data, deleted by Node after this hook.
}

}  // namespace vivarium::node
