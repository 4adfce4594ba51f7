// Runs one HTTP request on a fresh instance of a Terrarium-ABI guest
// (../shared/terrarium/ABI.md): instantiate, call `run`, collect the response,
// drop the instance. The guest runs on a fiber (Boost.Context) so that a
// blocking hostcall (req_send, pending_req_wait, pending_req_select) suspends
// it, and the worker thread goes on serving others until the upstream answers.
//
// CONTRACT (lead, session 4): implemented on the serve-abi branch; server/
// codes against it. Refine freely, but keep these names working or say what
// changed.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "host/http/outbound.h"
#include "host/terrarium/guest_cost.h"
#include "host/kv/kv_store.h"
#include "host/net/dns.h"
#include "host/net/egress_policy.h"
#include "vivarium/error.h"
#include "vivarium/module.h"

namespace vivarium::terrarium {

using Headers = http::Headers;

struct HttpRequest {
  std::string method;     // "GET"
  std::string target;     // origin-form: path plus ?query, never empty
  Headers headers;        // arrival order; hop-by-hop headers already removed
  std::string body;
  std::string client_ip;  // becomes x-vivarium-client-ip / fastly-client-ip
  std::string request_id; // tags debug lines
};

struct HttpResponse {
  uint16_t status = 200;
  Headers headers;
  std::string body;
};

struct GuestLimits {
  std::chrono::milliseconds wall_time{10000};  // includes time suspended on upstreams
  uint64_t fuel = 0;                           // 0: unmetered
  uint64_t max_memory_bytes = 128ull << 20;    // all memories and tables of the instance
  uint32_t max_outbound_requests = 32;         // per incoming request
  size_t max_response_body = 16 << 20;         // what the guest may set
  std::chrono::milliseconds outbound_timeout{10000};
};

// What a deployment gives each of its requests.
struct GuestConfig {
  std::string deployment;                               // name, for logs
  std::string kv_namespace;                             // usually the name
  std::shared_ptr<const net::EgressPolicy> egress;      // never null (deny-all)
  GuestLimits limits;
};

// Shared services, owned by the server and outliving every request.
struct Services {
  kv::KvStore* kv = nullptr;              // null: kvstore_* calls fail (return 0 / (0,0))
  http::OutboundClient* outbound = nullptr;
  net::Resolver* dns = nullptr;
  // One debug() line or panic message of a request.
  std::function<void(std::string_view deployment, std::string_view request_id,
                     std::string_view line)> log;
};

// A module checked once, at deploy time: it exports `run: [] -> []` and
// imports only env.hostcall_* functions that exist with the ABI's types; an
// error names the offending import or export.
class GuestProgram {
 public:
  static Result<std::shared_ptr<const GuestProgram>> prepare(std::shared_ptr<const Module> module,
                                                             GuestConfig config);
  const Module& module() const;
  const GuestConfig& config() const;
  // What its requests cost lately and how many run now (run_request keeps
  // it up to date; the server reads it to place and admit requests).
  GuestCost& cost() const;
  ~GuestProgram();

  struct Impl;
  const Impl& impl() const { return *impl_; }
 private:
  explicit GuestProgram(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct Outcome {
  // Cancelled: the client went away (run_request's cancel), status 499.
  enum class Kind { Ok, Trap, Panic, Timeout, OutOfFuel, Limit, Internal, Cancelled };
  Kind kind = Kind::Ok;
  HttpResponse response;  // for anything but Ok: status 500 (504 for Timeout) and the message as body
  std::string message;    // the trap or panic message with its backtrace, for the log
  uint32_t outbound_requests = 0;
};

// Runs the request on a new fiber on `ex` (the calling worker's executor).
// `done` is called exactly once, on `ex`. Never throws; a hostile guest can
// only produce an Outcome.
//
// Returns what cancels the request (its client went away): the guest stops
// at its next check or wait, its outbound transfers are cancelled, and
// `done` gets a Cancelled outcome. Any thread, any number of times; nothing
// once `done` has run.
using CancelRun = std::function<void()>;
CancelRun run_request(boost::asio::any_io_executor ex, std::shared_ptr<const GuestProgram> program,
                      const Services& services, HttpRequest request, std::function<void(Outcome)> done);

}  // namespace vivarium::terrarium
