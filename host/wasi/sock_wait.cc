#include "host/wasi/sock_wait.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "host/wasi/errno_map.h"

namespace vivarium::wasi {
namespace {

using Clock = std::chrono::steady_clock;

// The guest's SO_RCVTIMEO or SO_SNDTIMEO on `fd`; zero when none is set.
Clock::duration guest_timeout(int fd, short events) {
  struct timeval tv {};
  socklen_t len = sizeof tv;
  if (::getsockopt(fd, SOL_SOCKET, events == POLLIN ? SO_RCVTIMEO : SO_SNDTIMEO, &tv, &len) != 0) return {};
  return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
}

}  // namespace

bool is_blocking(int fd) {
  const int fl = ::fcntl(fd, F_GETFL);
  return fl >= 0 && (fl & O_NONBLOCK) == 0;
}

Errno await_ready(const WasiCtx& c, int fd, short events) {
  const Clock::time_point start = Clock::now();
  std::optional<Clock::time_point> until = c.deadline();
  bool by_deadline = until.has_value();
  if (Clock::duration own = guest_timeout(fd, events); own > Clock::duration::zero() && (!until || start + own < *until)) {
    until = start + own;
    by_deadline = false;
  }
  for (;;) {
    struct timespec ts {};
    struct timespec* tsp = nullptr;
    if (until) {
      const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(*until - Clock::now()).count();
      if (left <= 0) return by_deadline ? Errno::TimedOut : Errno::Again;
      ts.tv_sec = static_cast<time_t>(left / 1000000000);
      ts.tv_nsec = static_cast<long>(left % 1000000000);
      tsp = &ts;
    }
    struct pollfd p {fd, events, 0};
    const int r = ::ppoll(&p, 1, tsp, nullptr);
    if (r > 0) return Errno::Success;
    if (r < 0 && errno != EINTR) return last_host_errno();
  }
}

Errno await_socket(const WasiCtx& c, int fd, short events) {
  if (!c.deadline() || !is_blocking(fd)) return Errno::Success;
  return await_ready(c, fd, events);
}

Result<uint32_t> or_deadline(const WasiCtx& c, uint32_t errno_value, const char* call) {
  if (c.deadline() && Clock::now() >= *c.deadline())
    return Error(ErrorCode::DeadlineExceeded, std::string("deadline exceeded (blocked in ") + call + ")");
  return errno_value;
}

}  // namespace vivarium::wasi
