#include "server/deployments.h"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "host/net/egress_policy.h"
#include "server/names.h"

namespace vivarium::server {

namespace {

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Unique per deploy across nodes: the time, then 64 random bits.
std::string new_version(int64_t now_ms) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%011llx-%016llx", static_cast<unsigned long long>(now_ms),
                static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace

Deployments::Deployments(DeploymentStore& store, kv::KvStore* kv, PrepareFn prepare, Options opts)
    : store_(store), kv_(kv), prepare_(std::move(prepare)), opts_(std::move(opts)) {}

Deployments::~Deployments() { stop(); }

int64_t Deployments::now() const { return opts_.now_ms ? opts_.now_ms() : system_now_ms(); }

void Deployments::notify(const Manifest& m, std::string_view event) const {
  if (opts_.on_change) opts_.on_change(m, event);
}

Result<std::shared_ptr<const Deployment>> Deployments::build(Manifest manifest,
                                                             const std::string& module) const {
  const std::string& name = manifest.spec.name;
  CompileOptions copts{name + (manifest.format == SourceFormat::Wasm ? ".wasm" : ".wat")};
  const char* env = std::getenv("VIVARIUM_SERVE_TIER");
  const bool tiering = (env && *env ? std::string_view(env) : std::string_view(opts_.tier)) == "auto";
#if VIVARIUM_NATIVE  // vivarium-edge links the LLVM tier; it is enabled here, where it is used
  if (tiering) Module::enable_native_tier();
#endif
  if (tiering && Module::native_tier_available()) {
    // Requests run the interpreter until the background compile is done;
    // then new calls enter native code (in-flight ones finish where they are).
    copts.tier = ExecutionTier::Auto;
    copts.cache_dir = Module::default_cache_dir();
  }
  auto compiled = manifest.format == SourceFormat::Wasm
                      ? Module::compile(std::span(reinterpret_cast<const uint8_t*>(module.data()), module.size()), copts)
                      : Module::from_text(module, copts);
  if (!compiled.ok()) return std::move(compiled).error();
  auto egress = net::EgressPolicy::parse(manifest.spec.allow_hosts);
  if (!egress.ok()) return std::move(egress).error();
  manifest.egress = egress->to_string();
  terrarium::GuestConfig config;
  config.deployment = name;
  config.kv_namespace = name;
  config.egress = std::make_shared<const net::EgressPolicy>(std::move(egress).value());
  config.limits = manifest.spec.limits.guest;
  auto program = prepare_(std::make_shared<const Module>(std::move(compiled).value()), std::move(config));
  if (!program.ok()) return std::move(program).error();
  auto d = std::make_shared<Deployment>();
  d->manifest = std::move(manifest);
  d->program = std::move(program).value();
  return std::shared_ptr<const Deployment>(std::move(d));
}

Result<std::shared_ptr<const Deployment>> Deployments::deploy(DeploySpec spec, std::string module) {
  VIV_TRY(validate_name(spec.name));
  if (module.empty()) return Error(ErrorCode::Usage, "empty module upload for deployment " + spec.name);
  Manifest m;
  m.created_ms = now();
  m.expires_ms = spec.ttl.count() > 0 ? m.created_ms + spec.ttl.count() : 0;
  m.version = new_version(m.created_ms);
  m.format = detect_format(module);
  m.module_size = module.size();
  m.spec = std::move(spec);
  // The slow part (compiling) runs before the control lock.
  VIV_TRY_ASSIGN(std::shared_ptr<const Deployment> d, build(std::move(m), module));
  std::lock_guard control(control_mutex_);
  VIV_TRY(store_.save(d->manifest, module));
  install(d);
  notify(d->manifest, "deployed");
  return d;
}

std::shared_ptr<const Deployment> Deployments::find(std::string_view name) const {
  std::shared_ptr<const Deployment> d;
  {
    std::shared_lock lock(map_mutex_);
    auto it = live_.find(std::string(name));
    if (it == live_.end()) return nullptr;
    d = it->second;
  }
  // Expired but not yet reaped: gone for clients already.
  if (d->manifest.expires_ms != 0 && d->expired_at(now())) return nullptr;
  return d;
}

std::vector<std::shared_ptr<const Deployment>> Deployments::list() const {
  std::vector<std::shared_ptr<const Deployment>> out;
  int64_t t = now();
  {
    std::shared_lock lock(map_mutex_);
    for (const auto& [name, d] : live_)
      if (!d->expired_at(t)) out.push_back(d);  // as find(): gone before the reaper runs
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a->manifest.spec.name < b->manifest.spec.name; });
  return out;
}

size_t Deployments::size() const {
  std::shared_lock lock(map_mutex_);
  return live_.size();
}

void Deployments::install(std::shared_ptr<const Deployment> d) {
  std::shared_ptr<const Deployment> old;  // released outside the lock
  std::unique_lock lock(map_mutex_);
  auto& slot = live_[d->manifest.spec.name];
  old = std::move(slot);
  slot = std::move(d);
}

void Deployments::uninstall(const std::string& name) {
  std::shared_ptr<const Deployment> old;
  std::unique_lock lock(map_mutex_);
  auto it = live_.find(name);
  if (it == live_.end()) return;
  old = std::move(it->second);
  live_.erase(it);
}

Result<bool> Deployments::remove(std::string_view name) {
  VIV_TRY(validate_name(name));
  std::lock_guard control(control_mutex_);
  std::string key(name);
  std::shared_ptr<const Deployment> local;
  {
    std::shared_lock lock(map_mutex_);
    auto it = live_.find(key);
    if (it != live_.end()) local = it->second;
  }
  VIV_TRY_ASSIGN(bool removed, store_.remove(name, ""));
  uninstall(key);
  if (removed && kv_) {
    if (auto r = kv_->drop_namespace(name); !r.ok())
      spdlog::error("undeploy {}: dropping its KV namespace failed: {}", key, r.error().message());
  }
  if (local) notify(local->manifest, "removed");
  return removed || local != nullptr;
}

void Deployments::reap(const Manifest& m) {
  // Only the version that expired: a redeploy of the name (here or on
  // another node) since then must survive, and keep its KV.
  auto removed = store_.remove(m.spec.name, m.version);
  if (!removed.ok()) {
    spdlog::error("expiring {}: {}", m.spec.name, removed.error().message());
    return;
  }
  if (*removed && kv_) {
    if (auto r = kv_->drop_namespace(m.spec.name); !r.ok())
      spdlog::error("expiring {}: dropping its KV namespace failed: {}", m.spec.name, r.error().message());
  }
  notify(m, "expired");
}

size_t Deployments::expire() {
  std::lock_guard control(control_mutex_);
  int64_t t = now();
  std::vector<std::shared_ptr<const Deployment>> due;
  {
    std::shared_lock lock(map_mutex_);
    for (const auto& [name, d] : live_)
      if (d->expired_at(t)) due.push_back(d);
  }
  for (const auto& d : due) {
    reap(d->manifest);
    uninstall(d->manifest.spec.name);
  }
  return due.size();
}

Result<void> Deployments::sync() {
  {
    std::lock_guard control(control_mutex_);
    VIV_TRY(sync_locked());
    // Now and then (every 64 syncs: about a minute), module data nothing refers to.
    if (syncs_++ % 64 == 63) {
      if (size_t n = store_.collect_garbage(now(), std::chrono::minutes(10)))
        spdlog::info("removed {} unreferenced module chunk(s) from {}", n, store_.describe());
    }
  }
  expire();
  return {};
}

Result<void> Deployments::sync_locked() {
  VIV_TRY_ASSIGN(std::vector<Manifest> stored, store_.list());
  std::unordered_set<std::string> present;
  for (Manifest& m : stored) {
    present.insert(m.spec.name);
    std::shared_ptr<const Deployment> local;
    {
      std::shared_lock lock(map_mutex_);
      auto it = live_.find(m.spec.name);
      if (it != live_.end()) local = it->second;
    }
    if (local && local->manifest.version == m.version) continue;
    if (m.expires_ms != 0 && now() >= m.expires_ms) {  // expired while no node was running
      reap(m);
      continue;
    }
    auto failed = failed_versions_.find(m.spec.name);
    if (failed != failed_versions_.end() && failed->second == m.version) continue;  // said so once already
    auto module = store_.load_module(m);
    auto d = module.ok() ? build(m, *module) : Result<std::shared_ptr<const Deployment>>(module.error());
    if (!d.ok()) {
      // Keep serving what we have. A module this node cannot build is not
      // retried (and logged) every sync; one read half-way through a
      // replacement is, as the store will hold a newer version.
      spdlog::error("loading deployment {} version {} from {}: {}", m.spec.name, m.version, store_.describe(),
                    d.error().to_string());
      if (module.ok()) failed_versions_[m.spec.name] = m.version;
      continue;
    }
    failed_versions_.erase(m.spec.name);
    install(*d);
    notify((*d)->manifest, "deployed");
  }
  std::vector<std::shared_ptr<const Deployment>> gone;
  {
    std::shared_lock lock(map_mutex_);
    for (const auto& [name, d] : live_)
      if (!present.count(name)) gone.push_back(d);
  }
  for (const auto& d : gone) {
    uninstall(d->manifest.spec.name);
    notify(d->manifest, "removed");
  }
  return {};
}

void Deployments::start() {
  std::lock_guard lock(thread_mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(thread_mutex_);
    while (!wake_.wait_for(lock, opts_.sync_interval, [this] { return stopping_; })) {
      lock.unlock();
      if (auto r = sync(); !r.ok()) spdlog::warn("deployment sync with {}: {}", store_.describe(), r.error().message());
      lock.lock();
    }
  });
}

void Deployments::stop() {
  {
    std::lock_guard lock(thread_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vivarium::server
