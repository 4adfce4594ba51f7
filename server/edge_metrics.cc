#include "server/edge_metrics.h"

#include <atomic>
#include <unordered_map>

namespace vivarium::server {

namespace {
const char* const kOutcomes[] = {"ok", "trap", "panic", "timeout", "out_of_fuel", "limit", "internal", "cancelled"};
const char* const kKvOpNames[] = {"get", "put", "append", "remove", "keys", "drop_namespace"};
}  // namespace

EdgeMetrics::EdgeMetrics(std::shared_ptr<MetricsRegistry> registry) : registry_(std::move(registry)) {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  for (int i = 0; i < kKvOps; ++i)
    kv_ops_[i] = &registry_->counter("vivarium_kv_operations_total", {{"op", kKvOpNames[i]}},
                                     "Key-value store operations by kind (guests and the control plane)");
  kv_errors_ = &registry_->counter("vivarium_kv_errors_total", {}, "Key-value store operations that failed");
  instances_ = &registry_->gauge("vivarium_instances_running", {}, "Guest instances running or suspended now");
}

// Every request ends here: the series are looked up once per thread (the
// registry's lookup builds labels and takes its lock), keyed by this
// EdgeMetrics' id so that a later one at the same address never reuses them.
Counter& EdgeMetrics::outcome_counter(std::string_view deployment, const char* outcome) {
  thread_local std::unordered_map<std::string, Counter*> cache;
  thread_local std::string key;
  key.assign(reinterpret_cast<const char*>(&id_), sizeof id_);
  key += outcome;
  key += '\0';
  key += deployment;
  if (auto it = cache.find(key); it != cache.end()) return *it->second;
  Counter& c = registry_->counter("vivarium_guest_outcomes_total",
                                  {{"deployment", std::string(deployment)}, {"outcome", outcome}},
                                  "How guest runs ended: ok, trap, panic, timeout, out_of_fuel, limit, internal, cancelled");
  cache.emplace(key, &c);
  return c;
}

void EdgeMetrics::guest_ended(std::string_view deployment, int outcome_kind, uint32_t outbound) {
  const char* outcome = outcome_kind >= 0 && outcome_kind < 8 ? kOutcomes[outcome_kind] : "internal";
  outcome_counter(deployment, outcome).inc();
  if (outbound)
    registry_->counter("vivarium_outbound_requests_total", {{"deployment", std::string(deployment)}},
                       "Outbound HTTP requests made by guests")
        .inc(outbound);
}

void EdgeMetrics::limit_refused(std::string_view deployment, uint16_t status) {
  registry_->counter("vivarium_request_limit_refusals_total",
                     {{"deployment", std::string(deployment)}, {"code", std::to_string(status)}},
                     "Requests refused by a deployment's own limits before running (413, 431; 503 when too many of a heavy one run)")
      .inc();
}

void EdgeMetrics::deployment_changed(std::string_view event) {
  registry_->counter("vivarium_deployment_changes_total", {{"event", std::string(event)}},
                     "Deployments deployed, removed and expired on this node")
      .inc();
}

}  // namespace vivarium::server
