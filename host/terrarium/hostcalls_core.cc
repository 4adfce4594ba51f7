// init_mm, panic_hook, debug, time_now, rng_next_u64.
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "host/terrarium/guest_io.h"
#include "host/terrarium/hostcalls.h"

namespace vivarium::terrarium {
namespace {

// A debug line or panic message longer than this is cut (with a note) so that
// a guest cannot flood the log with one call.
constexpr size_t kMaxLogLine = 16 * 1024;

std::string clip(std::string s) {
  if (s.size() > kMaxLogLine) {
    const size_t full = s.size();
    s.resize(kMaxLogLine);
    s += "... [" + std::to_string(full - kMaxLogLine) + " more bytes]";
  }
  return s;
}

}  // namespace

void define_core_hostcalls(Linker& l) {
  l.func("env", "hostcall_init_mm", [](Caller& c, uint32_t malloc_idx, uint32_t free_idx) {
    RequestState& st = state_of(c.store());
    st.mm_ready = true;
    st.malloc_index = malloc_idx;
    st.free_index = free_idx;
  });

  l.func("env", "hostcall_panic_hook", [](Caller& c, uint32_t ptr, uint32_t len) -> Result<void> {
    GuestIo io(c, "panic_hook");
    VIV_TRY_ASSIGN(std::string msg, io.read(ptr, len, "message"));
    msg = clip(std::move(msg));
    io.state().log("panic: " + msg);
    io.state().panic_message = std::move(msg);
    return {};
  });

  // len = 0xFFFFFFFF (a known C guest): up to the first NUL or the end of memory.
  l.func("env", "hostcall_debug", [](Caller& c, uint32_t ptr, uint32_t len) -> Result<void> {
    GuestIo io(c, "debug");
    std::string line;
    if (len == UINT32_MAX) {
      const MemoryView mem = io.memory();
      if (ptr > mem.size()) return io.trap("message pointer " + std::to_string(ptr) + " is out of bounds of memory (" + std::to_string(mem.size()) + " bytes)");
      auto rest = *mem.string(ptr, mem.size() - ptr);
      line = std::string(rest.substr(0, std::min(rest.find('\0'), kMaxLogLine + 1)));
    } else {
      VIV_TRY_ASSIGN(line, io.read(ptr, len, "message"));
    }
    io.state().log(clip(std::move(line)));
    return {};
  });

  l.func("env", "hostcall_time_now", [](Caller& c, uint32_t nanos_ptr) -> Result<int64_t> {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    if (nanos_ptr != 0) {
      GuestIo io(c, "time_now");
      VIV_TRY(io.write_u32(nanos_ptr, static_cast<uint32_t>(ts.tv_nsec), "nanoseconds out-parameter"));
    }
    return static_cast<int64_t>(ts.tv_sec);
  });

  l.func("env", "hostcall_rng_next_u64", []() -> Result<uint64_t> {
    uint64_t v = 0;
    auto* p = reinterpret_cast<uint8_t*>(&v);
    size_t got = 0;
    while (got < sizeof v) {
      const ssize_t n = getrandom(p + got, sizeof v - got, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return hostcall_trap("rng_next_u64", std::string("getrandom failed: ") + std::strerror(errno));
      got += static_cast<size_t>(n);
    }
    return v;
  });
}

void define_hostcalls(Linker& l) {
  define_core_hostcalls(l);
  define_request_hostcalls(l);
  define_response_hostcalls(l);
  define_outbound_hostcalls(l);
  define_kv_hostcalls(l);
  define_dns_hostcalls(l);
}

}  // namespace vivarium::terrarium
