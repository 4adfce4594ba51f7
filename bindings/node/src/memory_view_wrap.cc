#include "memory_view_wrap.h"

#include <cmath>
#include <string>

#include "runtime.h"

namespace vivarium::node {
namespace {

[[noreturn]] void out_of_bounds(Napi::Env env, uint64_t addr, uint64_t len, uint64_t size) {
  throw Napi::RangeError::New(env, "MemoryView: [" + std::to_string(addr) + ", +" + std::to_string(len) +
                                       ") is outside guest memory of " + std::to_string(size) + " bytes");
}

template <class T>
T load(Napi::Env env, const MemoryView& v, uint64_t addr) {
  auto x = v.load<T>(addr);
  if (!x) out_of_bounds(env, addr, sizeof(T), v.size());
  return *x;
}

template <class T>
void store(Napi::Env env, const MemoryView& v, uint64_t addr, T x) {
  if (!v.store<T>(addr, x)) out_of_bounds(env, addr, sizeof(T), v.size());
}

}  // namespace

void MemoryViewWrap::init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(
      env, "MemoryView",
      {InstanceAccessor<&MemoryViewWrap::byte_length>("byteLength"),
       InstanceAccessor<&MemoryViewWrap::valid>("valid"),
       InstanceMethod<&MemoryViewWrap::read>("read"), InstanceMethod<&MemoryViewWrap::write>("write"),
       InstanceMethod<&MemoryViewWrap::read_string>("readString"),
       InstanceMethod<&MemoryViewWrap::write_string>("writeString"),
       InstanceMethod<&MemoryViewWrap::get_uint32>("getUint32"), InstanceMethod<&MemoryViewWrap::set_uint32>("setUint32"),
       InstanceMethod<&MemoryViewWrap::get_int32>("getInt32"),
       InstanceMethod<&MemoryViewWrap::get_bigint64>("getBigInt64"),
       InstanceMethod<&MemoryViewWrap::set_bigint64>("setBigInt64"),
       InstanceMethod<&MemoryViewWrap::get_float64>("getFloat64"),
       InstanceMethod<&MemoryViewWrap::set_float64>("setFloat64"), InstanceMethod<&MemoryViewWrap::grow>("grow")});
  auto* ref = new Napi::FunctionReference(Napi::Persistent(cls));
  env.AddCleanupHook([ref] { delete ref; });
  Runtime::of(env).view_ctor = ref;
  exports.Set("MemoryView", cls);
}

Napi::Object MemoryViewWrap::wrap(Napi::Env env, std::shared_ptr<ViewSource> src) {
  Napi::Object o = Runtime::of(env).view_ctor->New({});
  Unwrap(o)->src_ = std::move(src);
  return o;
}

MemoryViewWrap::MemoryViewWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MemoryViewWrap>(info) {}

MemoryView MemoryViewWrap::checked(Napi::Env env) const {
  if (!src_ || !src_->valid()) {
    throw Napi::Error::New(env, "MemoryView used after the host call or withMemory callback that gave it ended");
  }
  return src_->view();
}

uint64_t MemoryViewWrap::addr_arg(const Napi::CallbackInfo& info, size_t i) const {
  double d = info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0) || d != std::floor(d) || d > 9007199254740991.0) {
    throw Napi::TypeError::New(info.Env(), "MemoryView: argument " + std::to_string(i + 1) + " must be a non-negative integer");
  }
  return static_cast<uint64_t>(d);
}

Napi::Value MemoryViewWrap::byte_length(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(checked(info.Env()).size()));
}

Napi::Value MemoryViewWrap::valid(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), src_ && src_->valid());
}

Napi::Value MemoryViewWrap::read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MemoryView v = checked(env);
  uint64_t addr = addr_arg(info, 0), len = addr_arg(info, 1);
  auto bytes = v.bytes(addr, len);
  if (!bytes) out_of_bounds(env, addr, len, v.size());
  return Napi::Buffer<uint8_t>::Copy(env, bytes->data(), bytes->size());
}

Napi::Value MemoryViewWrap::write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MemoryView v = checked(env);
  uint64_t addr = addr_arg(info, 0);
  if (!info[1].IsTypedArray()) throw Napi::TypeError::New(env, "MemoryView.write: expected a Uint8Array");
  auto ta = info[1].As<Napi::TypedArray>();
  const auto* p = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  auto dst = v.bytes(addr, ta.ByteLength());
  if (!dst) out_of_bounds(env, addr, ta.ByteLength(), v.size());
  std::memcpy(dst->data(), p, ta.ByteLength());
  return env.Undefined();
}

Napi::Value MemoryViewWrap::read_string(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MemoryView v = checked(env);
  uint64_t addr = addr_arg(info, 0), len = addr_arg(info, 1);
  auto s = v.string(addr, len);
  if (!s) out_of_bounds(env, addr, len, v.size());
  return Napi::String::New(env, s->data(), s->size());
}

Napi::Value MemoryViewWrap::write_string(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MemoryView v = checked(env);
  uint64_t addr = addr_arg(info, 0);
  if (!info[1].IsString()) throw Napi::TypeError::New(env, "MemoryView.writeString: expected a string");
  std::string s = info[1].As<Napi::String>().Utf8Value();
  auto dst = v.bytes(addr, s.size());
  if (!dst) out_of_bounds(env, addr, s.size(), v.size());
  std::memcpy(dst->data(), s.data(), s.size());
  return Napi::Number::New(env, static_cast<double>(s.size()));
}

Napi::Value MemoryViewWrap::get_uint32(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), load<uint32_t>(info.Env(), checked(info.Env()), addr_arg(info, 0)));
}
Napi::Value MemoryViewWrap::get_int32(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), load<int32_t>(info.Env(), checked(info.Env()), addr_arg(info, 0)));
}
Napi::Value MemoryViewWrap::set_uint32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MemoryView v = checked(env);
  uint64_t addr = addr_arg(info, 0);
  double d = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0;
  store<uint32_t>(env, v, addr, static_cast<uint32_t>(static_cast<int64_t>(d)));
  return env.Undefined();
}
Napi::Value MemoryViewWrap::get_bigint64(const Napi::CallbackInfo& info) {
  return Napi::BigInt::New(info.Env(), load<int64_t>(info.Env(), checked(info.Env()), addr_arg(info, 0)));
}
Napi::Value MemoryViewWrap::set_bigint64(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MemoryView v = checked(env);
  uint64_t addr = addr_arg(info, 0);
  if (!info[1].IsBigInt()) throw Napi::TypeError::New(env, "MemoryView.setBigInt64: expected a BigInt");
  bool lossless = true;
  store<int64_t>(env, v, addr, info[1].As<Napi::BigInt>().Int64Value(&lossless));
  return env.Undefined();
}
Napi::Value MemoryViewWrap::get_float64(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), load<double>(info.Env(), checked(info.Env()), addr_arg(info, 0)));
}
Napi::Value MemoryViewWrap::set_float64(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MemoryView v = checked(env);
  uint64_t addr = addr_arg(info, 0);
  store<double>(env, v, addr, info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0.0);
  return env.Undefined();
}

// Grows an instance's memory (withMemory only; a host call's view is a
// snapshot of the caller's memory, which must not move under the guest).
Napi::Value MemoryViewWrap::grow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  checked(env);
  auto mem = src_->memory();
  if (!mem) throw Napi::Error::New(env, "MemoryView.grow: only an instance's memory (withMemory) can grow");
  auto r = mem->grow(static_cast<uint32_t>(addr_arg(info, 0)));
  if (!r.ok()) throw Napi::RangeError::New(env, "MemoryView.grow: " + r.error().message());
  return Napi::Number::New(env, *r);
}

}  // namespace vivarium::node
