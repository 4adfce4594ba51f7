// An instance as a JavaScript object: call, abort, withMemory, global,
// dispose. It holds its InstanceState by shared_ptr; a running call holds
// it too, so collecting this object during a call is safe.
#pragma once
#include <napi.h>

#include <memory>

#include "instance_state.h"

namespace vivarium::node {

class InstanceWrap : public Napi::ObjectWrap<InstanceWrap> {
 public:
  static void init(Napi::Env env, Napi::Object exports);
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<InstanceState> s);
  explicit InstanceWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value call(const Napi::CallbackInfo& info);
  Napi::Value abort(const Napi::CallbackInfo& info);
  Napi::Value with_memory(const Napi::CallbackInfo& info);
  Napi::Value global(const Napi::CallbackInfo& info);
  Napi::Value set_global(const Napi::CallbackInfo& info);
  Napi::Value exports(const Napi::CallbackInfo& info);
  Napi::Value dispose(const Napi::CallbackInfo& info);
  Napi::Value fuel_remaining(const Napi::CallbackInfo& info);
  InstanceState& state(Napi::Env env);

  std::shared_ptr<InstanceState> s_;
};

}  // namespace vivarium::node
