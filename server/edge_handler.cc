#include "server/edge_handler.h"

#include <cstdio>
#include <random>

#include <spdlog/spdlog.h>

namespace vivarium::server {

using terrarium::HttpResponse;
using terrarium::Outcome;

// Requests of one heavy deployment computing at once (each used up a slice
// and waits for the next), server-wide. Each holds its memory (up to its
// memory limit) and a share of the guest threads for up to its wall time:
// past this many, more would only slow the ones running and take memory
// from other deployments. Requests waiting on an upstream do not count.
constexpr uint32_t kMaxHeavyComputing = 16;

HttpResponse plain_response(uint16_t status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

EdgeHandler::EdgeHandler(Deployments& deployments, const Router& router, const terrarium::Services& services,
                         EdgeMetrics& metrics, LogRing& logs)
    : deployments_(deployments), router_(router), services_(services), metrics_(metrics), logs_(logs) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06x", static_cast<unsigned>(std::random_device{}() & 0xffffff));
  id_prefix_ = buf;  // tells nodes apart in logs collected together
}

std::string EdgeHandler::next_request_id() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s-%llx", id_prefix_.c_str(),
                static_cast<unsigned long long>(counter_.fetch_add(1, std::memory_order_relaxed)));
  return buf;
}

void EdgeHandler::handle(boost::asio::any_io_executor ex, IncomingRequest req, Respond respond) {
  auto name = router_.route(req.host);
  if (!name) {
    std::string domains;
    for (const auto& d : router_.domains()) domains += (domains.empty() ? "" : ", ") + ("<name>." + d);
    respond(plain_response(404, "No deployment at host '" + req.host + "'. Deployments are reached at " +
                                    domains + ".\n"));
    return;
  }
  std::shared_ptr<const Deployment> d = deployments_.find(*name);
  if (!d) {
    respond(plain_response(404, "No deployment named '" + *name + "' (host " + req.host + ").\n"));
    return;
  }
  respond.set_deployment(*name);
  // The front end numbers requests (its access log shows the same id).
  if (req.request.request_id.empty()) req.request.request_id = next_request_id();
  std::string request_id = req.request.request_id;
  std::string why;
  if (uint16_t status = check_request_limits(req.request, d->manifest.spec.limits, why)) {
    spdlog::warn("[{} {}] {} {}", *name, request_id, status, why);
    logs_.add(*name, "warn", request_id, std::to_string(status) + " " + why);
    metrics_.limit_refused(*name, status);
    HttpResponse r = plain_response(status, why + "\n");
    r.headers.emplace_back("x-vivarium-request-id", request_id);
    respond(std::move(r));
    return;
  }
  auto program = d->program;
  // A heavy deployment (its requests compute for long: GuestCost) runs on
  // the worker's guest thread, below the I/O threads' priority, and only so
  // many of its requests may queue for the CPU at once: past that it gets a
  // cheap 503 instead of another instance that would take memory and CPU.
  const terrarium::GuestCost& cost = program->cost();
  if (cost.heavy() && req.compute) {
    if (cost.queued_for_cpu() >= kMaxHeavyComputing) {
      metrics_.limit_refused(*name, 503);
      HttpResponse r = plain_response(503, "Too many requests of this deployment are running; retry later.\n");
      r.headers.emplace_back("retry-after", "1");
      r.headers.emplace_back("x-vivarium-request-id", request_id);
      respond(std::move(r));
      return;
    }
    ex = std::move(req.compute);
  }
  metrics_.instances_running().inc();
  Respond on_leave = respond;
  terrarium::CancelRun cancel = terrarium::run_request(
      std::move(ex), std::move(program), services_, std::move(req.request),
      [this, d = std::move(d), request_id, respond = std::move(respond)](Outcome o) {
        metrics_.instances_running().dec();
        const std::string& dep = d->manifest.spec.name;
        if (o.kind != Outcome::Kind::Ok) {
          static const char* const kinds[] = {"ok",    "trap",           "panic",    "timeout", "out of fuel",
                                              "limit", "internal error", "cancelled"};
          const char* kind = kinds[static_cast<int>(o.kind)];
          spdlog::warn("[{} {}] {} ({}): {}", dep, request_id, kind, o.response.status, o.message);
          logs_.add(dep, "error", request_id, std::string(kind) + ": " + o.message);
        }
        metrics_.guest_ended(dep, static_cast<int>(o.kind), o.outbound_requests);
        o.response.headers.emplace_back("x-vivarium-request-id", request_id);
        respond(std::move(o.response));
      });
  // A client that leaves stops its guest: no CPU, memory or upstream
  // requests spent on an answer nobody reads.
  on_leave.on_cancel(std::move(cancel));
}

}  // namespace vivarium::server
