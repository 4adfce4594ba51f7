#include "instance_state.h"

#include <unistd.h>

#include "convert.h"
#include "host_fn.h"
#include "output_sink.h"

namespace vivarium::node {
namespace {

// Runs the current operation of an instance on the pool.
class OpJob final : public Job {
 public:
  explicit OpJob(std::shared_ptr<InstanceState> s) : s_(std::move(s)) {}
  void execute() override {
    s_->clear_stop();
    s_->current()->execute(*s_);
    s_->drain_output();
  }
  void complete(Napi::Env env) override {
    Napi::HandleScope scope(env);
    s_->current()->complete(env, *s_);
    s_->finish(env);
  }

 private:
  std::shared_ptr<InstanceState> s_;
};

}  // namespace

// Resumes an operation's fiber on a worker after its inline slice, to the end.
class FiberJob final : public Job {
 public:
  explicit FiberJob(std::shared_ptr<InstanceState> s) : s_(std::move(s)) {}
  void execute() override {
    s_->fiber_->resume();  // off the main thread nothing suspends it
    s_->drain_output();
  }
  void complete(Napi::Env env) override {
    Napi::HandleScope scope(env);
    s_->fiber_.reset();
    s_->current()->complete(env, *s_);
    s_->finish(env);
  }

 private:
  std::shared_ptr<InstanceState> s_;
};

InstanceState::InstanceState(Runtime& r, Module m, StoreLimits limits, InstanceDefaults d)
    : rt(r), module(std::move(m)), store(std::make_unique<Store>(limits)), defaults(d) {
  store->set_check_hook(&InstanceState::check_hook, this);
  rt.add_interruptible(this);
}

void InstanceState::close_owned_fds() {
  for (int fd : owned_fds) close(fd);
  owned_fds.clear();
}

InstanceState::~InstanceState() {
  close_owned_fds();
  rt.remove_interruptible(this);
  instance = Instance();
  store.reset();
  wasi.reset();  // closes the guest's copies of the output pipes: the readers see EOF
  for (auto& s : sinks) s->join();
}

void InstanceState::enqueue(Napi::Env env, std::unique_ptr<Op> op) {
  queue_.push_back(std::move(op));
  if (!current_) start_next(env);
}

void InstanceState::start_next(Napi::Env env) {
  while (!current_ && !queue_.empty()) {
    current_ = std::move(queue_.front());
    queue_.pop_front();
    if (current_->on_main()) {
      current_->start_main(env, *this);  // calls finish(), possibly later
      return;
    }
    if (current_->can_inline() && inline_ok(env)) {
      if (!run_inline(env)) return;
      current_.reset();
      continue;
    }
    rt.run(env, std::make_unique<OpJob>(shared_from_this()));
  }
  if (!current_ && disposed_ && store) {
    instance = Instance();
    store.reset();
    wasi.reset();
  }
}

bool InstanceState::inline_ok(Napi::Env) const {
  return inline_slice.count() > 0 && !wasi && sinks.empty() && !rt.closing();
}

bool InstanceState::run_inline(Napi::Env env) {
  Op* op = current_.get();
  try {
    fiber_ = std::make_unique<CallFiber>([this, op] {
      clear_stop();
      op->execute(*this);
    });
  } catch (const std::exception&) {  // no stack: the pool runs it as usual
    rt.run(env, std::make_unique<OpJob>(shared_from_this()));
    return false;
  }
  auto keep = shared_from_this();  // a host function may drop every other reference
  const auto began = std::chrono::steady_clock::now();
  for (;;) {
    const auto start = std::chrono::steady_clock::now();
    // The runtime's allowance counts guest time (JavaScript host functions
    // would run on this thread on the pool path too); the continuous bound
    // counts both, so that a guest calling a host function in a loop cannot
    // hold the event loop either.
    const auto allowance = std::min(rt.inline_allowance(start), Runtime::kInlineContinuous - (start - began));
    if (allowance.count() <= 0) break;
    slice_end_ = start + std::min(inline_slice, allowance);
    inline_now_ = true;
    const CallFiber::Stop why = fiber_->resume();
    inline_now_ = false;
    rt.charge_inline(std::chrono::steady_clock::now() - start);
    if (why == CallFiber::Stop::Finished) {
      fiber_.reset();
      Napi::HandleScope scope(env);
      op->complete(env, *this);
      return true;
    }
    if (why != CallFiber::Stop::Host || !run_host_call_inline(env, *this, std::move(inline_host_))) break;
  }
  // The slice is used up, or an asynchronous host function is pending: a
  // worker goes on with the fiber where it stopped.
  rt.run(env, std::make_unique<FiberJob>(shared_from_this()));
  return false;
}

void InstanceState::yield_host(std::shared_ptr<HostCall> call) {
  inline_host_ = std::move(call);
  fiber_->suspend(CallFiber::Stop::Host);
}

void InstanceState::finish(Napi::Env env) {
  current_.reset();
  start_next(env);
}

bool InstanceState::abort(Napi::Env env, uint64_t id) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if ((*it)->abort_id == id) {
      (*it)->deferred.Reject(error_to_js(env, Error(ErrorCode::DeadlineExceeded, "aborted before it started")));
      queue_.erase(it);
      return true;
    }
  }
  if (current_ && current_->abort_id == id && !current_->on_main()) {
    current_->aborted.store(true);
    // Stops the guest at its next loop back-edge or call (thread-safe).
    stop_.store(true, std::memory_order_relaxed);
    notify_host();
    return true;
  }
  return false;
}

void InstanceState::dispose(Napi::Env env) {
  disposed_ = true;
  if (!current_) start_next(env);
}

void InstanceState::arm(const Op& op, uint64_t fuel) {
  store->set_fuel(fuel);
  if (op.deadline) {
    store->set_deadline(*op.deadline);
    if (wasi) wasi->set_deadline(*op.deadline);
  } else {
    store->clear_deadline();
  }
}

void InstanceState::drain_output() {
  for (auto& s : sinks) s->drain();
}

bool InstanceState::check_hook(void* self) {
  auto* s = static_cast<InstanceState*>(self);
  if (s->inline_now_ && std::chrono::steady_clock::now() >= s->slice_end_) {
    s->fiber_->suspend(CallFiber::Stop::Slice);  // resumed on a worker
  }
  // closing(): a stop at exit must hold even if an operation starting at
  // that moment cleared stop_.
  return !s->stop_.load(std::memory_order_relaxed) && !s->rt.closing();
}

void InstanceState::interrupt_for_shutdown() {
  stop_.store(true, std::memory_order_relaxed);
  notify_host();
}

}  // namespace vivarium::node
