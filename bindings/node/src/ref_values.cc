#include "ref_values.h"

#include "instance_state.h"

namespace vivarium::node {

// Index k is stored as the reference k + 1 (never dereferenced: the engine
// only keeps and compares externref pointers).
Ref ExternRefs::from_js(Napi::Value v) {
  Napi::Env env = v.Env();
  if (values_.IsEmpty()) {
    values_ = Napi::Persistent(Napi::Array::New(env).As<Napi::Object>());
    Napi::Function map = env.Global().Get("Map").As<Napi::Function>();
    index_ = Napi::Persistent(map.New({}));
  }
  Napi::Object index = index_.Value();
  Napi::Value known = index.Get("get").As<Napi::Function>().Call(index, {v});
  uint32_t k;
  if (known.IsNumber()) {
    k = known.As<Napi::Number>().Uint32Value();
  } else {
    Napi::Array values = values_.Value().As<Napi::Array>();
    k = values.Length();
    values.Set(k, v);
    index.Get("set").As<Napi::Function>().Call(index, {v, Napi::Number::New(env, k)});
  }
  return Ref{reinterpret_cast<void*>(static_cast<uintptr_t>(k) + 1)};
}

Napi::Value ExternRefs::to_js(Napi::Env env, Ref r) const {
  if (r.is_null()) return env.Null();
  const uintptr_t k = reinterpret_cast<uintptr_t>(r.ptr) - 1;
  if (values_.IsEmpty()) return env.Undefined();
  Napi::Array values = values_.Value().As<Napi::Array>();
  return k < values.Length() ? values.Get(static_cast<uint32_t>(k)) : env.Undefined();
}

void FuncRefWrap::init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "FuncRef", {});
  auto* ref = new Napi::FunctionReference(Napi::Persistent(cls));
  env.AddCleanupHook([ref] { delete ref; });
  Runtime::of(env).funcref_ctor = ref;
  exports.Set("FuncRef", cls);
}

FuncRefWrap::FuncRefWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FuncRefWrap>(info) {}

Napi::Object FuncRefWrap::wrap(Napi::Env env, std::shared_ptr<InstanceState> owner, vivarium::Ref ref) {
  Napi::Object o = Runtime::of(env).funcref_ctor->New({});
  FuncRefWrap* w = Unwrap(o);
  w->owner_ = std::move(owner);
  w->ref_ = ref;
  return o;
}

Result<vivarium::Ref> FuncRefWrap::unwrap(Napi::Value v, const InstanceState& owner, const std::string& what) {
  if (v.IsNull() || v.IsUndefined()) return vivarium::Ref{};
  const Napi::FunctionReference* ctor = Runtime::of(v.Env()).funcref_ctor;
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(ctor->Value())) {
    return Error(ErrorCode::Usage, what + ": expected a FuncRef or null (funcref)");
  }
  FuncRefWrap* w = Unwrap(v.As<Napi::Object>());
  if (!w->owner_ || w->owner_.get() != &owner) {
    return Error(ErrorCode::Usage, what + ": this FuncRef belongs to another instance");
  }
  if (!owner.store) return Error(ErrorCode::Usage, what + ": the instance was disposed");
  return w->ref_;
}

}  // namespace vivarium::node
