// Name resolution for guests, filtered by an EgressPolicy: an answer only
// holds addresses the policy lets the guest reach. Asynchronous: the work runs
// on a small thread pool so that no server thread ever blocks on DNS.
//
// Errors: a name (or every address of it) the policy refuses is
// ErrorCode::Unsupported with a message starting "denied:"; a name that does
// not resolve is NotFound; a malformed query or answer is Malformed; a
// nameserver that does not answer in time is DeadlineExceeded; socket
// failures are Io. Every message names the query.
//
// CONTRACT (lead, session 4): implemented on the serve-components branch.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "host/net/egress_policy.h"
#include "vivarium/error.h"

namespace vivarium::net {

// A nameserver to send raw queries to.
struct Nameserver {
  IpAddress addr;
  uint16_t port = 53;
  // "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353".
  static Result<Nameserver> parse(std::string_view text);
  std::string to_string() const;
};

// The "nameserver" lines of a resolv.conf; 127.0.0.1:53 when there are none
// (glibc's default). Unreadable or malformed lines are skipped.
std::vector<Nameserver> nameservers_from_resolv_conf(const std::string& path = "/etc/resolv.conf");

class Resolver {
 public:
  struct Options {
    unsigned threads = 2;
    // Budget of one query_raw over every nameserver. resolve() goes through
    // getaddrinfo, whose timeouts are resolv.conf's (options timeout/attempts).
    std::chrono::milliseconds timeout{5000};
    // Where query_raw sends queries; empty: /etc/resolv.conf's nameservers.
    std::vector<Nameserver> nameservers;
  };
  explicit Resolver(Options opts);
  Resolver();
  // Waits for running look-ups; pending callbacks still run (with an error).
  // Must not run on a resolver thread (from one of its callbacks).
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  using AddrCallback = std::function<void(Result<std::vector<IpAddress>>)>;
  using RawCallback = std::function<void(Result<std::vector<uint8_t>>)>;
  // A or AAAA records of `name` (getaddrinfo: /etc/hosts, then DNS), those
  // the policy denies removed. `done` runs once, on a resolver thread. A
  // denied name, or a name all of whose addresses are denied, is an error
  // (Unsupported, "denied: ..."). A null policy denies everything.
  void resolve(std::string name, bool ipv6, std::shared_ptr<const EgressPolicy> policy,
               AddrCallback done);
  // A DNS wire-format query (one question, opcode QUERY) to the nameservers;
  // the queried name must pass the policy; A/AAAA answer records with denied
  // addresses are removed (from every section) and names in the answer are
  // written uncompressed. `done` runs once, on a resolver thread.
  void query_raw(std::vector<uint8_t> query, std::shared_ptr<const EgressPolicy> policy,
                 RawCallback done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vivarium::net
