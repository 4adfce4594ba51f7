// Test doubles for the control plane: an in-memory KvStore (with a small
// value limit so module chunking is exercised) and a prepare step that only
// checks the module exports `run`, so the registry is tested without the
// Terrarium runner.
#pragma once
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "host/kv/kv_store.h"
#include "server/deployments.h"

namespace vivarium::server::testing {

class MemoryKv final : public kv::KvStore {
 public:
  explicit MemoryKv(size_t max_value = 1 << 20) { limits_.max_value_bytes = max_value; }
  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) override {
    std::lock_guard l(m_);
    auto& t = data_[std::string(ns)];
    auto it = t.find(std::string(key));
    if (it == t.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Result<bool> put(std::string_view ns, std::string_view key, std::string_view value) override {
    if (value.size() > limits_.max_value_bytes) return Error(ErrorCode::LimitExceeded, "value too large");
    std::lock_guard l(m_);
    auto [it, fresh] = data_[std::string(ns)].insert_or_assign(std::string(key), std::string(value));
    return fresh;
  }
  Result<bool> append(std::string_view ns, std::string_view key, std::string_view value) override {
    std::lock_guard l(m_);
    auto& v = data_[std::string(ns)][std::string(key)];
    bool fresh = v.empty();
    v += value;
    return fresh;
  }
  Result<bool> remove(std::string_view ns, std::string_view key) override {
    std::lock_guard l(m_);
    return data_[std::string(ns)].erase(std::string(key)) > 0;
  }
  Result<std::vector<std::string>> keys(std::string_view ns) override {
    std::lock_guard l(m_);
    std::vector<std::string> out;
    for (const auto& [k, v] : data_[std::string(ns)]) out.push_back(k);
    return out;
  }
  Result<void> drop_namespace(std::string_view ns) override {
    std::lock_guard l(m_);
    data_.erase(std::string(ns));
    dropped.push_back(std::string(ns));
    return {};
  }
  const kv::KvLimits& limits() const override { return limits_; }
  std::string describe() const override { return "memory"; }
  size_t count(std::string_view ns) {
    std::lock_guard l(m_);
    return data_[std::string(ns)].size();
  }
  std::vector<std::string> dropped;

 private:
  kv::KvLimits limits_;
  std::mutex m_;
  std::map<std::string, std::map<std::string, std::string>> data_;
};

// Accepts a module that exports a function `run`; the program is null (the
// registry never looks inside it).
inline PrepareFn fake_prepare() {
  return [](std::shared_ptr<const Module> m, terrarium::GuestConfig) -> Result<std::shared_ptr<const terrarium::GuestProgram>> {
    for (const auto& e : m->exports())
      if (e.name == "run" && e.kind == ExternKind::Func) return std::shared_ptr<const terrarium::GuestProgram>();
    return Error(ErrorCode::NotFound, "the module does not export a function 'run'");  // as program.cc
  };
}

inline constexpr const char* kHelloWat = "(module (func (export \"run\")))";
inline constexpr const char* kHello2Wat = "(module (func (export \"run\") nop))";

}  // namespace vivarium::server::testing
