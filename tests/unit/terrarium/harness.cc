#include "harness.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include <boost/asio/io_context.hpp>

namespace vivarium::terrarium::testing {

Harness::Harness() : outbound(std::make_unique<http::OutboundClient>()), dns(std::make_unique<net::Resolver>()) {}
Harness::~Harness() = default;

Services Harness::services() {
  Services s;
  s.kv = &kv;
  s.outbound = outbound.get();
  s.dns = dns.get();
  s.log = [this](std::string_view deployment, std::string_view request_id, std::string_view line) {
    std::lock_guard lock(mu_);
    log_.push_back(std::string(deployment) + " " + std::string(request_id) + " " + std::string(line));
  };
  return s;
}

Outcome Harness::run(const std::shared_ptr<const GuestProgram>& program, HttpRequest request) {
  return run(program, std::move(request), services());
}

Outcome Harness::run(const std::shared_ptr<const GuestProgram>& program, HttpRequest request, const Services& s) {
  boost::asio::io_context io;
  std::optional<Outcome> out;
  int calls = 0;
  run_request(io.get_executor(), program, s, std::move(request), [&](Outcome o) {
    ++calls;
    out = std::move(o);
  });
  io.run();
  EXPECT_EQ(calls, 1) << "done must run exactly once";
  return out ? std::move(*out) : Outcome{Outcome::Kind::Internal, {}, "done never ran", 0};
}

Outcome Harness::run(const std::shared_ptr<const GuestProgram>& program, std::string target) {
  HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  r.client_ip = "192.0.2.7";
  r.request_id = "req-1";
  return run(program, std::move(r));
}

std::vector<std::string> Harness::log_lines() {
  std::lock_guard lock(mu_);
  return log_;
}

GuestConfig test_config() {
  GuestConfig c;
  c.deployment = "test";
  c.kv_namespace = "test";
  c.egress = std::make_shared<const net::EgressPolicy>();  // deny-all
  c.limits.wall_time = std::chrono::milliseconds(5000);
  return c;
}

namespace {

std::shared_ptr<const GuestProgram> program_of(Result<Module> m, GuestConfig cfg) {
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().to_string());
  if (!m.ok()) return nullptr;
  auto p = GuestProgram::prepare(std::make_shared<const Module>(std::move(*m)), std::move(cfg));
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().to_string());
  return p.ok() ? *p : nullptr;
}

}  // namespace

std::shared_ptr<const GuestProgram> wat_program(std::string_view wat, GuestConfig cfg) {
  return program_of(Module::from_text(wat), std::move(cfg));
}

std::shared_ptr<const GuestProgram> guest_program(const std::string& name, GuestConfig cfg) {
  const char* dir = std::getenv("VIVARIUM_TERRARIUM_GUEST_DIR");
  if (dir == nullptr) return nullptr;
  const std::string path = std::string(dir) + "/" + name + ".wasm";
  if (!std::filesystem::exists(path)) return nullptr;
  return program_of(Module::load_file(path), std::move(cfg));
}

}  // namespace vivarium::terrarium::testing
