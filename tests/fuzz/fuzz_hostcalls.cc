// libFuzzer target for the Terrarium hostcall layer: the input is a script
// that one guest (generated from the ABI table) interprets — one byte picks a
// hostcall, four bytes per argument follow — so every hostcall is called with
// arbitrary arguments against a live guest memory, through run_request, the
// fiber and the real memory protocol. Arguments with the top bit clear are
// folded into the first page (plausible pointers); others stay wild.
// Whatever the script does, the request must end in an Outcome, never a crash
// or a sanitizer report, and never an Internal error.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <boost/asio/io_context.hpp>

#include "host/terrarium/abi.h"
#include "host/terrarium/guest_runner.h"
#include "tests/unit/terrarium/fake_kv.h"

namespace vt = vivarium::terrarium;

namespace {

std::string arg_calls(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += " (call $arg)";
  return s;
}

std::string script_guest() {
  const auto abi = vt::hostcall_abi();
  std::string m = "(module\n";
  for (size_t i = 0; i < abi.size(); ++i) {
    const auto& h = abi[i];
    m += "(import \"env\" \"hostcall_" + std::string(h.name) + "\" (func $h" + std::to_string(i);
    if (!h.params.empty()) {
      m += " (param";
      for (size_t k = 0; k < h.params.size(); ++k) m += " i32";
      m += ")";
    }
    if (!h.results.empty()) m += h.results == "I" ? " (result i64)" : " (result i32)";
    m += "))\n";
  }
  m += R"(
  (memory 4)
  (table 2 funcref)
  (elem (i32.const 0) $malloc $free)
  (global $heap (mut i32) (i32.const 0x10000))
  (global $p (mut i32) (i32.const 0))
  (global $end (mut i32) (i32.const 0))
  ;; Bump allocation in pages 1-3, wrapping around; too large: NULL.
  (func $malloc (param $n i32) (result i32) (local $r i32)
    (if (i32.gt_u (local.get $n) (i32.const 0x20000)) (then (return (i32.const 0))))
    (if (i32.gt_u (i32.add (global.get $heap) (local.get $n)) (i32.const 0x40000))
      (then (global.set $heap (i32.const 0x10000))))
    (local.set $r (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (local.get $r) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $r))
  (func $free (param i32))
  (func $arg (result i32) (local $v i32)
    (if (i32.gt_u (i32.add (global.get $p) (i32.const 4)) (global.get $end)) (then (return (i32.const 0))))
    (local.set $v (i32.load (global.get $p)))
    (global.set $p (i32.add (global.get $p) (i32.const 4)))
    (if (result i32) (i32.and (local.get $v) (i32.const 0x80000000))
      (then (local.get $v))
      (else (i32.and (local.get $v) (i32.const 0xffff)))))
  (func (export "run") (local $op i32)
    (call $h0 (i32.const 0) (i32.const 1))  ;; init_mm
    (call $h9 (i32.const 16) (i32.const 20) (i32.const 0))  ;; req_get_body: the script
    (global.set $p (i32.load (i32.const 16)))
    (global.set $end (i32.add (global.get $p) (i32.load (i32.const 20))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (global.get $p) (global.get $end)))
        (local.set $op (i32.rem_u (i32.load8_u (global.get $p)) (i32.const )" +
       std::to_string(abi.size()) + R"()))
        (global.set $p (i32.add (global.get $p) (i32.const 1)))
)";
  // Nested blocks: br_table jumps to the end of block $b<op>, where that
  // hostcall's call follows.
  for (size_t i = abi.size(); i-- > 0;) m += "(block $b" + std::to_string(i) + "\n";
  m += "(br_table";
  for (size_t i = 0; i < abi.size(); ++i) m += " $b" + std::to_string(i);
  m += " (local.get $op))\n";
  for (size_t i = 0; i < abi.size(); ++i) {
    const auto& h = abi[i];
    std::string call = "(call $h" + std::to_string(i) + arg_calls(h.params.size()) + ")";
    m += ")\n" + (h.results.empty() ? call : "(drop " + call + ")") + " (br $next)\n";
  }
  m += ")))\n)\n";
  return m;
}

struct Fixture {
  Fixture() {
    auto module = vivarium::Module::from_text(script_guest());
    if (!module.ok()) {
      std::fprintf(stderr, "fuzz_hostcalls: the script guest does not compile: %s\n", module.error().to_string().c_str());
      std::abort();
    }
    vt::GuestConfig cfg;
    cfg.deployment = "fuzz";
    cfg.kv_namespace = "fuzz";
    cfg.limits.wall_time = std::chrono::milliseconds(2000);
    cfg.limits.fuel = 5'000'000;
    cfg.limits.max_memory_bytes = 1 << 20;
    cfg.limits.max_outbound_requests = 8;
    auto p = vt::GuestProgram::prepare(std::make_shared<const vivarium::Module>(std::move(*module)), cfg);
    if (!p.ok()) {
      std::fprintf(stderr, "fuzz_hostcalls: prepare failed: %s\n", p.error().to_string().c_str());
      std::abort();
    }
    program = *p;
    services.kv = &kv;
    services.outbound = &outbound;
    services.dns = nullptr;  // no name look-ups leave the machine while fuzzing
    services.log = [](std::string_view, std::string_view, std::string_view) {};
  }
  std::shared_ptr<const vt::GuestProgram> program;
  vt::testing::FakeKv kv;
  vivarium::http::OutboundClient outbound;
  vt::Services services;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* f = new Fixture();
  vt::HttpRequest req;
  req.method = "POST";
  req.target = "/fuzz?x=1";
  req.headers = {{"Host", "fuzz.localhost"}, {"X-A", "1"}, {"x-a", "2"}};
  req.body.assign(reinterpret_cast<const char*>(data), size);
  req.client_ip = "127.0.0.1";
  req.request_id = "fuzz";
  boost::asio::io_context io;
  int calls = 0;
  vt::run_request(io.get_executor(), f->program, f->services, std::move(req), [&](vt::Outcome o) {
    ++calls;
    if (o.kind == vt::Outcome::Kind::Internal) {
      std::fprintf(stderr, "fuzz_hostcalls: internal error: %s\n", o.message.c_str());
      std::abort();
    }
  });
  io.run();
  if (calls != 1) {
    std::fprintf(stderr, "fuzz_hostcalls: done ran %d times\n", calls);
    std::abort();
  }
  return 0;
}
