// poll_oneoff: clock subscriptions (relative or absolute, realtime or
// monotonic) and fd read/write readiness, in one ppoll(2). Regular files and
// directories are always ready (as POSIX poll says), reporting the bytes
// left to read. Errors that concern one subscription (unknown fd, missing
// right) are delivered in its event, not as the call's errno.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <vector>

#include "host/wasi/abi.h"
#include "host/wasi/errno_map.h"
#include "host/wasi/guest_memory.h"

namespace vivarium::wasi {
namespace {

struct Sub {
  uint64_t userdata = 0;
  EventType type = EventType::Clock;
  int64_t deadline_ns = 0;   // clock: CLOCK_MONOTONIC time at which it fires
  int pollfd_index = -1;     // fd: index into the pollfd array, -1 if decided already
  Errno error = Errno::Success;
  bool ready = false;
  uint64_t nbytes = 0;
  bool hangup = false;
};

int64_t now_ns(clockid_t clk) {
  struct timespec ts;
  ::clock_gettime(clk, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t saturating_add(int64_t a, uint64_t b) {
  if (b > static_cast<uint64_t>(INT64_MAX - a)) return INT64_MAX;
  return a + static_cast<int64_t>(b);
}

// Bytes that can be read without blocking, where the OS can tell.
uint64_t readable_bytes(int fd, FileType type) {
  if (type == FileType::RegularFile) {
    struct stat st;
    off_t pos = ::lseek(fd, 0, SEEK_CUR);
    if (::fstat(fd, &st) == 0 && pos >= 0 && st.st_size > pos) return static_cast<uint64_t>(st.st_size - pos);
    return 0;
  }
  int n = 0;
  if (::ioctl(fd, FIONREAD, &n) == 0 && n > 0) return static_cast<uint64_t>(n);
  return 0;
}

}  // namespace

void add_poll(Linker& l, WasiCtx& ctx) {
  WasiCtx* c = &ctx;
  l.func(kModule, "poll_oneoff",
         [c](Caller& caller, uint32_t in, uint32_t out, uint32_t nsubs, uint32_t nevents_out) -> Result<uint32_t> {
           using namespace layout;
           if (nsubs == 0) return ret(Errno::Inval);
           MemoryView mem = caller.memory();
           if (!mem.in_bounds(in, uint64_t{nsubs} * kSubscriptionSize) ||
               !mem.in_bounds(out, uint64_t{nsubs} * kEventSize) || !mem.in_bounds(nevents_out, 4))
             return ret(Errno::Fault);

           std::vector<Sub> subs(nsubs);
           std::vector<struct pollfd> pfds;
           std::optional<int64_t> earliest;  // monotonic ns of the first clock
           const int64_t mono_now = now_ns(CLOCK_MONOTONIC);
           bool any_ready = false;
           for (uint32_t i = 0; i < nsubs; ++i) {
             const uint64_t s = in + uint64_t{i} * kSubscriptionSize;
             Sub& sub = subs[i];
             sub.userdata = *mem.load<uint64_t>(s + kSubUserdata);
             uint8_t tag = *mem.load<uint8_t>(s + kSubTag);
             if (tag > 2) return ret(Errno::Inval);
             sub.type = static_cast<EventType>(tag);
             if (sub.type == EventType::Clock) {
               uint32_t id = *mem.load<uint32_t>(s + kSubClockId);
               uint64_t timeout = *mem.load<uint64_t>(s + kSubClockTimeout);
               uint16_t flags = *mem.load<uint16_t>(s + kSubClockFlags);
               const bool abs = flags & kSubclockAbstime;
               if (id == static_cast<uint32_t>(ClockId::Monotonic)) {
                 sub.deadline_ns = abs ? static_cast<int64_t>(std::min<uint64_t>(timeout, INT64_MAX))
                                       : saturating_add(mono_now, timeout);
               } else if (id == static_cast<uint32_t>(ClockId::Realtime)) {
                 // An absolute wall-clock time becomes a monotonic deadline now.
                 int64_t real_now = now_ns(CLOCK_REALTIME);
                 if (abs) {
                   int64_t t = static_cast<int64_t>(std::min<uint64_t>(timeout, INT64_MAX));
                   sub.deadline_ns = t <= real_now ? mono_now : saturating_add(mono_now, static_cast<uint64_t>(t - real_now));
                 } else {
                   sub.deadline_ns = saturating_add(mono_now, timeout);
                 }
               } else {
                 // CPU-time clocks cannot be waited on: report it in the event.
                 sub.error = Errno::Inval;
                 sub.ready = true;
                 any_ready = true;
                 continue;
               }
               if (!earliest || sub.deadline_ns < *earliest) earliest = sub.deadline_ns;
               continue;
             }
             Fd fd = *mem.load<uint32_t>(s + kSubFd);
             auto e = c->fds().get(fd, right::PollFdReadwrite);
             if (!e.ok()) {
               sub.error = e.error();
               sub.ready = any_ready = true;
               continue;
             }
             FdEntry* fe = *e;
             if (fe->type == FileType::RegularFile || fe->type == FileType::Directory) {
               sub.ready = any_ready = true;
               if (sub.type == EventType::FdRead) sub.nbytes = readable_bytes(fe->host.get(), fe->type);
               continue;
             }
             sub.pollfd_index = static_cast<int>(pfds.size());
             pfds.push_back({fe->host.get(), static_cast<short>(sub.type == EventType::FdRead ? POLLIN : POLLOUT), 0});
           }

           // How long to wait: not at all if something is ready, until the
           // earliest clock otherwise, forever with neither -- but never past
           // the embedder's deadline.
           std::optional<int64_t> wait_until;
           if (any_ready) wait_until = mono_now;
           else if (earliest) wait_until = *earliest;
           bool deadline_hit = false;
           if (c->deadline()) {
             int64_t dl = std::chrono::duration_cast<std::chrono::nanoseconds>(c->deadline()->time_since_epoch()).count();
             // steady_clock is CLOCK_MONOTONIC on Linux.
             if (!wait_until || dl < *wait_until) {
               wait_until = dl;
               deadline_hit = true;
             }
           }
           for (;;) {
             struct timespec ts {};
             struct timespec* tsp = nullptr;
             if (wait_until) {
               int64_t left = *wait_until - now_ns(CLOCK_MONOTONIC);
               if (left < 0) left = 0;
               ts.tv_sec = left / 1000000000;
               ts.tv_nsec = left % 1000000000;
               tsp = &ts;
             }
             int r = ::ppoll(pfds.data(), pfds.size(), tsp, nullptr);
             if (r < 0 && errno == EINTR) continue;
             if (r < 0) return ret(last_host_errno());
             if (r == 0 && wait_until && now_ns(CLOCK_MONOTONIC) < *wait_until) continue;  // woke early
             if (r == 0 && deadline_hit && !any_ready && now_ns(CLOCK_MONOTONIC) >= *wait_until)
               return Error(ErrorCode::DeadlineExceeded, "deadline exceeded (in poll_oneoff)");
             break;
           }

           const int64_t after = now_ns(CLOCK_MONOTONIC);
           uint32_t n = 0;
           for (Sub& sub : subs) {
             if (sub.type == EventType::Clock) {
               if (!sub.ready && sub.deadline_ns <= after) sub.ready = true;
             } else if (sub.pollfd_index >= 0) {
               const struct pollfd& p = pfds[static_cast<size_t>(sub.pollfd_index)];
               if (p.revents == 0) continue;
               sub.ready = true;
               if (p.revents & POLLNVAL) sub.error = Errno::Badf;
               if (p.revents & POLLHUP) sub.hangup = true;
               if (sub.type == EventType::FdRead && (p.revents & POLLIN)) sub.nbytes = readable_bytes(p.fd, FileType::Unknown);
             }
             if (!sub.ready) continue;
             const uint64_t ev = out + uint64_t{n} * kEventSize;
             std::memset(mem.bytes(ev, kEventSize)->data(), 0, kEventSize);
             (void)mem.store<uint64_t>(ev + kEventUserdata, sub.userdata);
             (void)mem.store<uint16_t>(ev + kEventError, static_cast<uint16_t>(sub.error));
             (void)mem.store<uint8_t>(ev + kEventType, static_cast<uint8_t>(sub.type));
             if (sub.type != EventType::Clock) {
               (void)mem.store<uint64_t>(ev + kEventNbytes, sub.nbytes);
               (void)mem.store<uint16_t>(ev + kEventFlags, sub.hangup ? kEventFdReadwriteHangup : uint16_t{0});
             }
             ++n;
           }
           (void)mem.store<uint32_t>(nevents_out, n);
           return ret(Errno::Success);
         });
}

}  // namespace vivarium::wasi
