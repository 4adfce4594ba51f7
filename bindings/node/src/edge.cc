#include "edge.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "convert.h"
#include "host/terrarium/guest_runner.h"
#include "module_wrap.h"
#include "runtime.h"

namespace vivarium::node {
namespace {

// The executor the fiber runner needs: one io_context on one thread, made on
// first use and stopped with the environment.
class EdgeLoop {
 public:
  EdgeLoop() : guard_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~EdgeLoop() { stop(); }
  void stop() {
    guard_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  boost::asio::any_io_executor executor() { return io_.get_executor(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

EdgeLoop& edge_loop(Runtime& rt) {
  if (!rt.edge) {
    auto loop = std::make_shared<EdgeLoop>();
    rt.add_shutdown_hook([loop] { loop->stop(); });
    rt.edge = loop;
  }
  return *static_cast<EdgeLoop*>(rt.edge.get());
}

class LogTask final : public MainTask {
 public:
  LogTask(std::shared_ptr<Napi::FunctionReference> fn, std::string line) : fn_(std::move(fn)), line_(std::move(line)) {}
  void run(Napi::Env env) override {
    Napi::HandleScope scope(env);
    fn_->Call({Napi::String::New(env, line_)});
  }

 private:
  std::shared_ptr<Napi::FunctionReference> fn_;
  std::string line_;
};

class OutcomeTask final : public MainTask {
 public:
  OutcomeTask(Runtime& rt, Napi::Promise::Deferred d, terrarium::Outcome o, std::shared_ptr<void> keep)
      : rt_(rt), d_(d), o_(std::move(o)), keep_(std::move(keep)) {}
  void run(Napi::Env env) override {
    Napi::HandleScope scope(env);
    rt_.release(env);
    static const char* const kinds[] = {"ok", "trap", "panic", "timeout", "outOfFuel", "limit", "internal"};
    Napi::Object r = Napi::Object::New(env);
    r.Set("status", Napi::Number::New(env, o_.response.status));
    Napi::Array h = Napi::Array::New(env, o_.response.headers.size());
    for (size_t i = 0; i < o_.response.headers.size(); ++i) {
      Napi::Array pair = Napi::Array::New(env, 2);
      pair.Set(0u, Napi::String::New(env, o_.response.headers[i].first));
      pair.Set(1u, Napi::String::New(env, o_.response.headers[i].second));
      h.Set(static_cast<uint32_t>(i), pair);
    }
    r.Set("headers", h);
    r.Set("body", Napi::Buffer<char>::Copy(env, o_.response.body.data(), o_.response.body.size()));
    r.Set("kind", Napi::String::New(env, kinds[static_cast<int>(o_.kind)]));
    r.Set("message", Napi::String::New(env, o_.message));
    d_.Resolve(r);
  }

 private:
  Runtime& rt_;
  Napi::Promise::Deferred d_;
  terrarium::Outcome o_;
  std::shared_ptr<void> keep_;
};

std::string str(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

double num(Napi::Object o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

// handle(nativeModule, { method, target, headers: [[name, value]...], body, clientIp },
//        { timeout, fuel, maxMemoryBytes, egress: [grants], log })
Napi::Value handle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto d = Napi::Promise::Deferred::New(env);
  auto fail = [&](const Error& e) {
    d.Reject(error_to_js(env, e));
    return d.Promise();
  };
  ModuleWrap* m = ModuleWrap::unwrap(info[0]);
  if (!m || !info[1].IsObject()) return fail(Error(ErrorCode::Usage, "handle(module, request)"));
  Napi::Object req = info[1].As<Napi::Object>();
  Napi::Object opts = info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(env);

  terrarium::HttpRequest r;
  r.method = str(req, "method");
  r.target = str(req, "target");
  r.client_ip = str(req, "clientIp");
  Napi::Value hv = req.Get("headers");
  if (hv.IsArray()) {
    Napi::Array ha = hv.As<Napi::Array>();
    for (uint32_t i = 0; i < ha.Length(); ++i) {
      Napi::Array pair = ha.Get(i).As<Napi::Array>();
      r.headers.emplace_back(pair.Get(0u).ToString().Utf8Value(), pair.Get(1u).ToString().Utf8Value());
    }
  }
  Napi::Value body = req.Get("body");
  if (body.IsTypedArray()) {
    auto ta = body.As<Napi::TypedArray>();
    r.body.assign(static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), ta.ByteLength());
  }

  terrarium::GuestConfig config;
  config.deployment = "node";
  config.kv_namespace = "node";
  std::vector<std::string> grants;
  if (opts.Get("egress").IsArray()) {
    Napi::Array g = opts.Get("egress").As<Napi::Array>();
    for (uint32_t i = 0; i < g.Length(); ++i) grants.push_back(g.Get(i).ToString().Utf8Value());
  }
  auto egress = net::EgressPolicy::parse(grants);
  if (!egress.ok()) return fail(egress.error());
  config.egress = std::make_shared<const net::EgressPolicy>(std::move(*egress));
  config.limits.wall_time = std::chrono::milliseconds(static_cast<int64_t>(num(opts, "timeout", 10000)));
  config.limits.fuel = static_cast<uint64_t>(num(opts, "fuel", 0));
  config.limits.max_memory_bytes = static_cast<uint64_t>(num(opts, "maxMemoryBytes", 128.0 * 1048576));

  auto program = terrarium::GuestProgram::prepare(std::make_shared<const Module>(m->module()), std::move(config));
  if (!program.ok()) return fail(program.error());

  Runtime& rt = Runtime::of(env);
  auto services = std::make_shared<terrarium::Services>();
  if (opts.Get("log").IsFunction()) {
    auto fn = std::make_shared<Napi::FunctionReference>(Napi::Persistent(opts.Get("log").As<Napi::Function>()));
    // The reference is released on the main thread only: the log lambda
    // holds it, and services (with the lambda) die in OutcomeTask.
    services->log = [&rt, fn](std::string_view, std::string_view, std::string_view line) {
      rt.post(new LogTask(fn, std::string(line)));
    };
  }
  rt.hold(env);
  EdgeLoop& loop = edge_loop(rt);
  terrarium::run_request(loop.executor(), *program, *services, std::move(r),
                         [&rt, d, services](terrarium::Outcome o) mutable {
                           // Moved, not copied: the last reference must die on the main thread.
                           rt.post(new OutcomeTask(rt, d, std::move(o), std::move(services)));
                         });
  return d.Promise();
}

}  // namespace

void init_edge(Napi::Env env, Napi::Object exports) { exports.Set("handle", Napi::Function::New(env, handle)); }

}  // namespace vivarium::node
