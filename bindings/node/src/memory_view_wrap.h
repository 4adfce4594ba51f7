// A checked window on guest memory for JavaScript. It is handed out only
// while nothing else can touch that memory -- inside a host function (the
// guest waits) or an instance's withMemory callback (no call runs) -- and is
// invalidated when that ends: any later use throws instead of reading freed
// or concurrently written memory. Reads copy out; writes copy in; nothing
// aliases guest memory from JavaScript.
#pragma once
#include <napi.h>

#include <atomic>
#include <memory>
#include <optional>

#include "vivarium/vivarium.h"

namespace vivarium::node {

class ViewSource {
 public:
  explicit ViewSource(MemoryView snapshot) : snapshot_(snapshot) {}
  explicit ViewSource(Memory memory) : memory_(memory) {}
  bool valid() const { return valid_.load(std::memory_order_acquire); }
  void invalidate() { valid_.store(false, std::memory_order_release); }
  // The live view (a Memory may have grown since the last access).
  MemoryView view() const { return memory_ ? memory_->view() : snapshot_; }
  std::optional<Memory> memory() const { return memory_; }

 private:
  std::atomic<bool> valid_{true};
  MemoryView snapshot_;
  std::optional<Memory> memory_;
};

class MemoryViewWrap : public Napi::ObjectWrap<MemoryViewWrap> {
 public:
  static void init(Napi::Env env, Napi::Object exports);
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<ViewSource> src);
  explicit MemoryViewWrap(const Napi::CallbackInfo& info);

 private:
  MemoryView checked(Napi::Env env) const;
  uint64_t addr_arg(const Napi::CallbackInfo& info, size_t i) const;
  Napi::Value byte_length(const Napi::CallbackInfo& info);
  Napi::Value valid(const Napi::CallbackInfo& info);
  Napi::Value read(const Napi::CallbackInfo& info);
  Napi::Value write(const Napi::CallbackInfo& info);
  Napi::Value read_string(const Napi::CallbackInfo& info);
  Napi::Value write_string(const Napi::CallbackInfo& info);
  Napi::Value get_uint32(const Napi::CallbackInfo& info);
  Napi::Value set_uint32(const Napi::CallbackInfo& info);
  Napi::Value get_int32(const Napi::CallbackInfo& info);
  Napi::Value get_bigint64(const Napi::CallbackInfo& info);
  Napi::Value set_bigint64(const Napi::CallbackInfo& info);
  Napi::Value get_float64(const Napi::CallbackInfo& info);
  Napi::Value set_float64(const Napi::CallbackInfo& info);
  Napi::Value grow(const Napi::CallbackInfo& info);

  std::shared_ptr<ViewSource> src_;
};

}  // namespace vivarium::node
