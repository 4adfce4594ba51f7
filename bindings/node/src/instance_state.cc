#include "instance_state.h"

#include <unistd.h>

#include "convert.h"
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
    rt.run(env, std::make_unique<OpJob>(shared_from_this()));
  }
  if (!current_ && disposed_ && store) {
    instance = Instance();
    store.reset();
    wasi.reset();
  }
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
  // closing(): a stop at exit must hold even if an operation starting at
  // that moment cleared stop_.
  return !s->stop_.load(std::memory_order_relaxed) && !s->rt.closing();
}

void InstanceState::interrupt_for_shutdown() {
  stop_.store(true, std::memory_order_relaxed);
  notify_host();
}

}  // namespace vivarium::node
