// The control plane's Prometheus series, in the front end's MetricsRegistry
// (server/metrics.h) so /metrics renders them together with the HTTP layer's
// own (vivarium_http_requests_total by deployment, status and protocol, and
// the latency histogram, which Respond::set_deployment labels): how guest
// runs ended, instances running, outbound requests, KV operations, request
// limit refusals, deployment changes and the live deployment count.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/metrics.h"

namespace vivarium::server {

class EdgeMetrics {
 public:
  explicit EdgeMetrics(std::shared_ptr<MetricsRegistry> registry = std::make_shared<MetricsRegistry>());
  const std::shared_ptr<MetricsRegistry>& registry() const { return registry_; }

  // A guest run ended: terrarium::Outcome::Kind as an int, outbound requests it made.
  void guest_ended(std::string_view deployment, int outcome_kind, uint32_t outbound);
  // A request refused by a per-deployment limit (413, 431) before running.
  void limit_refused(std::string_view deployment, uint16_t status);
  void deployment_changed(std::string_view event);  // "deployed", "removed", "expired"
  enum KvOp { KvGet, KvPut, KvAppend, KvRemove, KvKeys, KvDrop, kKvOps };
  void kv_op(KvOp op, bool ok) {
    kv_ops_[op]->inc();
    if (!ok) kv_errors_->inc();
  }
  Gauge& instances_running() { return *instances_; }

  std::string render() const { return registry_->render(); }

 private:
  Counter& outcome_counter(std::string_view deployment, const char* outcome);
  std::shared_ptr<MetricsRegistry> registry_;
  uint64_t id_ = 0;  // unique per EdgeMetrics in the process (per-thread series caches)
  std::array<Counter*, kKvOps> kv_ops_{};
  Counter* kv_errors_ = nullptr;
  Gauge* instances_ = nullptr;
};

}  // namespace vivarium::server
