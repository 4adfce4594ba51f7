#include "server/edge_metrics.h"

#include <cstdio>
#include <mutex>

namespace vivarium::server {

namespace {

const char* const kOutcomeNames[7] = {"ok", "trap", "panic", "timeout", "out_of_fuel", "limit", "internal"};
const char* const kKvOps[6] = {"get", "put", "append", "remove", "keys", "drop_namespace"};

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// Label values are deployment names (DNS labels): nothing to escape.
void sample(std::string& out, const char* name, const std::string& labels, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += buf;
  out += '\n';
}

std::string fmt_le(double b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", b);
  return buf;
}

}  // namespace

std::shared_ptr<EdgeMetrics::PerDeployment> EdgeMetrics::deployment(std::string_view name) {
  {
    std::shared_lock lock(mutex_);
    auto it = per_.find(name);
    if (it != per_.end()) return it->second;
  }
  std::unique_lock lock(mutex_);
  auto& slot = per_[std::string(name)];
  if (!slot) slot = std::make_shared<PerDeployment>();
  return slot;
}

void EdgeMetrics::forget(std::string_view name) {
  std::unique_lock lock(mutex_);
  auto it = per_.find(name);
  if (it != per_.end()) per_.erase(it);
}

void EdgeMetrics::record(PerDeployment& d, uint16_t status, std::chrono::microseconds latency, int outcome_kind,
                         uint32_t outbound) {
  d.by_status[status < 600 ? status : 599].fetch_add(1, std::memory_order_relaxed);
  double secs = static_cast<double>(latency.count()) / 1e6;
  size_t b = 0;
  while (b < kBuckets.size() && secs > kBuckets[b]) ++b;
  d.latency_buckets[b].fetch_add(1, std::memory_order_relaxed);  // cumulated at render time
  d.latency_sum_us.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
  if (outcome_kind >= 0 && outcome_kind < 7) d.outcomes[outcome_kind].fetch_add(1, std::memory_order_relaxed);
  d.outbound.fetch_add(outbound, std::memory_order_relaxed);
}

void EdgeMetrics::record_unrouted(uint16_t status) {
  unrouted_[status < 600 ? status : 599].fetch_add(1, std::memory_order_relaxed);
}

void EdgeMetrics::add_gauge(std::string name, std::string help, Gauge g) {
  std::unique_lock lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(g)});
}

std::string EdgeMetrics::render() const {
  std::string out;
  std::shared_lock lock(mutex_);
  auto load = [](const std::atomic<uint64_t>& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };

  header(out, "vivarium_requests_total", "counter", "HTTP requests by deployment and response status.");
  for (const auto& [name, d] : per_)
    for (size_t s = 0; s < d->by_status.size(); ++s)
      if (uint64_t n = d->by_status[s].load(std::memory_order_relaxed))
        sample(out, "vivarium_requests_total", "deployment=\"" + name + "\",status=\"" + std::to_string(s) + "\"",
               static_cast<double>(n));
  for (size_t s = 0; s < unrouted_.size(); ++s)
    if (uint64_t n = unrouted_[s].load(std::memory_order_relaxed))
      sample(out, "vivarium_requests_total", "deployment=\"\",status=\"" + std::to_string(s) + "\"",
             static_cast<double>(n));

  header(out, "vivarium_request_duration_seconds", "histogram",
         "Time from routing a request to its response, per deployment.");
  for (const auto& [name, d] : per_) {
    uint64_t cumulative = 0;
    std::string dl = "deployment=\"" + name + "\"";
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += d->latency_buckets[b].load(std::memory_order_relaxed);
      std::string le = b < kBuckets.size() ? fmt_le(kBuckets[b]) : "+Inf";
      sample(out, "vivarium_request_duration_seconds_bucket", dl + ",le=\"" + le + "\"",
             static_cast<double>(cumulative));
    }
    sample(out, "vivarium_request_duration_seconds_sum", dl, load(d->latency_sum_us) / 1e6);
    sample(out, "vivarium_request_duration_seconds_count", dl, static_cast<double>(cumulative));
  }

  header(out, "vivarium_guest_outcomes_total", "counter",
         "How guest runs ended: ok, trap, panic, timeout, out_of_fuel, limit, internal.");
  for (const auto& [name, d] : per_)
    for (int k = 0; k < 7; ++k)
      if (uint64_t n = d->outcomes[k].load(std::memory_order_relaxed))
        sample(out, "vivarium_guest_outcomes_total",
               "deployment=\"" + name + "\",outcome=\"" + kOutcomeNames[k] + "\"", static_cast<double>(n));

  header(out, "vivarium_outbound_requests_total", "counter", "Outbound HTTP requests made by guests.");
  for (const auto& [name, d] : per_)
    sample(out, "vivarium_outbound_requests_total", "deployment=\"" + name + "\"", load(d->outbound));

  header(out, "vivarium_instances_running", "gauge", "Guest instances running or suspended right now.");
  sample(out, "vivarium_instances_running", "", static_cast<double>(instances_running.load()));

  header(out, "vivarium_kv_operations_total", "counter", "Key-value store operations by kind.");
  for (int i = 0; i < 6; ++i) sample(out, "vivarium_kv_operations_total", std::string("op=\"") + kKvOps[i] + "\"", load(kv_ops[i]));
  header(out, "vivarium_kv_errors_total", "counter", "Key-value store operations that failed.");
  sample(out, "vivarium_kv_errors_total", "", load(kv_errors));

  header(out, "vivarium_deployment_changes_total", "counter", "Deployments deployed, removed and expired.");
  sample(out, "vivarium_deployment_changes_total", "event=\"deployed\"", load(deploys));
  sample(out, "vivarium_deployment_changes_total", "event=\"removed\"", load(undeploys));
  sample(out, "vivarium_deployment_changes_total", "event=\"expired\"", load(expiries));

  for (const auto& g : gauges_) {
    header(out, g.name.c_str(), "gauge", g.help.c_str());
    sample(out, g.name.c_str(), "", g.g());
  }
  return out;
}

}  // namespace vivarium::server
