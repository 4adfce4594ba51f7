// Resolver: a small pool of threads running getaddrinfo and raw queries, each
// answer filtered through the caller's EgressPolicy.
#include "host/net/dns.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "host/net/dns_transport.h"
#include "host/net/dns_wire.h"

namespace vivarium::net {

struct Resolver::Impl {
  Options opts;
  std::mutex mu;
  std::condition_variable cv;
  // A job runs with `cancelled` true when the resolver shuts down first.
  std::deque<std::function<void(bool cancelled)>> jobs;
  bool stopping = false;
  std::vector<std::thread> workers;

  void work() {
    for (;;) {
      std::function<void(bool)> job;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !jobs.empty(); });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
        if (stopping) {
          lock.unlock();
          job(true);
          continue;
        }
      }
      job(false);
    }
  }

  void post(std::function<void(bool)> job) {
    {
      std::lock_guard lock(mu);
      if (!stopping) {
        jobs.push_back(std::move(job));
        cv.notify_one();
        return;
      }
    }
    job(true);
  }
};

namespace {

Error denied(const std::string& what) { return Error(ErrorCode::Unsupported, "denied: " + what); }
Error shut_down(const std::string& what) {
  return Error(ErrorCode::Unsupported, "DNS " + what + ": the resolver is shutting down");
}

Result<std::vector<IpAddress>> lookup(const std::string& name, bool ipv6, const EgressPolicy& policy) {
  if (!policy.allows_name(name, 0)) return denied("the egress policy does not grant the name '" + name + "'");
  addrinfo hints{};
  hints.ai_family = ipv6 ? AF_INET6 : AF_INET;
  hints.ai_socktype = SOCK_STREAM;  // one entry per address
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &res);
  if (rc != 0) {
    return Error(rc == EAI_NONAME || rc == EAI_NODATA ? ErrorCode::NotFound : ErrorCode::Io,
                 "DNS look-up of '" + name + "': " + gai_strerror(rc));
  }
  std::vector<IpAddress> out;
  size_t refused = 0;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    IpAddress a = IpAddress::from_sockaddr(ai->ai_addr);
    if (a.v6 != ipv6) continue;  // e.g. a mapped address normalized to IPv4
    if (std::find(out.begin(), out.end(), a) != out.end()) continue;
    if (policy.allows(name, a, 0)) out.push_back(a);
    else ++refused;
  }
  ::freeaddrinfo(res);
  if (out.empty() && refused > 0)
    return denied("every address of '" + name + "' is outside the egress policy (" + std::to_string(refused) +
                  " refused)");
  return out;
}

Result<std::vector<uint8_t>> raw(const std::vector<uint8_t>& query, const EgressPolicy& policy,
                                 const Resolver::Options& opts) {
  VIV_TRY_ASSIGN(dns::Question q, dns::parse_query(query));
  if (!policy.allows_name(q.name, 0)) return denied("the egress policy does not grant the name '" + q.name + "'");
  VIV_TRY_ASSIGN(std::vector<uint8_t> answer, dns::exchange(query, opts.nameservers, opts.timeout));
  auto filtered = dns::filter_response(answer, q, [&](const IpAddress& a) { return policy.allows(q.name, a, 0); });
  if (!filtered) {
    Error e = std::move(filtered).error();
    return Error(e.code(), "answer for '" + q.name + "': " + e.message(), e.where());
  }
  return filtered;
}

}  // namespace

Resolver::Resolver(Options opts) : impl_(std::make_unique<Impl>()) {
  if (opts.nameservers.empty()) opts.nameservers = nameservers_from_resolv_conf();
  if (opts.threads == 0) opts.threads = 1;
  impl_->opts = std::move(opts);
  for (unsigned i = 0; i < impl_->opts.threads; ++i) impl_->workers.emplace_back([this] { impl_->work(); });
}

Resolver::Resolver() : Resolver(Options{}) {}

Resolver::~Resolver() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  for (auto& t : impl_->workers) t.join();
}

void Resolver::resolve(std::string name, bool ipv6, std::shared_ptr<const EgressPolicy> policy, AddrCallback done) {
  impl_->post([name = std::move(name), ipv6, policy = std::move(policy), done = std::move(done)](bool cancelled) {
    if (cancelled) return done(shut_down("look-up of '" + name + "'"));
    done(lookup(name, ipv6, policy ? *policy : EgressPolicy()));
  });
}

void Resolver::query_raw(std::vector<uint8_t> query, std::shared_ptr<const EgressPolicy> policy, RawCallback done) {
  impl_->post([this, query = std::move(query), policy = std::move(policy), done = std::move(done)](bool cancelled) {
    if (cancelled) return done(shut_down("query"));
    done(raw(query, policy ? *policy : EgressPolicy(), impl_->opts));
  });
}

}  // namespace vivarium::net
