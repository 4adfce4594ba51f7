// The data plane's Prometheus metrics, rendered in the text exposition format
// (version 0.0.4) at the admin listener's /metrics: requests by deployment
// and status, a latency histogram per deployment, outcomes (trap, panic,
// timeout, ...), instances running, outbound requests, KV operations, live
// deployments. Counting is lock-free per request once the deployment's
// counters are found (one shared-lock map lookup).
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace vivarium::server {

class EdgeMetrics {
 public:
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  struct PerDeployment {
    std::array<std::atomic<uint64_t>, 600> by_status{};  // index: HTTP status
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> latency_buckets{};  // last: +Inf
    std::atomic<uint64_t> latency_sum_us{0};
    std::atomic<uint64_t> outbound{0};
    std::array<std::atomic<uint64_t>, 7> outcomes{};  // terrarium::Outcome::Kind
  };

  // Counters of a deployment, created on first use; the pointer stays valid.
  std::shared_ptr<PerDeployment> deployment(std::string_view name);
  void forget(std::string_view name);  // undeployed: its series end

  void record(PerDeployment& d, uint16_t status, std::chrono::microseconds latency, int outcome_kind,
              uint32_t outbound);
  // Requests that reached no deployment (unknown host), by status.
  void record_unrouted(uint16_t status);

  std::atomic<int64_t> instances_running{0};
  std::atomic<uint64_t> kv_ops[6] = {};         // get, put, append, remove, keys, drop
  std::atomic<uint64_t> kv_errors{0};
  std::atomic<uint64_t> deploys{0}, undeploys{0}, expiries{0};

  // Extra gauges to render (e.g. pool sizes from the runner, live deployments).
  using Gauge = std::function<double()>;
  void add_gauge(std::string name, std::string help, Gauge g);

  std::string render() const;

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::shared_ptr<PerDeployment>, std::less<>> per_;
  std::array<std::atomic<uint64_t>, 600> unrouted_{};
  struct NamedGauge {
    std::string name, help;
    Gauge g;
  };
  std::vector<NamedGauge> gauges_;
};

}  // namespace vivarium::server
