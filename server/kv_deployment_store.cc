// The KvStore-backed DeploymentStore (see deployment_store.h): with Redis,
// every node reads the same deployments.
#include <algorithm>
#include <cstdlib>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "server/deployment_store.h"
#include "server/manifest_json.h"

namespace vivarium::server {

namespace {

class KvDeploymentStore final : public DeploymentStore {
 public:
  explicit KvDeploymentStore(kv::KvStore& kv) : kv_(kv) {}

  Result<std::vector<Manifest>> list() override {
    VIV_TRY_ASSIGN(std::vector<std::string> keys, kv_.keys(kNs));
    std::vector<Manifest> out;
    for (const std::string& key : keys) {
      if (key.rfind("m/", 0) != 0) continue;
      VIV_TRY_ASSIGN(std::optional<std::string> text, kv_.get(kNs, key));
      if (!text) continue;  // removed since keys() answered
      auto m = manifest_from_json(*text);
      if (!m.ok() || "m/" + m->spec.name != key) {
        spdlog::error("skipping deployment {} in {}: {}", key, kv_.describe(),
                      m.ok() ? "its name does not match the key" : m.error().message());
        continue;
      }
      out.push_back(std::move(m).value());
    }
    return out;
  }

  Result<std::string> load_module(const Manifest& m) override {
    std::string bytes;
    for (size_t i = 0; bytes.size() < m.module_size; ++i) {
      VIV_TRY_ASSIGN(std::optional<std::string> chunk, kv_.get(kNs, chunk_key(m.spec.name, m.version, i)));
      if (!chunk || chunk->empty())
        return Error(ErrorCode::NotFound, "module of deployment " + m.spec.name + " version " + m.version +
                                              " is incomplete in " + kv_.describe() + " (replaced meanwhile?)");
      bytes += *chunk;
    }
    if (bytes.size() != m.module_size)
      return Error(ErrorCode::Malformed, "module of deployment " + m.spec.name + " has " +
                                             std::to_string(bytes.size()) + " bytes, its manifest says " +
                                             std::to_string(m.module_size));
    return bytes;
  }

  Result<void> save(const Manifest& m, std::string_view module) override {
    auto previous = stored_version(m.spec.name);
    size_t chunk = std::max<size_t>(1, std::min<size_t>(kv_.limits().max_value_bytes, 512 << 10));
    for (size_t i = 0, off = 0; off < module.size(); ++i, off += chunk)
      VIV_TRY(kv_.put(kNs, chunk_key(m.spec.name, m.version, i), module.substr(off, chunk)));
    VIV_TRY(kv_.put(kNs, "m/" + m.spec.name, manifest_to_json(m).dump()));
    if (previous.ok() && !previous->empty() && *previous != m.version) remove_chunks(m.spec.name, *previous);
    return {};
  }

  Result<bool> remove(std::string_view name, std::string_view version) override {
    VIV_TRY_ASSIGN(std::string stored, stored_version(name));
    if (stored.empty() || (!version.empty() && stored != version)) return false;
    VIV_TRY_ASSIGN(bool removed, kv_.remove(kNs, "m/" + std::string(name)));
    remove_chunks(name, stored);
    return removed;
  }

  std::string describe() const override { return kv_.describe() + " (namespace " + std::string(kNs) + ")"; }

  size_t collect_garbage(int64_t now_ms, std::chrono::milliseconds grace) override {
    auto keys = kv_.keys(kNs);
    if (!keys.ok()) return 0;
    std::unordered_set<std::string> referenced;  // "NAME/VERSION"
    for (const std::string& key : *keys) {
      if (key.rfind("m/", 0) != 0) continue;
      auto text = kv_.get(kNs, key);
      if (!text.ok() || !*text) continue;
      auto m = manifest_from_json(**text);
      if (m.ok()) referenced.insert(m->spec.name + "/" + m->version);
    }
    size_t removed = 0;
    for (const std::string& key : *keys) {
      if (key.rfind("c/", 0) != 0) continue;
      std::string name_version = key.substr(2, key.rfind('/') - 2);
      if (referenced.count(name_version)) continue;
      // The version starts with its creation time in hex: a chunk of a
      // deploy still being written is younger than the grace period.
      std::string version = name_version.substr(name_version.find('/') + 1);
      int64_t created = static_cast<int64_t>(std::strtoull(version.c_str(), nullptr, 16));
      if (now_ms - created < grace.count()) continue;
      if (kv_.remove(kNs, key).ok()) ++removed;
    }
    return removed;
  }

 private:
  static constexpr std::string_view kNs = kDeploymentsNamespace;

  static std::string chunk_key(std::string_view name, std::string_view version, size_t i) {
    return "c/" + std::string(name) + "/" + std::string(version) + "/" + std::to_string(i);
  }

  // The version stored for `name`, "" when none.
  Result<std::string> stored_version(std::string_view name) {
    VIV_TRY_ASSIGN(std::optional<std::string> text, kv_.get(kNs, "m/" + std::string(name)));
    if (!text) return std::string();
    auto m = manifest_from_json(*text);
    return m.ok() ? m->version : std::string();
  }

  // Only that version's chunks: another node may be writing a newer one.
  void remove_chunks(std::string_view name, std::string_view version) {
    auto keys = kv_.keys(kNs);
    if (!keys.ok()) return;
    std::string prefix = "c/" + std::string(name) + "/" + std::string(version) + "/";
    for (const std::string& key : *keys)
      if (key.rfind(prefix, 0) == 0) (void)kv_.remove(kNs, key);
  }

  kv::KvStore& kv_;
};

}  // namespace

std::unique_ptr<DeploymentStore> kv_deployment_store(kv::KvStore& kv) {
  return std::make_unique<KvDeploymentStore>(kv);
}

}  // namespace vivarium::server
