// @vivarium/node's native part: registers the wrapped classes. The
// JavaScript API (lib/index.js) is built on these.
#include <fcntl.h>
#include <napi.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "edge.h"
#include "instance_wrap.h"
#include "linker_wrap.h"
#include "memory_view_wrap.h"
#include "module_wrap.h"
#include "ref_values.h"
#include "runtime.h"

namespace vivarium::node {
namespace {

Napi::Value set_error_class(const Napi::CallbackInfo& info) {
  Runtime::of(info.Env()).error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value pool_size(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Runtime::of(info.Env()).pool().size()));
}

// makePipe() -> [readFd, writeFd] (close-on-exec): a guest's stdin fed
// from a JavaScript stream (lib/index.js).
Napi::Value make_pipe(const Napi::CallbackInfo& info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Napi::Error::New(info.Env(), std::string("pipe: ") + std::strerror(errno));
  Napi::Array a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, Napi::Number::New(info.Env(), fds[0]));
  a.Set(1u, Napi::Number::New(info.Env(), fds[1]));
  return a;
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  Runtime::init(env);
  ModuleWrap::init(env, exports);
  LinkerWrap::init(env, exports);
  InstanceWrap::init(env, exports);
  MemoryViewWrap::init(env, exports);
  FuncRefWrap::init(env, exports);
  init_edge(env, exports);
  exports.Set("setErrorClass", Napi::Function::New(env, set_error_class));
  exports.Set("poolSize", Napi::Function::New(env, pool_size));
  exports.Set("makePipe", Napi::Function::New(env, make_pipe));
  return exports;
}

}  // namespace
}  // namespace vivarium::node

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return vivarium::node::init(env, exports); }
NODE_API_MODULE(vivarium_node, InitAddon)
