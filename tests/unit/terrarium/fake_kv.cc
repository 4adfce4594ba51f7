#include "fake_kv.h"

namespace vivarium::terrarium::testing {

Result<void> FakeKv::check(std::string_view key, size_t value_size) const {
  if (key.size() > limits_.max_key_bytes) return Error(ErrorCode::LimitExceeded, "key of " + std::to_string(key.size()) + " bytes is too large");
  if (value_size > limits_.max_value_bytes) return Error(ErrorCode::LimitExceeded, "value of " + std::to_string(value_size) + " bytes is too large");
  return {};
}

Result<std::optional<std::string>> FakeKv::get(std::string_view ns, std::string_view key) {
  VIV_TRY(check(key, 0));
  std::lock_guard lock(mu_);
  auto it = data_.find({std::string(ns), std::string(key)});
  if (it == data_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<bool> FakeKv::put(std::string_view ns, std::string_view key, std::string_view value) {
  VIV_TRY(check(key, value.size()));
  std::lock_guard lock(mu_);
  auto [it, inserted] = data_.insert_or_assign({std::string(ns), std::string(key)}, std::string(value));
  return inserted;
}

Result<bool> FakeKv::append(std::string_view ns, std::string_view key, std::string_view value) {
  std::lock_guard lock(mu_);
  const auto id = std::make_pair(std::string(ns), std::string(key));
  auto it = data_.find(id);
  const size_t before = it == data_.end() ? 0 : it->second.size();
  VIV_TRY(check(key, before + value.size()));
  data_[id] += value;
  return it == data_.end();
}

Result<bool> FakeKv::remove(std::string_view ns, std::string_view key) {
  std::lock_guard lock(mu_);
  return data_.erase({std::string(ns), std::string(key)}) == 1;
}

Result<std::vector<std::string>> FakeKv::keys(std::string_view ns) {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [k, v] : data_) {
    if (k.first == ns) out.push_back(k.second);
  }
  return out;
}

Result<void> FakeKv::drop_namespace(std::string_view ns) {
  std::lock_guard lock(mu_);
  std::erase_if(data_, [&](const auto& kv) { return kv.first.first == ns; });
  return {};
}

}  // namespace vivarium::terrarium::testing
