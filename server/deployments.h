// The deployments registry: the control plane's one source of truth on this
// node. deploy() validates and compiles the module once, prepares it for the
// Terrarium runner, persists it, then swaps it in atomically: find() hands
// out shared_ptr snapshots, so requests in flight finish on the version they
// started with and none fails. A background thread re-syncs with the store
// (other nodes' deploys, with Redis) and expires TTLs: an expired deployment
// is removed with its KV namespace.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "host/kv/kv_store.h"
#include "server/deployment.h"
#include "server/deployment_store.h"
#include "vivarium/error.h"
#include "vivarium/module.h"

namespace vivarium::server {

// Turns a compiled module into what requests run (GuestProgram::prepare in
// production; tests pass a fake so the registry is tested on its own).
using PrepareFn = std::function<Result<std::shared_ptr<const terrarium::GuestProgram>>(
    std::shared_ptr<const Module>, terrarium::GuestConfig)>;

class Deployments {
 public:
  struct Options {
    std::chrono::milliseconds sync_interval{1000};
    std::function<int64_t()> now_ms;  // Unix epoch ms; default: the system clock
    // Called after a deployment appears, changes or goes ("deployed",
    // "removed", "expired"), on the thread that made the change.
    std::function<void(const Manifest&, std::string_view event)> on_change;
    // How deployments run: "interp" (default: serve_concurrency's 1000
    // concurrent requests killed the server under "auto", not yet diagnosed),
    // or "auto", which starts each in the interpreter at
    // deploy time and switches it to native code once a background thread has
    // compiled it (at once when the code cache, Module::default_cache_dir(),
    // has it); "interp" never compiles. Builds without the native tier always
    // interpret. The environment's VIVARIUM_SERVE_TIER overrides it.
    std::string tier = "interp";
  };

  // `kv` (may be null) is where expired or removed deployments' namespaces
  // are dropped. The store and kv outlive the registry.
  Deployments(DeploymentStore& store, kv::KvStore* kv, PrepareFn prepare, Options opts);
  ~Deployments();

  // Validate, compile, prepare, persist, swap in. Compile errors keep their
  // location (byte offset, or line:column for .wat).
  Result<std::shared_ptr<const Deployment>> deploy(DeploySpec spec, std::string module);
  // The live deployment of that name; null when there is none or it expired.
  std::shared_ptr<const Deployment> find(std::string_view name) const;
  std::vector<std::shared_ptr<const Deployment>> list() const;
  size_t size() const;
  // Undeploy: removes the deployment and its KV namespace. false when absent.
  Result<bool> remove(std::string_view name);

  // Reconciles with the store: loads what changed, drops what vanished. Then
  // expires what is due. Called by the background thread and after start-up.
  Result<void> sync();
  // Removes deployments whose TTL has passed; returns how many.
  size_t expire();

  // Starts / stops the thread that calls sync() every sync_interval.
  void start();
  void stop();

  // Compile + prepare a manifest's module (exposed for tests).
  Result<std::shared_ptr<const Deployment>> build(Manifest manifest, const std::string& module) const;

 private:
  void install(std::shared_ptr<const Deployment> d);
  void uninstall(const std::string& name);
  // Removes an expired version from the store (and its KV namespace when the
  // store still held that version).
  void reap(const Manifest& m);
  int64_t now() const;
  void notify(const Manifest& m, std::string_view event) const;
  Result<void> sync_locked();

  DeploymentStore& store_;
  kv::KvStore* kv_;
  PrepareFn prepare_;
  Options opts_;

  // Lookups take the shared lock for a pointer copy; changes take it briefly.
  mutable std::shared_mutex map_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Deployment>> live_;
  // Serializes deploy/remove/sync so a sync never reinstalls a version a
  // concurrent deploy just replaced.
  std::mutex control_mutex_;
  // name -> a stored version that did not build here (under control_mutex_).
  std::unordered_map<std::string, std::string> failed_versions_;
  uint64_t syncs_ = 0;  // under control_mutex_

  std::mutex thread_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vivarium::server
