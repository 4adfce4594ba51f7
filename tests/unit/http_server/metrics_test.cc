#include "server/metrics.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace vivarium::server {
namespace {

TEST(Metrics, RendersPrometheusTextFormat) {
  MetricsRegistry m;
  m.counter("req_total", {{"deployment", "hello"}, {"code", "200"}}, "Requests").inc(3);
  m.counter("req_total", {{"code", "200"}, {"deployment", "hello"}}).inc();  // label order does not matter
  m.counter("req_total", {{"deployment", "a\"b\\c\nd"}, {"code", "500"}}).inc();
  m.gauge("pool_size", {}, "Pool").set(2.5);
  m.gauge_fn("sampled", {{"k", "v"}}, "Sampled", [] { return 7.0; });
  auto& h = m.histogram("lat_seconds", {{"deployment", "hello"}}, "Latency", {0.01, 0.1});
  h.observe(0.005);
  h.observe(0.05);
  h.observe(5);
  EXPECT_EQ(m.render(),
            "# HELP lat_seconds Latency\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{deployment=\"hello\",le=\"0.01\"} 1\n"
            "lat_seconds_bucket{deployment=\"hello\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{deployment=\"hello\",le=\"+Inf\"} 3\n"
            "lat_seconds_sum{deployment=\"hello\"} 5.055\n"
            "lat_seconds_count{deployment=\"hello\"} 3\n"
            "# HELP pool_size Pool\n"
            "# TYPE pool_size gauge\n"
            "pool_size 2.5\n"
            "# HELP req_total Requests\n"
            "# TYPE req_total counter\n"
            "req_total{code=\"200\",deployment=\"hello\"} 4\n"
            "req_total{code=\"500\",deployment=\"a\\\"b\\\\c\\nd\"} 1\n"
            "# HELP sampled Sampled\n"
            "# TYPE sampled gauge\n"
            "sampled{k=\"v\"} 7\n");
}

TEST(Metrics, BadNamesAreFixedAndTypeClashesCounted) {
  MetricsRegistry m;
  m.counter("my-metric.total", {{"bad-label", "x"}}).inc();
  m.counter("x").inc();
  m.gauge("x").set(1);  // clash: updated, never rendered
  std::string r = m.render();
  EXPECT_NE(r.find("my_metric_total{bad_label=\"x\"} 1\n"), std::string::npos) << r;
  EXPECT_NE(r.find("x 1\n"), std::string::npos) << r;
  EXPECT_NE(r.find("vivarium_metrics_errors_total 1\n"), std::string::npos) << r;
}

TEST(Metrics, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry m;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        m.counter("c", {{"code", std::to_string(200 + i % 3)}}).inc();
        m.histogram("h").observe(0.001 * t);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(m.counter("c", {{"code", "200"}}).value() + m.counter("c", {{"code", "201"}}).value() +
                m.counter("c", {{"code", "202"}}).value(),
            40000u);
  EXPECT_EQ(m.histogram("h").count(), 40000u);
}

}  // namespace
}  // namespace vivarium::server
