// What the terrarium tests share: an in-memory KvStore, the services a server
// would give, and running one request to its Outcome on a private io_context.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "host/terrarium/guest_runner.h"

namespace vivarium::terrarium::testing {

class FakeKv : public kv::KvStore {
 public:
  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) override;
  Result<bool> put(std::string_view ns, std::string_view key, std::string_view value) override;
  Result<bool> append(std::string_view ns, std::string_view key, std::string_view value) override;
  Result<bool> remove(std::string_view ns, std::string_view key) override;
  Result<std::vector<std::string>> keys(std::string_view ns) override;
  Result<void> drop_namespace(std::string_view ns) override;
  const kv::KvLimits& limits() const override { return limits_; }
  std::string describe() const override { return "fake"; }

 private:
  Result<void> check(std::string_view key, size_t value_size) const;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::string> data_;
  kv::KvLimits limits_{16, 64};  // small, so tests reach them
};

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
