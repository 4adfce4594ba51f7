// What one request's guest sees through its handles: the incoming request
// (handle 0), the outgoing response (handle 0), the requests it created, the
// upstream responses it received and its pending transfers. Lives exactly as
// long as the request; the fiber runner (run_request.cc) owns it and gives
// the hostcalls a way to block (Async).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "host/terrarium/guest_runner.h"
#include "vivarium/instance.h"
#include "vivarium/store.h"

namespace vivarium::terrarium {

// An outbound transfer started by req_send / req_send_async.
struct PendingTransfer {
  bool done = false;
  std::optional<http::OutboundResponse> response;  // set when done and it succeeded
  std::string error;                               // why it failed, when done without response
};

// Blocking operations, provided by the fiber runner. Each suspends the guest
// (never the thread) and returns an error once the request's wall time is up.
class Async {
 public:
  virtual ~Async() = default;
  // Starts a transfer whose completion fills pending[handle].
  virtual void start_outbound(int32_t handle, http::OutboundRequest req) = 0;
  // Suspends until `ready()` holds (checked after every completion).
  virtual Result<void> block_until(const std::function<bool()>& ready) = 0;
  virtual Result<std::vector<net::IpAddress>> resolve(std::string name, bool ipv6) = 0;
  virtual Result<std::vector<uint8_t>> query_raw(std::vector<uint8_t> query) = 0;
  // Runs a slow blocking call (a KV write: LMDB's fsync takes milliseconds)
  // on a small pool of threads while the guest is suspended. `work` must own
  // all it uses: it may outlive the request when the wall time runs out.
  virtual Result<bool> offload(std::function<Result<bool>()> work) = 0;
};

struct RequestState {
  RequestState(const GuestConfig& c, const Services& s, HttpRequest req, Async& a)
      : config(c), services(s), incoming(std::move(req)), async(a) {}

  const GuestConfig& config;
  const Services& services;
  HttpRequest incoming;
  HttpResponse outgoing;
  Async& async;
  Store* store = nullptr;
  Instance instance;

  // init_mm: table indices of the guest's malloc and free.
  bool mm_ready = false;
  uint32_t malloc_index = 0;
  uint32_t free_index = 0;

  std::unordered_map<int32_t, http::OutboundRequest> requests;   // created, not yet sent
  std::unordered_map<int32_t, http::OutboundResponse> responses; // upstream answers
  std::unordered_map<int32_t, PendingTransfer> pending;
  int32_t next_request = 1;
  int32_t next_response = 1;
  int32_t next_pending = 1;
  uint32_t outbound_started = 0;

  std::optional<std::string> panic_message;

  void log(std::string_view line) const {
    if (services.log) services.log(config.deployment, incoming.request_id, line);
  }
};

// The request state of the instance a hostcall runs in.
inline RequestState& state_of(Store& s) { return *static_cast<RequestState*>(s.user_data()); }

}  // namespace vivarium::terrarium
