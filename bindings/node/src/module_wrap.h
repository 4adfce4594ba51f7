// A compiled module as a JavaScript object. Compilation runs on the pool;
// the result is immutable and shared by every instance made from it (many
// readers, no locks).
#pragma once
#include <napi.h>

#include <optional>

#include "vivarium/module.h"

namespace vivarium::node {

class ModuleWrap : public Napi::ObjectWrap<ModuleWrap> {
 public:
  static void init(Napi::Env env, Napi::Object exports);
  static Napi::Object wrap(Napi::Env env, Module module);
  static ModuleWrap* unwrap(Napi::Value v);  // null when v is not a module
  explicit ModuleWrap(const Napi::CallbackInfo& info);

  const Module& module() const { return *module_; }

 private:
  static Napi::Value compile_bytes(const Napi::CallbackInfo& info);
  static Napi::Value compile_file(const Napi::CallbackInfo& info);
  Napi::Value imports(const Napi::CallbackInfo& info);
  Napi::Value exports(const Napi::CallbackInfo& info);

  std::optional<Module> module_;
};

}  // namespace vivarium::node
