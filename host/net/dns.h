// Name resolution for guests, filtered by an EgressPolicy: an answer only
// holds addresses the policy lets the guest reach. Asynchronous: the work runs
// on a small thread pool so that no server thread ever blocks on DNS.
//
// CONTRACT (lead, session 4): implemented on the serve-components branch.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "host/net/egress_policy.h"
#include "vivarium/error.h"

namespace vivarium::net {

class Resolver {
 public:
  struct Options {
    unsigned threads = 2;
    std::chrono::milliseconds timeout{5000};
  };
  explicit Resolver(Options opts);
  Resolver();
  ~Resolver();  // waits for running look-ups; pending callbacks still run (with an error)

  using AddrCallback = std::function<void(Result<std::vector<IpAddress>>)>;
  using RawCallback = std::function<void(Result<std::vector<uint8_t>>)>;
  // A or AAAA records of `name`, those the policy denies removed. `done` runs
  // once, on a resolver thread. A denied name is an error (Unsupported/"denied").
  void resolve(std::string name, bool ipv6, std::shared_ptr<const EgressPolicy> policy,
               AddrCallback done);
  // A DNS wire-format query to the system's resolver (/etc/resolv.conf); the
  // queried name must pass the policy; answer records with denied addresses
  // are removed.
  void query_raw(std::vector<uint8_t> query, std::shared_ptr<const EgressPolicy> policy,
                 RawCallback done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivarium::net
