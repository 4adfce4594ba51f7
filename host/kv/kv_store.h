// A key-value store partitioned by namespace (one namespace per deployment:
// deployments never see each other's keys). Two backends pass one conformance
// suite: LMDB embedded in --data (default) and Redis (several nodes share it).
// Calls are synchronous and thread-safe; an acknowledged write is durable
// (LMDB commits with sync; Redis as its server is configured).
//
// Namespaces are 1..255 bytes; keys 0..max_key_bytes and values
// 0..max_value_bytes, any bytes (NUL included). A bad namespace, key or
// value is ErrorCode::LimitExceeded (too large) or Usage, the message naming
// the namespace and what is wrong; a backend failure is Io, the message
// naming the store (describe()) and the cause.
//
// CONTRACT (lead, session 4): implemented on the serve-components branch.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vivarium/error.h"

namespace vivarium::kv {

struct KvLimits {
  size_t max_key_bytes = 1024;
  size_t max_value_bytes = 1 << 20;  // an append past it is refused too
};

constexpr size_t kMaxNamespaceBytes = 255;

// Checks a namespace, key and (optional) value against the limits; shared by
// the backends so both answer bad input with the same error.
Result<void> check_kv_args(const KvLimits& limits, std::string_view ns, std::string_view key,
                           const std::string_view* value = nullptr);
Result<void> check_kv_namespace(std::string_view ns);

class KvStore {
 public:
  virtual ~KvStore() = default;
  virtual Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) = 0;
  // Store, overwriting. true when the key was absent before.
  virtual Result<bool> put(std::string_view ns, std::string_view key, std::string_view value) = 0;
  // Append to the value, or create it. true when the key was absent before.
  virtual Result<bool> append(std::string_view ns, std::string_view key, std::string_view value) = 0;
  // true when removed, false when absent.
  virtual Result<bool> remove(std::string_view ns, std::string_view key) = 0;
  // Every key of a namespace (the control plane lists its deployments with it).
  virtual Result<std::vector<std::string>> keys(std::string_view ns) = 0;
  // Deletes every key of a namespace (a deployment undeployed or expired).
  virtual Result<void> drop_namespace(std::string_view ns) = 0;
  virtual const KvLimits& limits() const = 0;
  virtual std::string describe() const = 0;  // "lmdb:/var/lib/vivarium/kv", "redis://host:6379"
  // Whether a read may wait on the network (Redis: a round trip) and so must
  // not run on a thread that serves connections; LMDB reads are memory-mapped.
  virtual bool remote_reads() const { return false; }
};

// "redis://HOST:PORT[/DB]" opens Redis; "lmdb:DIR" or a plain directory opens
// LMDB there (created if missing). Errors name the URL or path and the cause.
Result<std::unique_ptr<KvStore>> open_kv(std::string_view spec, KvLimits limits = {});

}  // namespace vivarium::kv
