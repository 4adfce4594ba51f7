// Helpers shared by the API tests.
#pragma once
#include <gtest/gtest.h>

#include <span>
#include <string>

#include "vivarium/vivarium.h"

namespace vivarium::testing {

inline Module compile_or_die(std::span<const uint8_t> bytes) {
  auto m = Module::compile(bytes);
  if (!m) ADD_FAILURE() << "compile failed: " << m.error().to_string();
  return std::move(m).value();
}

template <class T>
T value_or_die(Result<T> r) {
  if (!r) ADD_FAILURE() << "unexpected error: " << r.error().to_string();
  return std::move(r).value();
}

inline std::vector<Value> call_or_die(const Instance& inst, std::string_view name, std::vector<Value> args = {}) {
  auto r = inst.call(name, args);
  if (!r) {
    ADD_FAILURE() << "call " << name << " failed: " << r.error().to_string();
    return {};
  }
  return std::move(r).value();
}

}  // namespace vivarium::testing
