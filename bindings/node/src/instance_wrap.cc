#include "instance_wrap.h"

#include <cmath>

#include "convert.h"
#include "instance_ops.h"

namespace vivarium::node {
namespace {

std::optional<std::chrono::steady_clock::time_point> deadline_after(double ms) {
  if (!(ms > 0)) return std::nullopt;
  return std::chrono::steady_clock::now() + std::chrono::microseconds(static_cast<int64_t>(ms * 1000));
}

Napi::Value rejected(Napi::Env env, const Error& e) {
  auto d = Napi::Promise::Deferred::New(env);
  d.Reject(error_to_js(env, e));
  return d.Promise();
}

}  // namespace

void InstanceWrap::init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeInstance",
                                   {InstanceMethod<&InstanceWrap::call>("call"),
                                    InstanceMethod<&InstanceWrap::abort>("abort"),
                                    InstanceMethod<&InstanceWrap::with_memory>("withMemory"),
                                    InstanceMethod<&InstanceWrap::global>("global"),
                                    InstanceMethod<&InstanceWrap::set_global>("setGlobal"),
                                    InstanceMethod<&InstanceWrap::exports>("exports"),
                                    InstanceMethod<&InstanceWrap::dispose>("dispose"),
                                    InstanceMethod<&InstanceWrap::fuel_remaining>("fuelRemaining")});
  auto* ref = new Napi::FunctionReference(Napi::Persistent(cls));
  env.AddCleanupHook([ref] { delete ref; });
  Runtime::of(env).instance_ctor = ref;
  exports.Set("NativeInstance", cls);
}

Napi::Object InstanceWrap::wrap(Napi::Env env, std::shared_ptr<InstanceState> s) {
  Napi::Object o = Runtime::of(env).instance_ctor->New({});
  Unwrap(o)->s_ = std::move(s);
  return o;
}

InstanceWrap::InstanceWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<InstanceWrap>(info) {}

InstanceState& InstanceWrap::state(Napi::Env env) {
  if (!s_) throw Napi::Error::New(env, "not an instance (use linker.instantiate)");
  return *s_;
}

// call(name, args[], fuel, timeoutMs, abortId)
Napi::Value InstanceWrap::call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  InstanceState& s = state(env);
  if (s.disposed()) return rejected(env, Error(ErrorCode::Usage, "the instance was disposed"));
  if (s.host_depth > 0) {
    // The call would queue behind the one waiting for this host function.
    // (Only the synchronous part of a host function is recognized: one that
    // awaits a call on its own instance waits until the outer call's
    // timeout or abort.)
    return rejected(env, Error(ErrorCode::Usage, "a host function cannot call back into its own instance"));
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::optional<Function> fn = s.instance.func(name);
  if (!fn) return rejected(env, Error(ErrorCode::NotFound, "no exported function \"" + name + "\""));
  const FuncType& type = fn->type();
  Napi::Array a = info[1].As<Napi::Array>();
  if (a.Length() != type.params.size()) {
    return rejected(env, Error(ErrorCode::Usage, name + ": expected " + std::to_string(type.params.size()) +
                                                     " arguments " + type.to_string() + ", got " +
                                                     std::to_string(a.Length())));
  }
  std::vector<vivarium::Value> args;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    auto v = value_from_js(a.Get(i), type.params[i], name + " argument " + std::to_string(i), &s);
    if (!v.ok()) return rejected(env, v.error());
    args.push_back(*v);
  }
  uint64_t fuel = s.defaults.fuel;
  if (info[2].IsBigInt()) {
    bool lossless;
    fuel = info[2].As<Napi::BigInt>().Uint64Value(&lossless);
  } else if (info[2].IsNumber()) {
    fuel = static_cast<uint64_t>(std::max(0.0, info[2].As<Napi::Number>().DoubleValue()));
  }
  double timeout = info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : s.defaults.timeout_ms;
  auto op = std::make_unique<CallOp>(env, *fn, std::move(args), fuel);
  // The deadline counts from now: time spent queued behind other calls counts.
  op->deadline = deadline_after(timeout);
  op->abort_id = info[4].IsNumber() ? static_cast<uint64_t>(info[4].As<Napi::Number>().Int64Value()) : 0;
  Napi::Promise p = op->deferred.Promise();
  s.enqueue(env, std::move(op));
  return p;
}

Napi::Value InstanceWrap::abort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t id = static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
  return Napi::Boolean::New(env, id != 0 && state(env).abort(env, id));
}

Napi::Value InstanceWrap::with_memory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  InstanceState& s = state(env);
  if (s.disposed()) return rejected(env, Error(ErrorCode::Usage, "the instance was disposed"));
  std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "withMemory: expected a callback");
  auto op = std::make_unique<MemoryOp>(env, std::move(name), info[1].As<Napi::Function>());
  Napi::Promise p = op->deferred.Promise();
  s.enqueue(env, std::move(op));
  return p;
}

Napi::Value InstanceWrap::global(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  InstanceState& s = state(env);
  if (s.disposed()) return rejected(env, Error(ErrorCode::Usage, "the instance was disposed"));
  auto op = std::make_unique<GlobalOp>(env, info[0].As<Napi::String>().Utf8Value());
  Napi::Promise p = op->deferred.Promise();
  s.enqueue(env, std::move(op));
  return p;
}

// setGlobal(name, value): queued like a call, so it never lands mid-call.
Napi::Value InstanceWrap::set_global(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  InstanceState& s = state(env);
  if (s.disposed()) return rejected(env, Error(ErrorCode::Usage, "the instance was disposed"));
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::optional<Global> g = s.instance.global(name);
  if (!g) return rejected(env, Error(ErrorCode::NotFound, "no exported global \"" + name + "\""));
  if (!g->type().mut) return rejected(env, Error(ErrorCode::Usage, "global " + name + " is immutable"));
  auto v = value_from_js(info[1], g->type().type, "global " + name, &s);
  if (!v.ok()) return rejected(env, v.error());
  auto op = std::make_unique<SetGlobalOp>(env, *g, *v);
  Napi::Promise p = op->deferred.Promise();
  s.enqueue(env, std::move(op));
  return p;
}

Napi::Value InstanceWrap::exports(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& list = state(env).module.exports();
  Napi::Array a = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) a.Set(static_cast<uint32_t>(i), export_to_js(env, list[i]));
  return a;
}

Napi::Value InstanceWrap::dispose(const Napi::CallbackInfo& info) {
  state(info.Env()).dispose(info.Env());
  return info.Env().Undefined();
}

// Fuel left after the last call (meaningful between calls only).
Napi::Value InstanceWrap::fuel_remaining(const Napi::CallbackInfo& info) {
  InstanceState& s = state(info.Env());
  return Napi::BigInt::New(info.Env(), s.store && !s.current() ? s.store->fuel_remaining() : uint64_t{0});
}

}  // namespace vivarium::node
