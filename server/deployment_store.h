// Where deployments persist, so they survive a restart and several nodes can
// serve the same set: a directory under --data (one JSON manifest and one
// module file per deployment), or a KvStore's reserved namespace (Redis:
// every node behind the load balancer reads the same deployments).
//
// Writes are ordered so a reader never sees a manifest whose module is not
// there yet: the module first (under a version-specific name), the manifest
// last, then the previous version's module is removed.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "host/kv/kv_store.h"
#include "server/deployment.h"
#include "vivarium/error.h"

namespace vivarium::server {

class DeploymentStore {
 public:
  virtual ~DeploymentStore() = default;
  // Every stored manifest (no module bytes). A damaged entry is skipped and
  // logged, so one bad file cannot take every deployment down.
  virtual Result<std::vector<Manifest>> list() = 0;
  // The module bytes (as uploaded: .wasm binary or .wat text) of that version.
  virtual Result<std::string> load_module(const Manifest& m) = 0;
  virtual Result<void> save(const Manifest& m, std::string_view module) = 0;
  // Removes the deployment if its stored version is `version` (any when
  // empty). true when something was removed: only then may the caller drop
  // the KV namespace (another node may have redeployed the name meanwhile).
  virtual Result<bool> remove(std::string_view name, std::string_view version) = 0;
  virtual std::string describe() const = 0;
  // Removes module data no manifest refers to and older than `grace` (two
  // nodes deploying one name at once can each leave chunks behind). Returns
  // how many entries went.
  virtual size_t collect_garbage(int64_t now_ms, std::chrono::milliseconds grace) { return 0; }
};

// DIR/deployments/NAME.json and NAME.VERSION.module, each written to a
// temporary file, fsync'd and renamed into place.
Result<std::unique_ptr<DeploymentStore>> open_dir_store(const std::string& data_dir);

// The KvStore namespace kDeploymentsNamespace: "m/NAME" holds the manifest,
// "c/NAME/VERSION/I" the module in chunks of the store's value limit. The
// namespace is not a DNS label, so no deployment can reach it.
inline constexpr std::string_view kDeploymentsNamespace = "vivarium:deployments";
std::unique_ptr<DeploymentStore> kv_deployment_store(kv::KvStore& kv);

}  // namespace vivarium::server
