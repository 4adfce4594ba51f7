// What every connection of the HTTP front end shares: the server-wide state
// (options, handler, counters), the worker that owns the connection, and the
// base class through which the worker drains and closes its connections and
// a Respond reaches its request. Internal to server/.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "server/access_log.h"
#include "server/http_server.h"
#include "server/metrics.h"

namespace vivarium::server {

// Immutable after create(), shared by workers, connections and Responds.
struct ServerShared {
  HttpServerOptions opts;
  Handler handler;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null when no ListenSpec has tls
  mutable std::atomic<size_t> connections{0};
  void log(const std::string& line) const;
};

class ConnectionBase;

// One worker thread's world. Its members are touched only on its thread,
// except `io` (posted to from anywhere).
struct Worker {
  explicit Worker(std::shared_ptr<const ServerShared> s) : shared(std::move(s)) {}
  std::shared_ptr<const ServerShared> shared;
  std::weak_ptr<Worker> self;  // for Responds: they must not keep a stopped worker alive
  std::unordered_set<ConnectionBase*> connections;  // declared before io: outlives its handlers
  bool draining = false;
  std::function<void()> on_idle;  // set while draining: called when the last connection goes
  // Series of the server's own metrics this worker has updated (the
  // registry outlives the worker: ServerShared holds it).
  struct SeriesCache {
    std::string key;  // scratch
    std::unordered_map<std::string, Counter*> requests;
    std::unordered_map<std::string, Histogram*> latency;
  } series;
  boost::asio::io_context io{1};
  // Where heavy deployments' guests run (IncomingRequest::compute): its own
  // thread at a lower OS priority, so that a guest computing there never
  // delays this worker's accepts, parses and writes. Stopped with io.
  boost::asio::io_context compute{1};
  void stop() {
    io.stop();
    compute.stop();
  }
  // After io: closed before it is destroyed.
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors;  // ListenSpec order
  std::vector<bool> acceptor_tls;
};

class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  // Registers with the worker (which outlives every connection it runs).
  explicit ConnectionBase(Worker& worker);
  virtual ~ConnectionBase();
  ConnectionBase(const ConnectionBase&) = delete;
  ConnectionBase& operator=(const ConnectionBase&) = delete;

  // Graceful: finish what is in flight, accept no new request, then close.
  virtual void drain() = 0;
  // Now: close the socket; pending operations end with operation_aborted.
  virtual void force_close() = 0;
  // The handler's answer for `stream` (0 on HTTP/1.x), on this worker's thread.
  virtual void deliver(int32_t stream, terrarium::HttpResponse response, std::string deployment) = 0;

 protected:
  // A Respond for one request of this connection.
  Respond make_respond(int32_t stream);
  // The request behind a Respond, and what tells it that its client left
  // (Respond::on_cancel; nothing once it has been answered).
  static std::weak_ptr<Respond::State> state_of(const Respond& r) { return r.state_; }
  static void client_left(const std::weak_ptr<Respond::State>& request);
  const ServerShared& shared() const { return *worker_->shared; }
  const HttpLimits& limits() const { return worker_->shared->opts.limits; }
  Worker& worker() { return *worker_; }
  // One finished request for the access log and the metrics.
  void record(const AccessRecord& r);
  // A request refused by the protocol layer, by reason (metrics only).
  void count_rejected(const char* reason);

 private:
  Worker* worker_;
};

struct Respond::State {
  std::weak_ptr<ConnectionBase> conn;
  int32_t stream = 0;
  std::weak_ptr<Worker> worker;  // gone with the server: the response is dropped
  std::atomic<bool> done{false};
  std::string deployment;
  std::function<void(terrarium::HttpResponse)> sink;  // Respond made from a callable: no connection
  std::function<void()> cancel;  // Respond::on_cancel; set and run on the connection's worker
  ~State();
  void deliver(terrarium::HttpResponse response);  // the first call (or the destructor) wins

 private:
  void deliver_now(terrarium::HttpResponse response);
};

}  // namespace vivarium::server
