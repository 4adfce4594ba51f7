#include "module_wrap.h"

#include <string>
#include <vector>

#include "convert.h"
#include "runtime.h"

namespace vivarium::node {
namespace {

class CompileJob final : public Job {
 public:
  CompileJob(Napi::Env env, std::vector<uint8_t> bytes, std::string path, bool from_file)
      : deferred_(Napi::Promise::Deferred::New(env)), bytes_(std::move(bytes)), path_(std::move(path)),
        from_file_(from_file) {}
  Napi::Promise promise() const { return deferred_.Promise(); }

  void execute() override {
    if (from_file_) {
      result_ = Module::load_file(path_);
    } else {
      CompileOptions opts;
      opts.file = path_;
      // "\0asm" is binary; anything else is tried as the text format.
      bool binary = bytes_.size() >= 4 && bytes_[0] == 0 && bytes_[1] == 'a' && bytes_[2] == 's' && bytes_[3] == 'm';
      if (binary) result_ = Module::compile(std::move(bytes_), opts);
      else result_ = Module::from_text(std::string_view(reinterpret_cast<const char*>(bytes_.data()), bytes_.size()), opts);
    }
  }
  void complete(Napi::Env env) override {
    Napi::HandleScope scope(env);
    if (result_.ok()) deferred_.Resolve(ModuleWrap::wrap(env, std::move(result_).value()));
    else deferred_.Reject(error_to_js(env, result_.error()));
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<uint8_t> bytes_;
  std::string path_;
  bool from_file_;
  Result<Module> result_ = Error(ErrorCode::Internal, "not compiled");
};

}  // namespace

void ModuleWrap::init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeModule",
                                   {InstanceMethod<&ModuleWrap::imports>("imports"),
                                    InstanceMethod<&ModuleWrap::exports>("exports")});
  auto* ref = new Napi::FunctionReference(Napi::Persistent(cls));
  env.AddCleanupHook([ref] { delete ref; });
  exports.Set("NativeModule", cls);
  exports.Set("compileBytes", Napi::Function::New(env, &ModuleWrap::compile_bytes));
  exports.Set("compileFile", Napi::Function::New(env, &ModuleWrap::compile_file));
  Runtime::of(env).module_ctor = ref;
}

ModuleWrap::ModuleWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModuleWrap>(info) {}

Napi::Object ModuleWrap::wrap(Napi::Env env, Module module) {
  Napi::Object o = Runtime::of(env).module_ctor->New({});
  Unwrap(o)->module_ = std::move(module);
  return o;
}

ModuleWrap* ModuleWrap::unwrap(Napi::Value v) {
  if (!v.IsObject()) return nullptr;
  Napi::Object o = v.As<Napi::Object>();
  if (!o.InstanceOf(Runtime::of(v.Env()).module_ctor->Value())) return nullptr;
  ModuleWrap* m = Unwrap(o);
  return m && m->module_ ? m : nullptr;
}

Napi::Value ModuleWrap::compile_bytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() && !info[0].IsArrayBuffer()) {
    throw Napi::TypeError::New(env, "Module.compile: expected a Uint8Array, an ArrayBuffer or a path");
  }
  std::vector<uint8_t> bytes;
  if (info[0].IsArrayBuffer()) {
    auto ab = info[0].As<Napi::ArrayBuffer>();
    auto* p = static_cast<const uint8_t*>(ab.Data());
    bytes.assign(p, p + ab.ByteLength());
  } else {
    auto ta = info[0].As<Napi::TypedArray>();
    auto* p = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    bytes.assign(p, p + ta.ByteLength());
  }
  std::string name = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  auto job = std::make_unique<CompileJob>(env, std::move(bytes), std::move(name), false);
  Napi::Promise p = job->promise();
  Runtime::of(env).run(env, std::move(job));
  return p;
}

Napi::Value ModuleWrap::compile_file(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "Module.compile: expected a path");
  auto job = std::make_unique<CompileJob>(env, std::vector<uint8_t>{}, info[0].As<Napi::String>().Utf8Value(), true);
  Napi::Promise p = job->promise();
  Runtime::of(env).run(env, std::move(job));
  return p;
}

Napi::Value ModuleWrap::imports(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& list = module_->imports();
  Napi::Array a = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) a.Set(static_cast<uint32_t>(i), import_to_js(env, list[i]));
  return a;
}

Napi::Value ModuleWrap::exports(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& list = module_->exports();
  Napi::Array a = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) a.Set(static_cast<uint32_t>(i), export_to_js(env, list[i]));
  return a;
}

}  // namespace vivarium::node
