// The Linker as a JavaScript object: host functions written in JavaScript,
// and instantiate(module, options), which builds a Store (limits), a WASI
// context when asked (args, env, preopens, stdio), links and instantiates
// on the pool.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "host_fn.h"

namespace vivarium::node {

class LinkerWrap : public Napi::ObjectWrap<LinkerWrap> {
 public:
  static void init(Napi::Env env, Napi::Object exports);
  explicit LinkerWrap(const Napi::CallbackInfo& info);

 private:
  struct Def {
    std::string module, name;
    std::shared_ptr<HostFn> fn;
  };
  Napi::Value define(const Napi::CallbackInfo& info);
  Napi::Value instantiate(const Napi::CallbackInfo& info);

  std::vector<Def> defs_;
};

}  // namespace vivarium::node
