// What the terrarium tests share: an in-memory KvStore, the services a server
// would give, and running one request to its Outcome on a private io_context.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fake_kv.h"
#include "host/terrarium/guest_runner.h"

namespace vivarium::terrarium::testing {

class Harness {
 public:
  Harness();
  ~Harness();
  Services services();
  Outcome run(const std::shared_ptr<const GuestProgram>& program, HttpRequest request);
  // With services other than services() (e.g. no KV store).
  Outcome run(const std::shared_ptr<const GuestProgram>& program, HttpRequest request, const Services& s);
  Outcome run(const std::shared_ptr<const GuestProgram>& program, std::string target);
  std::vector<std::string> log_lines();

  FakeKv kv;
  std::unique_ptr<http::OutboundClient> outbound;
  std::unique_ptr<net::Resolver> dns;

 private:
  std::mutex mu_;
  std::vector<std::string> log_;
};

GuestConfig test_config();
// The program of a WAT module; fails the test (and returns null) if it does not prepare.
std::shared_ptr<const GuestProgram> wat_program(std::string_view wat, GuestConfig cfg = test_config());
// A C guest built at build time (VIVARIUM_TERRARIUM_GUEST_DIR/<name>.wasm), or
// null when the guests were not built (the caller skips).
std::shared_ptr<const GuestProgram> guest_program(const std::string& name, GuestConfig cfg = test_config());

}  // namespace vivarium::terrarium::testing
