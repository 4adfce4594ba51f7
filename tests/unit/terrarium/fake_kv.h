// An in-memory KvStore with small limits, for the terrarium tests and the
// hostcall fuzzer (the real backends are tested on their own).
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "host/kv/kv_store.h"

namespace vivarium::terrarium::testing {

class FakeKv : public kv::KvStore {
 public:
  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) override;
  Result<bool> put(std::string_view ns, std::string_view key, std::string_view value) override;
  Result<bool> append(std::string_view ns, std::string_view key, std::string_view value) override;
  Result<bool> remove(std::string_view ns, std::string_view key) override;
  Result<std::vector<std::string>> keys(std::string_view ns) override;
  Result<void> drop_namespace(std::string_view ns) override;
  const kv::KvLimits& limits() const override { return limits_; }
  std::string describe() const override { return "fake"; }

 private:
  Result<void> check(std::string_view key, size_t value_size) const;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::string> data_;
  kv::KvLimits limits_{16, 64};  // small, so tests reach them
};

}  // namespace vivarium::terrarium::testing
