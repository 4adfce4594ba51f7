#include "host_fn.h"

#include "convert.h"
#include "engine/api/value_slots.h"
#include "instance_state.h"
#include "memory_view_wrap.h"

namespace vivarium::node {
namespace {

}  // namespace

// One call in flight: written by the main thread, read by the waiting worker
// under the instance's host mutex.
struct HostCall {
  std::shared_ptr<HostFn> fn;
  std::vector<Value> args;
  MemoryView memory;
  std::shared_ptr<ViewSource> view;  // what JavaScript holds of `memory`
  bool done = false;
  bool abandoned = false;  // the guest stopped waiting (abort, deadline, exit)
  Result<std::vector<Value>> result = Error(ErrorCode::Internal, "host function did not return");
};

namespace {

std::string js_message(Napi::Value reason) {
  if (reason.IsObject()) {
    Napi::Value m = reason.As<Napi::Object>().Get("message");
    if (m.IsString()) return m.As<Napi::String>().Utf8Value();
  }
  Napi::String s = reason.ToString();
  return s.Utf8Value();
}

Result<std::vector<Value>> results_from_js(Napi::Value v, const FuncType& type, InstanceState& s) {
  std::vector<Value> out;
  const auto& rs = type.results;
  if (rs.empty()) return out;
  if (rs.size() == 1) {
    VIV_TRY_ASSIGN(Value x, value_from_js(v, rs[0], "host function result", &s));
    out.push_back(x);
    return out;
  }
  if (!v.IsArray() || v.As<Napi::Array>().Length() != rs.size()) {
    return Error(ErrorCode::HostTrap, "host function must return an array of " + std::to_string(rs.size()) + " results");
  }
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < rs.size(); ++i) {
    VIV_TRY_ASSIGN(Value x, value_from_js(a.Get(i), rs[i], "host function result " + std::to_string(i), &s));
    out.push_back(x);
  }
  return out;
}

class HostCallTask final : public MainTask {
 public:
  HostCallTask(std::shared_ptr<InstanceState> s, std::shared_ptr<HostCall> c) : s_(std::move(s)), c_(std::move(c)) {}

  void run(Napi::Env env) override {
    Napi::HandleScope scope(env);
    {
      std::lock_guard lk(s_->host_mutex());
      if (c_->abandoned) return;
    }
    std::shared_ptr<ViewSource> view;
    std::vector<napi_value> argv;
    if (c_->fn->with_caller) {
      view = std::make_shared<ViewSource>(c_->memory);
      {
        std::lock_guard lk(s_->host_mutex());
        c_->view = view;
      }
      Napi::Object caller = Napi::Object::New(env);
      caller.Set("memory", MemoryViewWrap::wrap(env, view));
      argv.push_back(caller);
    }
    for (const Value& a : c_->args) argv.push_back(value_to_js(env, a, s_.get()));
    Napi::Value r;
    // While the function runs synchronously, a call on this instance is
    // re-entrant (it would queue behind the call waiting for us).
    ++s_->host_depth;
    try {
      r = c_->fn->fn.Call(argv);
      --s_->host_depth;
    } catch (const Napi::Error& e) {
      --s_->host_depth;
      settle(env, Error(ErrorCode::HostTrap, js_message(e.Value())), view);
      return;
    }
    if (!r.IsPromise()) {
      settle(env, results_from_js(r, c_->fn->type, *s_), view);
      return;
    }
    auto s = s_;
    auto c = c_;
    auto on_ok = Napi::Function::New(env, [s, c, view](const Napi::CallbackInfo& info) {
      settle_with(info.Env(), s, c, results_from_js(info[0], c->fn->type, *s), view);
    });
    auto on_err = Napi::Function::New(env, [s, c, view](const Napi::CallbackInfo& info) {
      settle_with(info.Env(), s, c, Error(ErrorCode::HostTrap, js_message(info[0])), view);
    });
    r.As<Napi::Object>().Get("then").As<Napi::Function>().Call(r, {on_ok, on_err});
  }

 private:
  void settle(Napi::Env env, Result<std::vector<Value>> r, const std::shared_ptr<ViewSource>& view) {
    settle_with(env, s_, c_, std::move(r), view);
  }
  static void settle_with(Napi::Env, const std::shared_ptr<InstanceState>& s, const std::shared_ptr<HostCall>& c,
                          Result<std::vector<Value>> r, const std::shared_ptr<ViewSource>& view) {
    if (view) view->invalidate();
    {
      std::lock_guard lk(s->host_mutex());
      c->result = std::move(r);
      c->done = true;
    }
    s->notify_host();
  }

  std::shared_ptr<InstanceState> s_;
  std::shared_ptr<HostCall> c_;
};

}  // namespace

bool run_host_call_inline(Napi::Env env, InstanceState& s, std::shared_ptr<HostCall> call) {
  HostCallTask(s.shared_from_this(), call).run(env);
  std::lock_guard lk(s.host_mutex());
  return call->done;
}

HostFuncDef make_host_func(std::shared_ptr<HostFn> fn, InstanceState* state) {
  HostFuncDef def;
  def.type = fn->type;
  def.fn = [fn, state](Caller& caller, const RawSlot* args, RawSlot* results) -> Result<void> {
    auto call = std::make_shared<HostCall>();
    call->fn = fn;
    size_t slot = 0;
    for (ValType t : fn->type.params) {
      call->args.push_back(detail::from_slots(t, args + slot));
      slot += detail::slots_of(t);
    }
    if (fn->with_caller) call->memory = caller.memory();
    if (state->running_inline()) {
      state->yield_host(call);  // back here on the main thread or on a worker
    } else if (!state->rt.post(new HostCallTask(state->shared_from_this(), call))) {
      return Error(ErrorCode::HostTrap, "the JavaScript environment is shutting down");
    }
    if (!state->wait_host([&] { return call->done; })) {
      std::lock_guard lk(state->host_mutex());
      call->abandoned = true;
      // The guest goes on (to its trap): JavaScript must not touch its memory.
      if (call->view) call->view->invalidate();
      Op* op = state->current();
      if (op && op->aborted.load()) return Error(ErrorCode::DeadlineExceeded, "aborted");
      if (state->rt.closing()) return Error(ErrorCode::HostTrap, "the JavaScript environment is shutting down");
      return Error(ErrorCode::DeadlineExceeded, "deadline exceeded while a host function ran");
    }
    if (!call->result.ok()) return std::move(call->result).error();
    slot = 0;
    for (const Value& v : call->result.value()) {
      detail::to_slots(v, results + slot);
      slot += detail::slots_of(v.type());
    }
    return {};
  };
  return def;
}

}  // namespace vivarium::node
