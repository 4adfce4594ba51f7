#include "server/connection.h"

#include <cstdio>
#include <string>

#include <boost/asio/post.hpp>

#include "server/http_util.h"
#include "server/metrics.h"

namespace vivarium::server {

void ServerShared::log(const std::string& line) const {
  if (opts.log) opts.log(line);
  else std::fprintf(stderr, "vivarium serve: %s\n", line.c_str());
}

ConnectionBase::ConnectionBase(Worker& worker) : worker_(&worker) {
  worker_->connections.insert(this);
  worker_->shared->connections.fetch_add(1, std::memory_order_relaxed);
  if (auto& m = worker_->shared->opts.metrics)
    m->gauge("vivarium_http_open_connections", {}, "Client connections open now").inc();
}

ConnectionBase::~ConnectionBase() {
  worker_->connections.erase(this);
  worker_->shared->connections.fetch_sub(1, std::memory_order_relaxed);
  if (auto& m = worker_->shared->opts.metrics)
    m->gauge("vivarium_http_open_connections", {}, "Client connections open now").dec();
  if (worker_->draining && worker_->connections.empty() && worker_->on_idle) {
    // on_idle may stop the io_context; never from inside a destructor's caller chain.
    boost::asio::post(worker_->io, [w = worker_] {
      if (w->connections.empty() && w->on_idle) w->on_idle();
    });
  }
}

Respond ConnectionBase::make_respond(int32_t stream) {
  auto st = std::make_shared<Respond::State>();
  st->conn = weak_from_this();
  st->stream = stream;
  st->worker = worker_->self;
  return Respond(std::move(st));
}

void ConnectionBase::record(const AccessRecord& r) {
  const ServerShared& s = shared();
  if (s.opts.access_log) s.opts.access_log->write(r);
  auto& m = s.opts.metrics;
  if (!m) return;
  // The worker's own cache of series: no lock and no label building per
  // request once a (deployment, status, protocol) has been seen.
  Worker::SeriesCache& cache = worker_->series;
  cache.key.assign(r.deployment);
  cache.key += '\0';
  cache.key += r.protocol;
  cache.key += '\0';
  cache.key += std::to_string(r.status);
  auto it = cache.requests.find(cache.key);
  if (it == cache.requests.end()) {
    if (cache.requests.size() > 4096) cache.requests.clear();  // bounded: deployments come and go
    Counter& c = m->counter("vivarium_http_requests_total",
                            {{"deployment", std::string(r.deployment)},
                             {"code", std::to_string(r.status)},
                             {"protocol", std::string(r.protocol)}},
                            "HTTP requests answered, by deployment, status code and protocol");
    it = cache.requests.emplace(cache.key, &c).first;
  }
  it->second->inc();
  cache.key.assign(r.deployment);
  auto hit = cache.latency.find(cache.key);
  if (hit == cache.latency.end()) {
    if (cache.latency.size() > 1024) cache.latency.clear();
    Histogram& h = m->histogram("vivarium_http_request_duration_seconds", {{"deployment", std::string(r.deployment)}},
                                "Time from a request's head to its response handed to the socket");
    hit = cache.latency.emplace(cache.key, &h).first;
  }
  hit->second->observe(std::chrono::duration<double>(r.latency).count());
}

void ConnectionBase::client_left(const std::weak_ptr<Respond::State>& request) {
  auto st = request.lock();
  if (!st || st->done.load() || !st->cancel) return;
  auto cancel = std::move(st->cancel);
  st->cancel = nullptr;
  cancel();
}

void ConnectionBase::count_rejected(const char* reason) {
  if (auto& m = shared().opts.metrics)
    m->counter("vivarium_http_rejected_total", {{"reason", reason}},
               "Requests or connections refused by the protocol layer, by reason")
        .inc();
}

Respond::State::~State() {
  if (!done.exchange(true))
    deliver_now(error_response(500, "the handler dropped the request without a response"));
}

void Respond::State::deliver(terrarium::HttpResponse response) {
  if (done.exchange(true)) return;
  deliver_now(std::move(response));
}

void Respond::State::deliver_now(terrarium::HttpResponse response) {
  if (sink) return sink(std::move(response));
  auto w = worker.lock();
  if (!w) return;
  boost::asio::post(w->io, [c = conn, id = stream, r = std::move(response), d = std::move(deployment)]() mutable {
    if (auto locked = c.lock()) locked->deliver(id, std::move(r), std::move(d));
  });
}

void Respond::operator()(terrarium::HttpResponse response) const {
  if (state_) state_->deliver(std::move(response));
}

void Respond::set_deployment(std::string name) const {
  if (state_) state_->deployment = std::move(name);
}

void Respond::on_cancel(std::function<void()> cancel) const {
  if (state_) state_->cancel = std::move(cancel);
}

std::string Respond::deployment() const { return state_ ? state_->deployment : std::string(); }

std::shared_ptr<Respond::State> Respond::make_state(std::function<void(terrarium::HttpResponse)> sink) {
  auto st = std::make_shared<State>();
  st->sink = std::move(sink);
  return st;
}

}  // namespace vivarium::server
