#include "linker_wrap.h"

#include "convert.h"
#include "host/wasi/wasi.h"
#include "instance_ops.h"
#include "module_wrap.h"
#include "options.h"
#include "output_sink.h"

namespace vivarium::node {

void LinkerWrap::init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeLinker",
                                   {InstanceMethod<&LinkerWrap::define>("define"),
                                    InstanceMethod<&LinkerWrap::instantiate>("instantiate")});
  exports.Set("NativeLinker", cls);
}

LinkerWrap::LinkerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LinkerWrap>(info) {}

// define(module, name, params, results, fn, withCaller)
Napi::Value LinkerWrap::define(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString() || !info[4].IsFunction()) {
    throw Napi::TypeError::New(env, "Linker.define(module, name, { params, results }, fn)");
  }
  std::string where = info[0].As<Napi::String>().Utf8Value() + "." + info[1].As<Napi::String>().Utf8Value();
  auto params = types_from_js(info[2], where + " params");
  auto results = types_from_js(info[3], where + " results");
  if (!params.ok()) throw Napi::TypeError::New(env, params.error().message());
  if (!results.ok()) throw Napi::TypeError::New(env, results.error().message());
  auto fn = std::make_shared<HostFn>();
  fn->type.params = std::move(*params);
  fn->type.results = std::move(*results);
  fn->fn = Napi::Persistent(info[4].As<Napi::Function>());
  fn->with_caller = info[5].ToBoolean().Value();
  std::string module = info[0].As<Napi::String>().Utf8Value(), name = info[1].As<Napi::String>().Utf8Value();
  for (Def& d : defs_) {
    if (d.module == module && d.name == name) {
      d.fn = fn;
      return info.This();
    }
  }
  defs_.push_back({std::move(module), std::move(name), std::move(fn)});
  return info.This();
}

// instantiate(module, { limits, wasi })
Napi::Value LinkerWrap::instantiate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ModuleWrap* m = ModuleWrap::unwrap(info[0]);
  auto d = Napi::Promise::Deferred::New(env);
  auto fail = [&](const Error& e) {
    d.Reject(error_to_js(env, e));
    return d.Promise();
  };
  if (!m) return fail(Error(ErrorCode::Usage, "Linker.instantiate: expected a Module"));
  Napi::Object opts = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
  StoreLimits limits;
  InstanceDefaults defaults;
  if (auto r = read_limits(opts.Get("limits"), limits, defaults); !r.ok()) return fail(r.error());

  auto s = std::make_shared<InstanceState>(Runtime::of(env), m->module(), limits, defaults);
  Napi::Value slice = opts.Get("mainThreadSliceMicros");
  if (slice.IsNumber()) {
    double us = slice.As<Napi::Number>().DoubleValue();
    if (!(us >= 0) || us > 1000) return fail(Error(ErrorCode::Usage, "mainThreadSliceMicros: expected 0 to 1000"));
    s->inline_slice = std::chrono::microseconds(static_cast<int64_t>(us));
  }
  Napi::Value w = opts.Get("wasi");
  if (w.IsObject()) {
    auto config = read_wasi(w, *s);
    if (!config.ok()) return fail(config.error());
    auto ctx = wasi::WasiCtx::create(std::move(*config));
    if (!ctx.ok()) return fail(ctx.error());
    s->wasi = std::move(*ctx);
    s->close_owned_fds();
    for (auto& sink : s->sinks) sink->start();
    wasi::add_to_linker(s->linker, *s->wasi);
  }
  for (const Def& def : defs_) s->linker.define(def.module, def.name, make_host_func(def.fn, s.get()));

  auto op = std::make_unique<InstantiateOp>(env);
  if (defaults.timeout_ms > 0) {
    op->deadline = std::chrono::steady_clock::now() +
                   std::chrono::microseconds(static_cast<int64_t>(defaults.timeout_ms * 1000));
  }
  Napi::Promise p = op->deferred.Promise();
  s->enqueue(env, std::move(op));
  return p;
}

}  // namespace vivarium::node
