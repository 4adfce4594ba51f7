// The recent log lines of each deployment (guest debug() lines, panics,
// traps, timeouts, deploys), kept in memory in a bounded ring per deployment
// for `vivarium logs NAME` / GET /deployments/NAME/logs. Thread-safe.
#pragma once
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vivarium::server {

struct LogLine {
  uint64_t seq = 0;        // increasing across all deployments: "since" cursor
  int64_t time_ms = 0;     // Unix epoch
  std::string level;       // "debug", "info", "warn", "error"
  std::string request_id;  // empty for control-plane events
  std::string text;
};

class LogRing {
 public:
  explicit LogRing(size_t per_deployment = 1000, size_t max_line_bytes = 4096);
  void add(std::string_view deployment, std::string_view level, std::string_view request_id,
           std::string_view text);
  // Lines of that deployment with seq > since, oldest first, at most `limit`
  // (the newest ones when there are more).
  std::vector<LogLine> recent(std::string_view deployment, uint64_t since = 0, size_t limit = 1000) const;
  void drop(std::string_view deployment);

 private:
  size_t capacity_;
  size_t max_line_bytes_;
  mutable std::mutex mutex_;
  uint64_t next_seq_ = 1;
  std::unordered_map<std::string, std::deque<LogLine>> rings_;
};

}  // namespace vivarium::server
