// Hostcalls through the real engine with WAT guests: the memory protocol on
// a guest that exports neither memory nor table, memory growth inside
// malloc, deep recursion and re-entry on the fiber's stack, the wall-time
// limit, and wild arguments to every hostcall.
#include <gtest/gtest.h>

#include <random>

#include "harness.h"
#include "host/terrarium/abi.h"

namespace vivarium::terrarium::testing {
namespace {

// malloc: a bump allocator that grows memory when it must; free: nothing.
// Table and memory are not exported (like Fastly's WAT template).
constexpr std::string_view kAllocator = R"(
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $malloc $free)
  (global $heap (mut i32) (i32.const 4096))
  (func $malloc (param $n i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))) (i32.const -1))
        (then (return (i32.const 0))))))
    (global.set $heap (i32.and (i32.add (local.get $end) (i32.const 7)) (i32.const -8)))
    (local.get $p))
  (func $free (param i32))
)";

std::string guest(std::string_view imports, std::string_view body) {
  return "(module\n" + std::string(imports) + std::string(kAllocator) + "(func (export \"run\")\n" + std::string(body) + "))";
}

constexpr std::string_view kEchoImports = R"(
  (import "env" "hostcall_init_mm" (func $init_mm (param i32 i32)))
  (import "env" "hostcall_req_get_method" (func $get_method (param i32 i32 i32)))
  (import "env" "hostcall_req_get_body" (func $get_body (param i32 i32 i32)))
  (import "env" "hostcall_resp_set_body" (func $set_body (param i32 i32 i32) (result i32)))
)";

TEST(WatGuest, NoExportedMemoryOrTableStillGetsResultsThroughItsMalloc) {
  // Sends the method back with its NUL (len + 1): the host wrote one.
  auto p = wat_program(guest(kEchoImports, R"(
    (call $init_mm (i32.const 0) (i32.const 1))
    (call $get_method (i32.const 16) (i32.const 20) (i32.const 0))
    (drop (call $set_body (i32.const 0) (i32.load (i32.const 16)) (i32.add (i32.load (i32.const 20)) (i32.const 1)))))"));
  ASSERT_TRUE(p);
  Harness h;
  HttpRequest r;
  r.method = "PATCH";
  Outcome o = h.run(p, std::move(r));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.status, 200);
  EXPECT_EQ(o.response.body, std::string("PATCH\0", 6));
}

TEST(WatGuest, MallocThatGrowsMemoryIsReReadAfterwards) {
  auto p = wat_program(guest(kEchoImports, R"(
    (call $init_mm (i32.const 0) (i32.const 1))
    (call $get_body (i32.const 16) (i32.const 20) (i32.const 0))
    (drop (call $set_body (i32.const 0) (i32.load (i32.const 16)) (i32.load (i32.const 20)))))"));
  ASSERT_TRUE(p);
  Harness h;
  HttpRequest r;
  r.method = "POST";
  r.body.assign(300000, 'x');  // several pages more than the guest starts with
  r.body[12345] = 'y';
  const std::string sent = r.body;
  Outcome o = h.run(p, std::move(r));
  ASSERT_EQ(o.kind, Outcome::Kind::Ok) << o.message;
  EXPECT_EQ(o.response.body, sent);
}

TEST(WatGuest, EmptyResultsDoNotCallMalloc) {
  // No init_mm at all: an empty body comes back as (0, 0).
  auto p = wat_program(guest(kEchoImports, R"(
    (i32.store (i32.const 16) (i32.const 77))
    (i32.store (i32.const 20) (i32.const 77))
    (call $get_body (i32.const 16) (i32.const 20) (i32.const 0))
    (if (i32.or (i32.load (i32.const 16)) (i32.load (i32.const 20))) (then unreachable)))"));
  ASSERT_TRUE(p);
  Harness h;
  EXPECT_EQ(h.run(p, "/").kind, Outcome::Kind::Ok);
}

TEST(WatGuest, DataBeforeInitMmTrapsWithAClearMessage) {
  auto p = wat_program(guest(kEchoImports, R"((call $get_method (i32.const 16) (i32.const 20) (i32.const 0)))"));
  ASSERT_TRUE(p);
  Harness h;
  Outcome o = h.run(p, "/");
  EXPECT_EQ(o.kind, Outcome::Kind::Trap);
  EXPECT_EQ(o.response.status, 500);
  EXPECT_NE(o.response.body.find("hostcall_req_get_method: the host has data for the guest but the guest never called hostcall_init_mm"),
            std::string::npos)
      << o.response.body;
}

TEST(WatGuest, DeepRecursionEndsInCallStackExhausted) {
  auto p = wat_program("(module (func $f (call $f)) (func (export \"run\") (call $f)))");
  ASSERT_TRUE(p);
  Harness h;
  Outcome o = h.run(p, "/");
  EXPECT_EQ(o.kind, Outcome::Kind::Trap);
  EXPECT_EQ(o.response.status, 500);
  EXPECT_NE(o.response.body.find("call stack exhausted"), std::string::npos) << o.response.body;
}

// malloc asks the host for the body again, which calls malloc, ...: every
// level is a real native re-entry on the fiber's stack. It must end in
// "call stack exhausted" (the engine's guard measures the fiber's stack),
// never overflow it.
TEST(WatGuest, ReentrantMallocOnTheFiberEndsInCallStackExhausted) {
  auto p = wat_program(R"((module
    (import "env" "hostcall_init_mm" (func $init_mm (param i32 i32)))
    (import "env" "hostcall_req_get_body" (func $get_body (param i32 i32 i32)))
    (memory 1)
    (table 1 funcref)
    (elem (i32.const 0) $malloc)
    (func $malloc (param i32) (result i32)
      (call $get_body (i32.const 16) (i32.const 20) (i32.const 0))
      (i32.const 1024))
    (func (export "run")
      (call $init_mm (i32.const 0) (i32.const 0))
      (call $get_body (i32.const 16) (i32.const 20) (i32.const 0)))))");
  ASSERT_TRUE(p);
  Harness h;
  HttpRequest r;
  r.body = "non-empty";
  Outcome o = h.run(p, std::move(r));
  EXPECT_EQ(o.kind, Outcome::Kind::Trap);
  EXPECT_NE(o.response.body.find("call stack exhausted"), std::string::npos) << o.response.body;
}

TEST(WatGuest, AnEndlessLoopEndsWith504AtTheWallTimeLimit) {
  auto cfg = test_config();
  cfg.limits.wall_time = std::chrono::milliseconds(50);
  auto p = wat_program("(module (func (export \"run\") (loop (br 0))))", cfg);
  ASSERT_TRUE(p);
  Harness h;
  Outcome o = h.run(p, "/");
  EXPECT_EQ(o.kind, Outcome::Kind::Timeout);
  EXPECT_EQ(o.response.status, 504);
  EXPECT_NE(o.response.body.find("wall-time limit of 50 ms"), std::string::npos) << o.response.body;
}

TEST(WatGuest, FuelRunsOut) {
  auto cfg = test_config();
  cfg.limits.fuel = 10000;
  auto p = wat_program("(module (func (export \"run\") (loop (br 0))))", cfg);
  ASSERT_TRUE(p);
  Harness h;
  Outcome o = h.run(p, "/");
  EXPECT_EQ(o.kind, Outcome::Kind::OutOfFuel);
  EXPECT_EQ(o.response.status, 500);
}

TEST(WatGuest, MemoryBeyondTheLimitIsRefusedAtInstantiation) {
  auto cfg = test_config();
  cfg.limits.max_memory_bytes = 1 << 20;  // 16 pages
  auto p = wat_program("(module (memory 32) (func (export \"run\")))", cfg);
  ASSERT_TRUE(p);
  Harness h;
  Outcome o = h.run(p, "/");
  EXPECT_NE(o.kind, Outcome::Kind::Ok);
  EXPECT_EQ(o.response.status, 500);
}

TEST(WatGuest, StatusAndBodyDefaults) {
  auto p = wat_program("(module (func (export \"run\")))");
  ASSERT_TRUE(p);
  Harness h;
  Outcome o = h.run(p, "/");
  ASSERT_EQ(o.kind, Outcome::Kind::Ok);
  EXPECT_EQ(o.response.status, 200);
  EXPECT_TRUE(o.response.headers.empty());
  EXPECT_TRUE(o.response.body.empty());
}

// ---- wild arguments to every hostcall ----

std::string import_of(const HostcallSig& h) {
  std::string s = "(import \"env\" \"hostcall_" + std::string(h.name) + "\" (func $h";
  if (!h.params.empty()) {
    s += " (param";
    for (char c : h.params) s += c == 'I' ? " i64" : " i32";
    s += ")";
  }
  if (!h.results.empty()) s += h.results == "I" ? " (result i64)" : " (result i32)";
  return s + "))\n";
}

// A guest that calls hostcall `h` once with `args` (after init_mm, unless h is init_mm).
std::string call_guest(const HostcallSig& h, const std::vector<uint32_t>& args) {
  std::string imports = import_of(h);
  std::string body;
  if (h.name != "init_mm") {
    imports += "(import \"env\" \"hostcall_init_mm\" (func $init_mm (param i32 i32)))\n";
    body += "(call $init_mm (i32.const 0) (i32.const 1))\n";
  }
  std::string call = "(call $h";
  for (uint32_t a : args) call += " (i32.const " + std::to_string(static_cast<int32_t>(a)) + ")";
  call += ")";
  body += h.results.empty() ? call : "(drop " + call + ")";
  return guest(imports, body);
}

TEST(WildArguments, EveryHostcallAnswersWithItsErrorValueOrAClearTrap) {
  const std::vector<uint32_t> interesting = {0,      1,          4,          16,         65532,     65535, 65536,
                                             131072, 0x7fffffff, 0xfffffff0, 0xffffffff, 0xfffffffe, 77,   2};
  std::mt19937 rng(12345);
  Harness h;
  size_t runs = 0, traps = 0;
  for (const auto& sig : hostcall_abi()) {
    for (int round = 0; round < 24; ++round) {
      std::vector<uint32_t> args;
      for (size_t i = 0; i < sig.params.size(); ++i) {
        // The first rounds use one value everywhere; later ones mix them.
        args.push_back(round < static_cast<int>(interesting.size()) ? interesting[round]
                                                                    : interesting[rng() % interesting.size()]);
      }
      auto p = wat_program(call_guest(sig, args));
      ASSERT_TRUE(p) << sig.name;
      Outcome o = h.run(p, "/");
      ++runs;
      // panic_hook with any in-bounds message reports a panic.
      ASSERT_TRUE(o.kind == Outcome::Kind::Ok || o.kind == Outcome::Kind::Trap ||
                  (o.kind == Outcome::Kind::Panic && sig.name == "panic_hook"))
          << sig.name << ": " << o.message;
      if (o.kind == Outcome::Kind::Trap) {
        ++traps;
        // A hostcall's own trap names it; a guest's malloc trap (its bump
        // allocator running out) is the guest's.
        EXPECT_TRUE(o.response.body.starts_with("trap: hostcall_") || o.response.body.starts_with("trap: "))
            << o.response.body;
        EXPECT_EQ(o.response.status, 500);
      }
    }
  }
  EXPECT_GT(traps, 0u);
  EXPECT_LT(traps, runs);
}

TEST(WildArguments, OutOfBoundsOutParametersNameTheHostcall) {
  const HostcallSig* sig = find_hostcall("req_get_method");
  auto p = wat_program(call_guest(*sig, {0xfffffff0u, 16, 0}));
  ASSERT_TRUE(p);
  Harness h;
  Outcome o = h.run(p, "/");
  EXPECT_EQ(o.kind, Outcome::Kind::Trap);
  EXPECT_EQ(o.response.body,
            "trap: hostcall_req_get_method: out-parameter (pointer) at 0xfffffff0 is out of bounds of memory (65536 bytes)\n");
}

}  // namespace
}  // namespace vivarium::terrarium::testing
