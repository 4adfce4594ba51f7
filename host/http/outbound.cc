// OutboundClient: one thread, one curl multi handle (so every transfer
// shares its connection pool), woken by curl_multi_wakeup when a request
// arrives or is cancelled.
#include "host/http/outbound.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "host/http/transfer.h"

namespace vivarium::http {
namespace {

// curl_global_init is not thread-safe: do it once, before any client exists.
void init_curl_once() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)rc;
}

}  // namespace

struct OutboundClient::Impl {
  Options opts;
  CURLM* multi = nullptr;
  std::thread thread;

  mutable std::mutex mu;  // guards the three fields below
  std::vector<std::unique_ptr<Transfer>> incoming;
  std::vector<uint64_t> cancels;
  bool stopping = false;

  std::atomic<uint64_t> next_id{1};
  std::atomic<size_t> in_flight{0};
  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> running;  // the client thread's own

  void finish(std::unique_ptr<Transfer> t, Result<OutboundResponse> r) {
    in_flight.fetch_sub(1);
    t->complete(std::move(r));
  }

  void remove(uint64_t id, ErrorCode code, const std::string& why) {
    auto it = running.find(id);
    if (it == running.end()) return;
    std::unique_ptr<Transfer> t = std::move(it->second);
    running.erase(it);
    curl_multi_remove_handle(multi, t->easy());
    Error e = t->error(code, why);
    finish(std::move(t), std::move(e));
  }

  // Takes what other threads queued; false once the client is stopping.
  bool take_queued() {
    std::vector<std::unique_ptr<Transfer>> added;
    std::vector<uint64_t> cancelled;
    bool stop;
    {
      std::lock_guard lock(mu);
      added.swap(incoming);
      cancelled.swap(cancels);
      stop = stopping;
    }
    for (auto& t : added) {
      if (auto ok = t->prepare(opts); !ok) {
        finish(std::move(t), std::move(ok).error());
        continue;
      }
      if (CURLMcode rc = curl_multi_add_handle(multi, t->easy()); rc != CURLM_OK) {
        Error e = t->error(ErrorCode::Io, std::string("cannot start: ") + curl_multi_strerror(rc));
        finish(std::move(t), std::move(e));
        continue;
      }
      uint64_t id = t->id();
      running.emplace(id, std::move(t));
    }
    for (uint64_t id : cancelled) remove(id, ErrorCode::Io, "cancelled");
    return !stop;
  }

  void loop() {
    for (;;) {
      if (!take_queued()) break;
      int still_running = 0;
      curl_multi_perform(multi, &still_running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Transfer* raw = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
        CURLcode code = msg->data.result;
        auto it = running.find(raw->id());
        if (it == running.end()) continue;
        std::unique_ptr<Transfer> t = std::move(it->second);
        running.erase(it);
        curl_multi_remove_handle(multi, t->easy());
        auto r = t->finish(code);
        finish(std::move(t), std::move(r));
      }
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    // Shutting down: whatever is queued or running ends with an error.
    std::vector<uint64_t> ids;
    for (auto& [id, t] : running) ids.push_back(id);
    for (uint64_t id : ids) remove(id, ErrorCode::Io, "the client is shutting down");
    std::vector<std::unique_ptr<Transfer>> added;
    {
      std::lock_guard lock(mu);
      added.swap(incoming);
    }
    for (auto& t : added) {
      Error e = t->error(ErrorCode::Io, "the client is shutting down");
      finish(std::move(t), std::move(e));
    }
  }
};

OutboundClient::OutboundClient(Options opts) : impl_(std::make_unique<Impl>()) {
  init_curl_once();
  impl_->opts = std::move(opts);
  impl_->multi = curl_multi_init();
  CURLM* m = impl_->multi;
  curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(impl_->opts.max_connections_per_host));
  curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(impl_->opts.max_total_connections));
  curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, static_cast<long>(impl_->opts.max_total_connections));
  curl_multi_setopt(m, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  impl_->thread = std::thread([this] { impl_->loop(); });
}

OutboundClient::OutboundClient() : OutboundClient(Options{}) {}

OutboundClient::~OutboundClient() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  curl_multi_wakeup(impl_->multi);
  impl_->thread.join();
  curl_multi_cleanup(impl_->multi);
}

uint64_t OutboundClient::start(OutboundRequest req, std::shared_ptr<const net::EgressPolicy> policy, Callback done) {
  uint64_t id = impl_->next_id.fetch_add(1);
  auto t = std::make_unique<Transfer>(id, std::move(req), std::move(policy), std::move(done));
  impl_->in_flight.fetch_add(1);
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->stopping) {
      impl_->incoming.push_back(std::move(t));
    }
  }
  if (t) {  // the client is being destroyed: answer here rather than never
    Error e = t->error(ErrorCode::Io, "the client is shutting down");
    impl_->finish(std::move(t), std::move(e));
    return id;
  }
  curl_multi_wakeup(impl_->multi);
  return id;
}

void OutboundClient::cancel(uint64_t id) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->cancels.push_back(id);
  }
  curl_multi_wakeup(impl_->multi);
}

size_t OutboundClient::in_flight() const { return impl_->in_flight.load(); }

}  // namespace vivarium::http
