#include "harness.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include <boost/asio/io_context.hpp>

namespace vivarium::terrarium::testing {

Result<void> FakeKv::check(std::string_view key, size_t value_size) const {
  if (key.size() > limits_.max_key_bytes) return Error(ErrorCode::LimitExceeded, "key of " + std::to_string(key.size()) + " bytes is too large");
  if (value_size > limits_.max_value_bytes) return Error(ErrorCode::LimitExceeded, "value of " + std::to_string(value_size) + " bytes is too large");
  return {};
}

Result<std::optional<std::string>> FakeKv::get(std::string_view ns, std::string_view key) {
  VIV_TRY(check(key, 0));
  std::lock_guard lock(mu_);
  auto it = data_.find({std::string(ns), std::string(key)});
  if (it == data_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<bool> FakeKv::put(std::string_view ns, std::string_view key, std::string_view value) {
  VIV_TRY(check(key, value.size()));
  std::lock_guard lock(mu_);
  auto [it, inserted] = data_.insert_or_assign({std::string(ns), std::string(key)}, std::string(value));
  return inserted;
}

Result<bool> FakeKv::append(std::string_view ns, std::string_view key, std::string_view value) {
  std::lock_guard lock(mu_);
  const auto id = std::make_pair(std::string(ns), std::string(key));
  auto it = data_.find(id);
  const size_t before = it == data_.end() ? 0 : it->second.size();
  VIV_TRY(check(key, before + value.size()));
  data_[id] += value;
  return it == data_.end();
}

Result<bool> FakeKv::remove(std::string_view ns, std::string_view key) {
  std::lock_guard lock(mu_);
  return data_.erase({std::string(ns), std::string(key)}) == 1;
}

Result<std::vector<std::string>> FakeKv::keys(std::string_view ns) {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [k, v] : data_) {
    if (k.first == ns) out.push_back(k.second);
  }
  return out;
}

Result<void> FakeKv::drop_namespace(std::string_view ns) {
  std::lock_guard lock(mu_);
  std::erase_if(data_, [&](const auto& kv) { return kv.first.first == ns; });
  return {};
}

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
