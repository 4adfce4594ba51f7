// Outbound HTTP: req_send (blocking), req_send_async, and the pending handle
// calls wait / poll / select. Blocking ones suspend the guest's fiber
// (RequestState::async); the worker thread serves other requests meanwhile.
#include "host/terrarium/guest_io.h"
#include "host/terrarium/hostcalls.h"

namespace vivarium::terrarium {
namespace {

constexpr int32_t kError = -1;
constexpr int32_t kNotReady = -2;
// pending_req_select reads at most this many handles.
constexpr uint32_t kMaxSelect = 4096;

// Starts the request `req` (consumed whatever happens); a pending handle or -1.
int32_t start(RequestState& st, int32_t req, std::string_view hostcall) {
  auto it = st.requests.find(req);
  if (it == st.requests.end()) return kError;
  http::OutboundRequest r = std::move(it->second);
  st.requests.erase(it);
  if (st.services.outbound == nullptr) {
    st.log("hostcall_" + std::string(hostcall) + ": outbound HTTP is not available on this server");
    return kError;
  }
  if (st.outbound_started >= st.config.limits.max_outbound_requests || st.next_pending == INT32_MAX) {
    st.log("hostcall_" + std::string(hostcall) + ": the limit of " +
           std::to_string(st.config.limits.max_outbound_requests) + " outbound requests per request is reached");
    return kError;
  }
  ++st.outbound_started;
  const int32_t h = st.next_pending++;
  st.pending.emplace(h, PendingTransfer{});
  st.async.start_outbound(h, std::move(r));
  return h;
}

// Consumes a completed pending handle: a response handle, or -1 when it failed.
int32_t finish(RequestState& st, int32_t pr) {
  auto it = st.pending.find(pr);
  PendingTransfer t = std::move(it->second);
  st.pending.erase(it);
  if (!t.response) return kError;
  const int32_t h = st.next_response++;
  st.responses.emplace(h, std::move(*t.response));
  return h;
}

Result<int32_t> wait(RequestState& st, int32_t pr) {
  if (!st.pending.count(pr)) return kError;
  VIV_TRY(st.async.block_until([&st, pr] { return st.pending.at(pr).done; }));
  return finish(st, pr);
}

}  // namespace

void define_outbound_hostcalls(Linker& l) {
  l.func("env", "hostcall_req_send", [](Caller& c, int32_t req) -> Result<int32_t> {
    RequestState& st = state_of(c.store());
    const int32_t pr = start(st, req, "req_send");
    if (pr == kError) return kError;
    return wait(st, pr);
  });
  l.func("env", "hostcall_req_send_async", [](Caller& c, int32_t req) -> int32_t {
    return start(state_of(c.store()), req, "req_send_async");
  });
  l.func("env", "hostcall_pending_req_wait", [](Caller& c, int32_t pr) -> Result<int32_t> {
    return wait(state_of(c.store()), pr);
  });
  l.func("env", "hostcall_pending_req_poll", [](Caller& c, int32_t pr) -> int32_t {
    RequestState& st = state_of(c.store());
    auto it = st.pending.find(pr);
    if (it == st.pending.end()) return kError;
    if (!it->second.done) return kNotReady;
    return finish(st, pr);
  });
  // Writes the completed one's pending handle (not its index) to *pr_out. An
  // unknown handle in the list "fails": -1, and *pr_out names it.
  l.func("env", "hostcall_pending_req_select",
         [](Caller& c, uint32_t prs_ptr, uint32_t count, uint32_t pr_out) -> Result<int32_t> {
           GuestIo io(c, "pending_req_select");
           RequestState& st = io.state();
           if (count > kMaxSelect) return io.trap("a list of " + std::to_string(count) + " pending requests exceeds the limit of " + std::to_string(kMaxSelect));
           const MemoryView mem = io.memory();
           if (!mem.in_bounds_array<int32_t>(prs_ptr, count)) return io.trap("the list of " + std::to_string(count) + " pending requests is out of bounds of memory");
           std::vector<int32_t> prs(count);
           for (uint32_t i = 0; i < count; ++i) prs[i] = *mem.load<int32_t>(uint64_t{prs_ptr} + 4ull * i);
           VIV_TRY(io.write_u32(pr_out, static_cast<uint32_t>(kError), "pr_out"));
           if (prs.empty()) return kError;
           for (int32_t pr : prs) {
             if (!st.pending.count(pr)) {
               VIV_TRY(io.write_u32(pr_out, static_cast<uint32_t>(pr), "pr_out"));
               return kError;
             }
           }
           int32_t ready = kError;
           VIV_TRY(st.async.block_until([&] {
             for (int32_t pr : prs) {
               if (st.pending.at(pr).done) { ready = pr; return true; }
             }
             return false;
           }));
           VIV_TRY(io.write_u32(pr_out, static_cast<uint32_t>(ready), "pr_out"));
           return finish(st, ready);
         });
}

}  // namespace vivarium::terrarium
