#include "server/log_ring.h"

#include <chrono>

namespace vivarium::server {

LogRing::LogRing(size_t per_deployment, size_t max_line_bytes)
    : capacity_(per_deployment ? per_deployment : 1), max_line_bytes_(max_line_bytes) {}

void LogRing::add(std::string_view deployment, std::string_view level, std::string_view request_id,
                  std::string_view text) {
  LogLine line;
  line.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  line.level = level;
  line.request_id = request_id;
  // A guest decides how long its lines are; the ring's memory must not.
  line.text = text.size() > max_line_bytes_ ? std::string(text.substr(0, max_line_bytes_)) + "…[truncated]"
                                            : std::string(text);
  std::lock_guard lock(mutex_);
  line.seq = next_seq_++;
  auto& ring = rings_[std::string(deployment)];
  if (ring.size() >= capacity_) ring.pop_front();
  ring.push_back(std::move(line));
}

std::vector<LogLine> LogRing::recent(std::string_view deployment, uint64_t since, size_t limit) const {
  std::vector<LogLine> out;
  std::lock_guard lock(mutex_);
  auto it = rings_.find(std::string(deployment));
  if (it == rings_.end()) return out;
  for (const auto& line : it->second)
    if (line.seq > since) out.push_back(line);
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  return out;
}

void LogRing::drop(std::string_view deployment) {
  std::lock_guard lock(mutex_);
  rings_.erase(std::string(deployment));
}

}  // namespace vivarium::server
