// The access log: one line per request, as text (the combined log format
// plus host, deployment, latency and request id) or as JSON (one object per
// line). Lines are formatted on the calling thread and appended to a buffer
// that a background thread writes out every 100 ms (or sooner when it
// grows), so a request never waits on the disk. Thread-safe.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "vivarium/error.h"

namespace vivarium::server {

struct AccessRecord {
  std::chrono::system_clock::time_point time;  // when the request's head arrived
  std::string_view client_ip, method, target, protocol, host, deployment, request_id;
  std::string_view user_agent, referer;
  uint16_t status = 0;
  uint64_t request_bytes = 0;   // body bytes received
  uint64_t response_bytes = 0;  // body bytes sent
  std::chrono::nanoseconds latency{0};  // head received -> response handed to the socket
};

class AccessLog {
 public:
  enum class Format { Text, Json };

  // "-" is stdout; otherwise the file is opened for appending (created 0640).
  static Result<std::shared_ptr<AccessLog>> open(const std::string& path, Format format);
  // Lines go to `sink` (tests, or a logging library), from the writer thread.
  static std::shared_ptr<AccessLog> to_sink(Format format, std::function<void(std::string_view)> sink);
  ~AccessLog();  // writes what is buffered
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // One line, with its trailing newline.
  static std::string format(const AccessRecord& r, Format format);
  void write(const AccessRecord& r);
  // Writes everything buffered so far before returning.
  void flush();

 private:
  AccessLog(Format format, FILE* file, bool owns_file, std::function<void(std::string_view)> sink);
  void run();
  void write_out(const std::string& chunk);

  Format format_;
  FILE* file_ = nullptr;
  bool owns_file_ = false;
  std::function<void(std::string_view)> sink_;
  std::mutex mu_;
  std::condition_variable cv_, flushed_;
  std::string pending_;
  uint64_t appended_ = 0, written_ = 0;  // chunks, for flush()
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace vivarium::server
