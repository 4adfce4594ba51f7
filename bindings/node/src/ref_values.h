// References crossing between JavaScript and one instance (main thread only).
//
// externref: any JavaScript value. The guest holds it as an opaque index
// into this instance's table of values; the table keeps every value the
// instance was given alive until the instance goes (a guest may store it in
// a table or global and hand it back at any later call), and gives the same
// index to the same value (SameValueZero, as a JavaScript Map), so calls
// passing one object again do not grow it.
//
// funcref: a FuncRef object, an opaque handle on a function of the instance
// that returned it. It keeps that instance's store alive and can be passed
// back to the same instance only (another store's function would be
// meaningless there); the engine checks it belongs to the store.
#pragma once
#include <napi.h>

#include <memory>

#include "vivarium/vivarium.h"

namespace vivarium::node {

class InstanceState;

class ExternRefs {
 public:
  Ref from_js(Napi::Value v);
  Napi::Value to_js(Napi::Env env, Ref r) const;

 private:
  Napi::ObjectReference values_;  // Array: index -> value
  Napi::ObjectReference index_;   // Map: value -> index
};

class FuncRefWrap : public Napi::ObjectWrap<FuncRefWrap> {
 public:
  static void init(Napi::Env env, Napi::Object exports);
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<InstanceState> owner, vivarium::Ref ref);
  // The function `v` stands for, if it is a FuncRef of `owner`'s store.
  static Result<vivarium::Ref> unwrap(Napi::Value v, const InstanceState& owner, const std::string& what);
  explicit FuncRefWrap(const Napi::CallbackInfo& info);

 private:
  std::shared_ptr<InstanceState> owner_;
  vivarium::Ref ref_;
};

}  // namespace vivarium::node
