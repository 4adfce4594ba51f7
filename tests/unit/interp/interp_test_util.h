// Helpers for the interpreter tests: compile WAT through the public API,
// instantiate, call exports with typed values, and inspect traps.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vivarium/vivarium.h"

namespace vivarium::engine::test {

using vivarium::Error;
using vivarium::ErrorCode;
using vivarium::Value;

struct Env {
  explicit Env(std::string_view wat, vivarium::StoreLimits limits = {}, vivarium::Linker linker = {})
      : store(limits) {
    auto m = vivarium::Module::from_text(wat);
    if (!m.ok()) {
      ADD_FAILURE() << "compile: " << m.error().to_string();
      return;
    }
    module.emplace(std::move(m).value());
    auto i = linker.instantiate(store, *module);
    if (!i.ok()) {
      ADD_FAILURE() << "instantiate: " << i.error().to_string();
      return;
    }
    instance = i.value();
  }

  vivarium::Result<std::vector<Value>> call(std::string_view name, std::vector<Value> args = {}) {
    if (!instance.valid()) return Error(ErrorCode::Usage, "no instance");
    return instance.call(name, args);
  }
  // The single result of a call, which must not trap.
  Value one(std::string_view name, std::vector<Value> args = {}) {
    auto r = call(name, std::move(args));
    if (!r.ok()) {
      ADD_FAILURE() << name << " trapped: " << r.error().to_string();
      return Value::i32(-424242);
    }
    if (r.value().size() != 1) {
      ADD_FAILURE() << name << " returned " << r.value().size() << " values";
      return Value::i32(-424242);
    }
    return r.value()[0];
  }
  int32_t i32(std::string_view name, std::vector<Value> args = {}) { return one(name, std::move(args)).i32(); }
  int64_t i64(std::string_view name, std::vector<Value> args = {}) { return one(name, std::move(args)).i64(); }
  uint32_t f32_bits(std::string_view name, std::vector<Value> args = {}) { return one(name, std::move(args)).f32_bits(); }
  uint64_t f64_bits(std::string_view name, std::vector<Value> args = {}) { return one(name, std::move(args)).f64_bits(); }
  // The error of a call that must trap.
  Error trap(std::string_view name, std::vector<Value> args = {}) {
    auto r = call(name, std::move(args));
    if (r.ok()) {
      ADD_FAILURE() << name << " did not trap";
      return Error();
    }
    return r.error();
  }

  vivarium::Store store;
  std::optional<vivarium::Module> module;
  vivarium::Instance instance;
};

inline Value I32(int32_t v) { return Value::i32(v); }
inline Value I64(int64_t v) { return Value::i64(v); }
inline Value F32(float v) { return Value::f32(v); }
inline Value F64(double v) { return Value::f64(v); }

}  // namespace vivarium::engine::test
