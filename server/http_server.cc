#include "server/http_server.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/connection.h"
#include "server/listener.h"

namespace vivarium::server {

namespace asio = boost::asio;

// The guest threads' nice value (the I/O threads keep 0). At 19 the CFS
// weight is 15 against 1024: heavy guests get what the I/O threads leave
// (all of an idle core, a sliver of a busy one), so a hostile deployment
// cannot take throughput from the others. Nice 10 (weight 110) left them
// 0.07-0.19 of a core under wrk, nice 19 0.01-0.06 (2026-12-08).
constexpr int kGuestNice = 19;

struct HttpServer::Impl {
  std::shared_ptr<ServerShared> shared;
  std::vector<std::shared_ptr<Worker>> workers;
  std::vector<uint16_t> ports;
  std::vector<std::thread> threads;
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<Guard>> guards;  // keep each io_context running while idle
  std::vector<std::unique_ptr<Guard>> compute_guards;  // the same for each Worker::compute
  std::mutex mu;
  bool started = false, stopping = false, joined = false;

  // On w's thread: stop accepting, drain, and stop once idle or at the
  // deadline. Handlers queued on w->io capture the Worker by raw pointer: the
  // Worker owns the io_context, so a shared_ptr there would be a cycle that
  // keeps both alive when the io_context stops with handlers still queued.
  static void begin_shutdown(Worker* w, std::chrono::milliseconds grace, Guard* guard) {
    for (auto& a : w->acceptors) {
      boost::system::error_code ec;
      a->close(ec);
    }
    w->draining = true;
    auto stop = [w, guard] {
      w->on_idle = nullptr;
      guard->reset();
      w->stop();
    };
    w->on_idle = [w, guard] {
      Worker* worker = w;
      Guard* g = guard;
      worker->on_idle = nullptr;  // destroys this lambda: use the copies
      g->reset();
      worker->stop();
    };
    auto timer = std::make_shared<asio::steady_timer>(w->io, grace);
    timer->async_wait([w, timer, stop](boost::system::error_code ec) {
      if (ec) return;
      // Grace is over: close whatever is left, give the aborted operations a
      // moment to unwind (so their objects are freed in order), then stop.
      std::vector<std::weak_ptr<ConnectionBase>> left;
      for (ConnectionBase* c : w->connections) left.push_back(c->weak_from_this());
      for (auto& c : left)
        if (auto l = c.lock()) l->force_close();
      timer->expires_after(std::chrono::milliseconds(50));
      timer->async_wait([w, guard_stop = stop](boost::system::error_code) {
        if (w->on_idle) guard_stop();
      });
    });
    std::vector<std::weak_ptr<ConnectionBase>> all;
    for (ConnectionBase* c : w->connections) all.push_back(c->weak_from_this());
    for (auto& c : all)
      if (auto l = c.lock()) l->drain();
    if (w->connections.empty()) asio::post(w->io, [w] { if (w->connections.empty() && w->on_idle) w->on_idle(); });
  }
};

namespace {
// One of a worker's threads: runs `io` until it is stopped. A handler that
// throws through Asio is logged and the thread keeps serving.
void run_thread(std::shared_ptr<Worker> w, asio::io_context* io, std::string name, int nice) {
  pthread_setname_np(pthread_self(), name.c_str());
  // Linux priorities are per thread; lowering one's own needs no privilege.
  if (nice != 0) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice);
  for (;;) {
    try {
      io->run();
      return;
    } catch (const std::exception& e) {
      w->shared->log(name + ": uncaught exception: " + e.what());
    }
  }
}
}  // namespace

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::create(HttpServerOptions opts, Handler handler) {
  if (opts.listen.empty()) return Error(ErrorCode::Usage, "the HTTP server needs at least one listen address");
  if (!handler) return Error(ErrorCode::Usage, "the HTTP server needs a handler");
  auto impl = std::make_unique<Impl>();
  auto shared = std::make_shared<ServerShared>();
  unsigned threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  bool any_tls = false;
  for (const auto& l : opts.listen) any_tls |= l.tls;
  if (any_tls) {
    VIV_TRY_ASSIGN(shared->tls, make_tls_context(opts.tls_cert_file, opts.tls_key_file));
  }
  shared->opts = std::move(opts);
  shared->handler = std::move(handler);
  impl->shared = shared;
  for (unsigned i = 0; i < threads; ++i) {
    auto w = std::make_shared<Worker>(shared);
    w->self = w;
    impl->workers.push_back(w);
  }
  // The first worker binds each address (port 0 picks one); the others bind
  // the same port with SO_REUSEPORT, and the kernel spreads connections.
  for (const auto& spec : shared->opts.listen) {
    uint16_t port = spec.port;
    for (auto& w : impl->workers) {
      VIV_TRY_ASSIGN(auto acc, open_acceptor(w->io, spec.host, port));
      port = acc->local_endpoint().port();
      w->acceptors.push_back(std::move(acc));
      w->acceptor_tls.push_back(spec.tls);
    }
    impl->ports.push_back(port);
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->started && !impl_->stopping) {
      impl_->stopping = true;
      for (size_t i = 0; i < impl_->workers.size(); ++i) {
        Worker* w = impl_->workers[i].get();
        Impl::Guard* g = impl_->guards[i].get();
        asio::post(w->io, [w, g] { Impl::begin_shutdown(w, std::chrono::milliseconds(0), g); });
      }
    }
  }
  wait();
  for (auto& w : impl_->workers) {
    w->on_idle = nullptr;  // the io_context's destruction frees connections: no more posts
    for (auto& a : w->acceptors) {
      boost::system::error_code ec;
      a->close(ec);
    }
  }
}

std::vector<uint16_t> HttpServer::bound_ports() const { return impl_->ports; }

void HttpServer::start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->started) return;
  impl_->started = true;
  for (auto& w : impl_->workers) {
    impl_->guards.push_back(std::make_unique<Impl::Guard>(w->io.get_executor()));
    impl_->compute_guards.push_back(std::make_unique<Impl::Guard>(w->compute.get_executor()));
    asio::post(w->io, [w = w.get()] { start_accepting(*w); });
  }
  for (size_t i = 0; i < impl_->workers.size(); ++i) {
    // "viv-http-3" and "viv-guest-3" in top, perf and gdb.
    std::shared_ptr<Worker> w = impl_->workers[i];
    impl_->threads.emplace_back(run_thread, w, &w->io, "viv-http-" + std::to_string(i), 0);
    impl_->threads.emplace_back(run_thread, w, &w->compute, "viv-guest-" + std::to_string(i), kGuestNice);
  }
}

void HttpServer::shutdown(std::chrono::milliseconds grace) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->started || impl_->stopping) return;
  impl_->stopping = true;
  for (size_t i = 0; i < impl_->workers.size(); ++i) {
    Worker* w = impl_->workers[i].get();
    Impl::Guard* g = impl_->guards[i].get();
    asio::post(w->io, [w, grace, g] { Impl::begin_shutdown(w, grace, g); });
  }
}

void HttpServer::wait() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(impl_->mu);
    threads.swap(impl_->threads);
  }
  for (auto& t : threads) t.join();
}

size_t HttpServer::connections() const { return impl_->shared->connections.load(std::memory_order_relaxed); }

}  // namespace vivarium::server
