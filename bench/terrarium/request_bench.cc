// Per-request cost of a Terrarium guest in process (issue 12's target: a
// hello guest's instantiate + run + teardown <= 10 us median; a guest with a
// 1 MiB data segment <= 20 us).
//
//   BM_Bare/*      Store + instantiate + run + drop, the hostcalls live
//   BM_RunRequest/* the same through run_request: strand, fiber, timer, and
//                   `done` posted to the executor — what the server pays
//
//   request_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include <boost/asio/io_context.hpp>

#include "host/terrarium/program.h"
#include "host/terrarium/request_state.h"
#include "host/terrarium/request_store.h"
#include "tests/unit/terrarium/fake_kv.h"

namespace {

using namespace vivarium;
using namespace vivarium::terrarium;

constexpr const char* kHello = R"((module
  (import "env" "hostcall_resp_set_header" (func $set_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "hostcall_resp_set_body" (func $set_body (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "content-type")
  (data (i32.const 16) "\20\00\00\00\0a\00\00\00")  ;; GuestSlice {32, 10}
  (data (i32.const 32) "text/plain")
  (data (i32.const 64) "Hello, world!\0a")
  (func (export "run")
    (drop (call $set_header (i32.const 0) (i32.const 0) (i32.const 12) (i32.const 16) (i32.const 1)))
    (drop (call $set_body (i32.const 0) (i32.const 64) (i32.const 14))))))";

// The hello guest plus a 1 MiB data segment (what a large C or Rust guest's
// static data looks like).
std::string big_data_guest() {
  std::string wat = R"((module
  (import "env" "hostcall_resp_set_body" (func $set_body (param i32 i32 i32) (result i32)))
  (memory 17)
  (data (i32.const 65536) ")";
  wat.append(1 << 20, 'x');
  wat += R"(")
  (data (i32.const 64) "Hello, world!\0a")
  (func (export "run") (drop (call $set_body (i32.const 0) (i32.const 64) (i32.const 14))))))";
  return wat;
}

std::shared_ptr<const GuestProgram> program(const std::string& wat) {
  auto m = Module::from_text(wat);
  if (!m.ok()) {
    std::fprintf(stderr, "request_bench: %s\n", m.error().to_string().c_str());
    std::exit(2);
  }
  GuestConfig cfg;
  cfg.deployment = "bench";
  auto p = GuestProgram::prepare(std::make_shared<const Module>(std::move(*m)), cfg);
  if (!p.ok()) {
    std::fprintf(stderr, "request_bench: %s\n", p.error().to_string().c_str());
    std::exit(2);
  }
  return *p;
}

std::shared_ptr<const GuestProgram> hello() {
  static auto p = program(kHello);
  return p;
}
std::shared_ptr<const GuestProgram> big() {
  static auto p = program(big_data_guest());
  return p;
}

class NoAsync : public Async {
 public:
  void start_outbound(int32_t, http::OutboundRequest) override {}
  Result<void> block_until(const std::function<bool()>&) override { return Error(ErrorCode::HostTrap, "no waits here"); }
  Result<std::vector<net::IpAddress>> resolve(std::string, bool) override { return Error(ErrorCode::Unsupported, "no"); }
  Result<std::vector<uint8_t>> query_raw(std::vector<uint8_t>) override { return Error(ErrorCode::Unsupported, "no"); }
  Result<bool> offload(std::function<Result<bool>()> work) override { return work(); }
};

HttpRequest request() {
  HttpRequest r;
  r.method = "GET";
  r.target = "/";
  r.headers = {{"host", "hello.localhost"}, {"user-agent", "bench"}};
  r.client_ip = "127.0.0.1";
  return r;
}

void bare(benchmark::State& state, const std::shared_ptr<const GuestProgram>& p) {
  const GuestProgram::Impl& prog = p->impl();
  testing::FakeKv kv;
  Services services;
  services.kv = &kv;
  NoAsync async;
  for (auto _ : state) {
    RequestState st(prog.config, services, request(), async);
    auto store = new_request_store(prog.config.limits);
    store->set_user_data(&st);
    auto inst = prog.linker.instantiate(*store, *prog.module);
    if (!inst.ok()) {
      state.SkipWithError(inst.error().to_string().c_str());
      break;
    }
    auto r = inst->func("run")->call({});
    if (!r.ok() || st.outgoing.body.size() != 14) {
      state.SkipWithError("run failed");
      break;
    }
  }
}

void through_run_request(benchmark::State& state, const std::shared_ptr<const GuestProgram>& p) {
  boost::asio::io_context io;
  testing::FakeKv kv;
  Services services;
  services.kv = &kv;
  uint64_t ok = 0;
  for (auto _ : state) {
    run_request(io.get_executor(), p, services, request(), [&](Outcome o) { ok += o.kind == Outcome::Kind::Ok; });
    io.run();
    io.restart();
  }
  if (ok != static_cast<uint64_t>(state.iterations())) state.SkipWithError("a request failed");
}

void BM_Bare_Hello(benchmark::State& s) { bare(s, hello()); }
void BM_Bare_Data1MiB(benchmark::State& s) { bare(s, big()); }
void BM_RunRequest_Hello(benchmark::State& s) { through_run_request(s, hello()); }
void BM_RunRequest_Data1MiB(benchmark::State& s) { through_run_request(s, big()); }
BENCHMARK(BM_Bare_Hello);
BENCHMARK(BM_RunRequest_Hello);
BENCHMARK(BM_Bare_Data1MiB);
BENCHMARK(BM_RunRequest_Data1MiB);

}  // namespace

BENCHMARK_MAIN();
