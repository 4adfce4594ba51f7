#include "instance_state.h"

#include "convert.h"
#include "output_sink.h"

namespace vivarium::node {
namespace {

// Runs the current operation of an instance on the pool.
class OpJob final : public Job {
 public:
  explicit OpJob(std::shared_ptr<InstanceState> s) : s_(std::move(s)) {}
  void execute() override {
    s_->consume_stale_interrupt();
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
  rt.add_interruptible(this);
}

InstanceState::~InstanceState() {
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
    interrupt_may_be_pending_.store(true);
    if (store) store->interrupt();
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

void InstanceState::consume_stale_interrupt() {
  if (!interrupt_may_be_pending_.exchange(false) || !store) return;
  static const Result<Module> drain_module = Module::from_text("(module (func (export \"f\") (loop br 0)))");
  if (!drain_module.ok()) return;
  if (!drain_.valid()) {
    auto inst = Linker().instantiate(*store, *drain_module);
    if (!inst.ok()) return;
    drain_ = *inst;
  }
  // One unit of fuel: the loop's second back-edge reaches the engine's check,
  // which takes the interrupt if it is set and runs out of fuel otherwise.
  store->set_fuel(1);
  store->clear_deadline();
  (void)drain_.call("f", {});
}

void InstanceState::interrupt_for_shutdown() {
  if (store) store->interrupt();
  notify_host();
}

}  // namespace vivarium::node
