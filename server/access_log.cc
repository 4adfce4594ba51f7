#include "server/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <nlohmann/json.hpp>

namespace vivarium::server {
namespace {

constexpr size_t kWakeBytes = 64 << 10;  // write out early past this much

// Text fields are quoted like nginx does: '"' and '\' and control bytes
// escaped as \xHH, so a hostile User-Agent cannot forge a line.
void quoted(std::string& out, std::string_view v) {
  out += '"';
  if (v.empty()) out += '-';
  for (unsigned char c : v) {
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void plain(std::string& out, std::string_view v) {
  if (v.empty()) { out += '-'; return; }
  for (unsigned char c : v) out += (c <= 0x20 || c >= 0x7f || c == '"') ? '_' : static_cast<char>(c);
}

std::string clf_time(std::chrono::system_clock::time_point t) {
  time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = strftime(buf, sizeof buf, "[%d/%b/%Y:%H:%M:%S +0000]", &tm);
  return std::string(buf, n);
}

std::string iso_time(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[48];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  n += static_cast<size_t>(snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000)));
  return std::string(buf, n);
}

}  // namespace

std::string AccessLog::format(const AccessRecord& r, Format format) {
  double secs = std::chrono::duration<double>(r.latency).count();
  if (format == Format::Json) {
    nlohmann::json j = {
        {"time", iso_time(r.time)},        {"client_ip", r.client_ip},
        {"method", r.method},              {"target", r.target},
        {"protocol", r.protocol},          {"host", r.host},
        {"deployment", r.deployment},      {"status", r.status},
        {"request_bytes", r.request_bytes}, {"response_bytes", r.response_bytes},
        {"latency_ms", secs * 1000.0},     {"request_id", r.request_id},
        {"user_agent", r.user_agent},      {"referer", r.referer},
    };
    // Invalid UTF-8 from a client is replaced, never a reason to throw.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
  }
  // client - - [time] "METHOD target PROTO" status bytes "referer" "ua" host deployment latency id
  std::string out;
  out.reserve(200 + r.target.size() + r.user_agent.size());
  plain(out, r.client_ip);
  out += " - - ";
  out += clf_time(r.time);
  out += " \"";
  plain(out, r.method);
  out += ' ';
  std::string target;
  quoted(target, r.target);  // escapes, then drop the quotes: it sits inside the request quotes
  out.append(target, 1, target.size() - 2);
  out += ' ';
  plain(out, r.protocol);
  out += "\" ";
  out += std::to_string(r.status);
  out += ' ';
  out += std::to_string(r.response_bytes);
  out += ' ';
  quoted(out, r.referer);
  out += ' ';
  quoted(out, r.user_agent);
  out += ' ';
  plain(out, r.host);
  out += ' ';
  plain(out, r.deployment);
  char lat[32];
  snprintf(lat, sizeof lat, " %.3fms ", secs * 1000.0);
  out += lat;
  plain(out, r.request_id);
  out += '\n';
  return out;
}

Result<std::shared_ptr<AccessLog>> AccessLog::open(const std::string& path, Format format) {
  if (path == "-") return std::shared_ptr<AccessLog>(new AccessLog(format, stdout, false, nullptr));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0)
    return Error(ErrorCode::Io, "cannot open access log " + path + ": " + std::strerror(errno));
  FILE* f = fdopen(fd, "a");
  if (!f) {
    ::close(fd);
    return Error(ErrorCode::Io, "cannot open access log " + path + ": " + std::strerror(errno));
  }
  return std::shared_ptr<AccessLog>(new AccessLog(format, f, true, nullptr));
}

std::shared_ptr<AccessLog> AccessLog::to_sink(Format format, std::function<void(std::string_view)> sink) {
  return std::shared_ptr<AccessLog>(new AccessLog(format, nullptr, false, std::move(sink)));
}

AccessLog::AccessLog(Format format, FILE* file, bool owns_file, std::function<void(std::string_view)> sink)
    : format_(format), file_(file), owns_file_(owns_file), sink_(std::move(sink)) {
  writer_ = std::thread([this] { run(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
  if (owns_file_) fclose(file_);
}

void AccessLog::write(const AccessRecord& r) {
  std::string line = format(r, format_);
  bool wake;
  {
    std::lock_guard lock(mu_);
    pending_ += line;
    wake = pending_.size() >= kWakeBytes;
  }
  if (wake) cv_.notify_one();
}

void AccessLog::flush() {
  std::unique_lock lock(mu_);
  uint64_t target = ++appended_;  // a marker the writer passes once it wrote what is pending now
  cv_.notify_one();
  flushed_.wait(lock, [&] { return written_ >= target || stop_; });
}

void AccessLog::write_out(const std::string& chunk) {
  if (chunk.empty()) return;
  if (sink_) {
    size_t start = 0;
    while (start < chunk.size()) {
      size_t nl = chunk.find('\n', start);
      sink_(std::string_view(chunk).substr(start, nl - start));
      start = nl + 1;
    }
    return;
  }
  fwrite(chunk.data(), 1, chunk.size(), file_);
  fflush(file_);
}

void AccessLog::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait_for(lock, std::chrono::milliseconds(100),
                 [&] { return stop_ || pending_.size() >= kWakeBytes || appended_ > written_; });
    std::string chunk;
    chunk.swap(pending_);
    uint64_t marker = appended_;
    bool stopping = stop_;
    lock.unlock();
    write_out(chunk);
    lock.lock();
    written_ = marker;
    flushed_.notify_all();
    if (stopping && pending_.empty()) return;
  }
}

}  // namespace vivarium::server
