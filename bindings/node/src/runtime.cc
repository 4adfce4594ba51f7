#include "runtime.h"

#include <thread>

namespace vivarium::node {
namespace {

size_t pool_size() {
  size_t n = std::thread::hardware_concurrency();
  return n ? n : 2;
}

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

Runtime::Runtime(Napi::Env env) : pool_(pool_size()) {
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
