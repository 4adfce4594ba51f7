// The checks every backend applies before touching its store.
#include "host/kv/kv_store.h"

namespace vivarium::kv {

Result<void> check_kv_namespace(std::string_view ns) {
  if (ns.empty()) return Error(ErrorCode::Usage, "KV: the namespace is empty");
  if (ns.size() > kMaxNamespaceBytes)
    return Error(ErrorCode::LimitExceeded, "KV: namespace of " + std::to_string(ns.size()) + " bytes (at most " +
                                               std::to_string(kMaxNamespaceBytes) + ")");
  return {};
}

Result<void> check_kv_args(const KvLimits& limits, std::string_view ns, std::string_view key,
                           const std::string_view* value) {
  VIV_TRY(check_kv_namespace(ns));
  if (key.size() > limits.max_key_bytes)
    return Error(ErrorCode::LimitExceeded, "KV namespace '" + std::string(ns) + "': key of " +
                                               std::to_string(key.size()) + " bytes is larger than the limit of " +
                                               std::to_string(limits.max_key_bytes));
  if (value && value->size() > limits.max_value_bytes)
    return Error(ErrorCode::LimitExceeded, "KV namespace '" + std::string(ns) + "': value of " +
                                               std::to_string(value->size()) + " bytes is larger than the limit of " +
                                               std::to_string(limits.max_value_bytes));
  return {};
}

}  // namespace vivarium::kv
