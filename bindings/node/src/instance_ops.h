// The operations queued on an instance (see instance_state.h).
#pragma once
#include <napi.h>

#include "instance_state.h"

namespace vivarium::node {

// Instantiation: resolve imports, initialize, run the start function.
class InstantiateOp final : public Op {
 public:
  using Op::Op;
  void execute(InstanceState& s) override;
  void complete(Napi::Env env, InstanceState& s) override;

 private:
  Result<Instance> result_ = Error(ErrorCode::Internal, "not instantiated");
};

// A call of an exported function with arguments already checked.
class CallOp final : public Op {
 public:
  CallOp(Napi::Env env, Function fn, std::vector<Value> args, uint64_t fuel)
      : Op(env), fn_(fn), args_(std::move(args)), fuel_(fuel) {}
  bool can_inline() const override { return true; }
  void execute(InstanceState& s) override;
  void complete(Napi::Env env, InstanceState& s) override;

 private:
  Function fn_;
  std::vector<Value> args_;
  uint64_t fuel_;
  Result<std::vector<Value>> result_ = Error(ErrorCode::Internal, "not called");
};

// withMemory(callback): the callback runs on the main thread while no call
// runs; a returned Promise keeps the instance until it settles.
class MemoryOp final : public Op {
 public:
  MemoryOp(Napi::Env env, std::string name, Napi::Function cb)
      : Op(env), name_(std::move(name)), cb_(Napi::Persistent(cb)) {}
  bool on_main() const override { return true; }
  void start_main(Napi::Env env, InstanceState& s) override;

 private:
  std::string name_;
  Napi::FunctionReference cb_;
};

// Reads an exported global between calls.
class GlobalOp final : public Op {
 public:
  GlobalOp(Napi::Env env, std::string name) : Op(env), name_(std::move(name)) {}
  bool on_main() const override { return true; }
  void start_main(Napi::Env env, InstanceState& s) override;

 private:
  std::string name_;
};

// Writes an exported mutable global between calls (the value was checked
// against its type when queued).
class SetGlobalOp final : public Op {
 public:
  SetGlobalOp(Napi::Env env, Global g, Value v) : Op(env), global_(g), value_(v) {}
  bool on_main() const override { return true; }
  void start_main(Napi::Env env, InstanceState& s) override;

 private:
  Global global_;
  Value value_;
};

}  // namespace vivarium::node
