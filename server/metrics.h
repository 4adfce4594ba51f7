// A small metrics registry rendered in the Prometheus text format (0.0.4):
// counters, gauges (set, or sampled from a function at scrape time) and
// histograms, each a family of series told apart by labels.
//
// Hot path: updating a series is one relaxed atomic add. Looking a series up
// takes a shared (reader) lock and one hash lookup; callers that update the
// same series often keep the reference, which stays valid as long as the
// registry. Thread-safe throughout.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vivarium::server {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void inc(double d = 1) { v_.fetch_add(d, std::memory_order_relaxed); }
  void dec(double d = 1) { v_.fetch_sub(d, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);  // sorted ascending; +Inf is implicit
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound, then the +Inf count; and the sum.
  std::vector<uint64_t> cumulative() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Request latencies from 100 µs to 10 s.
const std::vector<double>& default_latency_buckets();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The series of `name` with `labels` (any order), created on first use.
  // Names and label names are made valid (bad characters become '_'); a name
  // already used with another type gets a series that is never rendered, and
  // vivarium_metrics_errors_total counts the mistake. `help` is kept from
  // the first call that gives one.
  Counter& counter(std::string_view name, const Labels& labels = {}, std::string_view help = {});
  Gauge& gauge(std::string_view name, const Labels& labels = {}, std::string_view help = {});
  Histogram& histogram(std::string_view name, const Labels& labels = {}, std::string_view help = {},
                       const std::vector<double>& buckets = default_latency_buckets());
  // A gauge whose value `sample` returns at scrape time (pool sizes and the
  // like). Replaces an earlier function of the same series. `sample` runs
  // under the registry's lock: it must not call back into the registry.
  void gauge_fn(std::string_view name, const Labels& labels, std::string_view help,
                std::function<double()> sample);

  // Every family, sorted by name, in the Prometheus text format.
  std::string render() const;

  enum class Type { Counter, Gauge, Histogram };
  struct Series;
  struct Family;

 private:
  Series* find_or_add(Type type, std::string_view name, const Labels& labels, std::string_view help,
                      const std::vector<double>* buckets);

  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  std::unordered_map<std::string, Series*> index_;    // name + labels -> series
  std::vector<std::unique_ptr<Series>> rejected_;     // type clashes: updated, never rendered
};

}  // namespace vivarium::server
