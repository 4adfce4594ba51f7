#include "instance_ops.h"

#include "convert.h"
#include "instance_wrap.h"
#include "memory_view_wrap.h"

namespace vivarium::node {

void InstantiateOp::execute(InstanceState& s) {
  s.arm(*this, s.defaults.fuel);
  result_ = s.linker.instantiate(*s.store, s.module);
}

void InstantiateOp::complete(Napi::Env env, InstanceState& s) {
  if (!result_.ok()) {
    deferred.Reject(error_to_js(env, result_.error()));
    s.dispose(env);
    return;
  }
  s.instance = result_.value();
  deferred.Resolve(InstanceWrap::wrap(env, s.shared_from_this()));
}

void CallOp::execute(InstanceState& s) {
  s.arm(*this, fuel_);
  result_ = fn_.call(args_);
  if (!result_.ok() && aborted.load() && result_.error().code() == ErrorCode::DeadlineExceeded) {
    result_ = Error(ErrorCode::DeadlineExceeded, "aborted");
  }
}

void CallOp::complete(Napi::Env env, InstanceState& s) {
  if (result_.ok()) deferred.Resolve(results_to_js(env, result_.value(), &s));
  else deferred.Reject(error_to_js(env, result_.error()));
}

void MemoryOp::start_main(Napi::Env env, InstanceState& s) {
  Napi::HandleScope scope(env);
  std::optional<Memory> mem = name_.empty() ? s.instance.memory(uint32_t{0}) : s.instance.memory(name_);
  if (!mem) {
    deferred.Reject(error_to_js(env, Error(ErrorCode::NotFound, name_.empty() ? "the instance has no memory"
                                                                              : "no exported memory \"" + name_ + "\"")));
    s.finish(env);
    return;
  }
  auto view = std::make_shared<ViewSource>(*mem);
  Napi::Value r;
  try {
    r = cb_.Call({MemoryViewWrap::wrap(env, view)});
  } catch (const Napi::Error& e) {
    view->invalidate();
    deferred.Reject(e.Value());
    s.finish(env);
    return;
  }
  if (!r.IsPromise()) {
    view->invalidate();
    deferred.Resolve(r);
    s.finish(env);
    return;
  }
  // The instance stays ours until the callback's promise settles.
  auto state = s.shared_from_this();
  auto settle = [state, view, this](Napi::Env e, Napi::Value v, bool ok) {
    view->invalidate();
    if (ok) deferred.Resolve(v);
    else deferred.Reject(v);
    state->finish(e);  // deletes this op
  };
  auto on_ok = Napi::Function::New(env, [settle](const Napi::CallbackInfo& info) { settle(info.Env(), info[0], true); });
  auto on_err = Napi::Function::New(env, [settle](const Napi::CallbackInfo& info) { settle(info.Env(), info[0], false); });
  r.As<Napi::Object>().Get("then").As<Napi::Function>().Call(r, {on_ok, on_err});
}

void GlobalOp::start_main(Napi::Env env, InstanceState& s) {
  Napi::HandleScope scope(env);
  std::optional<Global> g = s.instance.global(name_);
  if (g) deferred.Resolve(value_to_js(env, g->get(), &s));
  else deferred.Reject(error_to_js(env, Error(ErrorCode::NotFound, "no exported global \"" + name_ + "\"")));
  s.finish(env);
}

void SetGlobalOp::start_main(Napi::Env env, InstanceState& s) {
  Napi::HandleScope scope(env);
  Result<void> r = global_.set(value_);
  if (r.ok()) deferred.Resolve(env.Undefined());
  else deferred.Reject(error_to_js(env, r.error()));
  s.finish(env);
}

}  // namespace vivarium::node
