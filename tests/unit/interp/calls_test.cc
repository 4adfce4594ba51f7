// Calls: recursion depth limits (never a native stack overflow), host
// functions and host -> wasm re-entry, call_indirect type checks, calls into
// another instance, and trap backtraces.
#include <pthread.h>

#include <functional>

#include "tests/unit/interp/interp_test_util.h"

namespace vivarium::engine::test {
namespace {

constexpr std::string_view kRecWat = R"((module
  (func $down (export "down") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (i64.const 1) (call $down (i64.sub (local.get 0) (i64.const 1)))))))
  (func $forever (export "forever") (call $forever))
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.lt_u (local.get 0) (i64.const 2))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func $many (export "many") (param i32 i64 f32 f64) (result f64 i32 i64 f32)
    (local.get 3) (local.get 0) (local.get 1) (local.get 2))
  (func (export "call_many") (result f64)
    (call $many (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4))
    (drop) (drop) (drop))
))";

TEST(InterpCalls, RecursionAndMultiValue) {
  Env e(kRecWat);
  EXPECT_EQ(e.i64("fac", {I64(20)}), 2432902008176640000ll);
  EXPECT_EQ(e.i64("down", {I64(10000)}), 10000);
  auto r = e.call("many", {I32(1), I64(2), F32(3), F64(4)});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 4u);
  EXPECT_EQ(r.value()[0].f64(), 4.0);
  EXPECT_EQ(r.value()[1].i32(), 1);
  EXPECT_EQ(r.value()[2].i64(), 2);
  EXPECT_EQ(r.value()[3].f32(), 3.0f);
  EXPECT_EQ(e.one("call_many").f64(), 4.0);
}

TEST(InterpCalls, DeepRecursionIsExhaustionNotACrash) {
  Env e(kRecWat);
  Error err = e.trap("down", {I64(1000000)});
  EXPECT_EQ(err.code(), ErrorCode::CallStackExhausted);
  EXPECT_EQ(err.message(), "call stack exhausted");
  EXPECT_EQ(err.phase(), vivarium::Phase::Exhaustion);
  // The backtrace names the function but stays short.
  EXPECT_NE(err.backtrace().find("$down"), std::string::npos);
  EXPECT_NE(err.backtrace().find("more frames"), std::string::npos);
  EXPECT_LT(err.backtrace().size(), 8192u);
  EXPECT_EQ(e.trap("forever").code(), ErrorCode::CallStackExhausted);
  // Still usable afterwards, from the bottom of the stack.
  EXPECT_EQ(e.i64("down", {I64(100)}), 100);
}

TEST(InterpCalls, StackBytesLimit) {
  vivarium::StoreLimits limits;
  limits.max_call_depth = 1000000;
  limits.max_stack_bytes = 64 * 1024;
  Env e(kRecWat, limits);
  EXPECT_EQ(e.trap("down", {I64(1000000)}).code(), ErrorCode::CallStackExhausted);
  EXPECT_EQ(e.i64("down", {I64(100)}), 100);
}

// Runs `fn` on a thread with a 1 MiB native stack.
void on_small_stack(std::function<void()> fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1 << 20);
  pthread_t t;
  auto tramp = [](void* p) -> void* {
    (*static_cast<std::function<void()>*>(p))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&t, &attr, tramp, &fn), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}

TEST(InterpCalls, DeepRecursionOnSmallNativeStack) {
  on_small_stack([] {
    vivarium::StoreLimits limits;
    limits.max_call_depth = 500000;
    limits.max_stack_bytes = 256u << 20;
    Env e(kRecWat, limits);
    EXPECT_EQ(e.i64("down", {I64(400000)}), 400000);  // deep, but within limits
    EXPECT_EQ(e.trap("down", {I64(1000000)}).code(), ErrorCode::CallStackExhausted);
  });
}

constexpr std::string_view kHostWat = R"((module
  (import "env" "add3" (func $add3 (param i32 i64 f64) (result f64)))
  (import "env" "fail" (func $fail (param i32)))
  (import "env" "reenter" (func $reenter (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "use_add3") (result f64) (call $add3 (i32.const 1) (i64.const 2) (f64.const 0.5)))
  (func $inner (export "inner") (param i32) (call $fail (local.get 0)))
  (func $outer (export "outer") (param i32) (call $inner (local.get 0)))
  ;; Counts down through the host: wasm -> host -> wasm -> ...
  (func (export "ping") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $reenter (i32.sub (local.get 0) (i32.const 1)))))))
  (func (export "store_via_host") (param i32) (result i32)
    (i32.store (i32.const 8) (local.get 0))
    (call $reenter (i32.const 0)))
))";

struct HostEnv {
  vivarium::Linker linker;
  vivarium::Instance* inst = nullptr;
  HostEnv() {
    linker.func("env", "add3", [](int32_t a, int64_t b, double c) { return static_cast<double>(a) + b + c; });
    linker.func("env", "fail", [](int32_t code) -> vivarium::Result<void> {
      if (code) return Error(ErrorCode::HostTrap, "host says no");
      return {};
    });
    linker.func("env", "reenter", [this](vivarium::Caller& caller, int32_t n) -> vivarium::Result<int32_t> {
      auto r = inst->call("ping", std::vector<Value>{I32(n)});
      if (!r.ok()) return r.error();
      // The caller's memory is reachable from the host.
      (void)caller;
      return r.value()[0].i32();
    });
  }
};

TEST(InterpHost, CallsAndTraps) {
  HostEnv h;
  Env e(kHostWat, {}, h.linker);
  h.inst = &e.instance;
  EXPECT_EQ(e.one("use_add3").f64(), 3.5);
  e.call("outer", {I32(0)}).value();
  Error err = e.trap("outer", {I32(1)});
  EXPECT_EQ(err.code(), ErrorCode::HostTrap);
  EXPECT_EQ(err.message(), "host says no");
  // Backtrace: innermost guest frame first, names from the name section.
  const std::string& bt = err.backtrace();
  size_t in = bt.find("$inner"), out = bt.find("$outer");
  EXPECT_NE(in, std::string::npos) << bt;
  EXPECT_NE(out, std::string::npos) << bt;
  EXPECT_LT(in, out) << bt;
}

TEST(InterpHost, ReentryWorksAndIsBounded) {
  HostEnv h;
  Env e(kHostWat, {}, h.linker);
  h.inst = &e.instance;
  EXPECT_EQ(e.i32("ping", {I32(20)}), 20);
  EXPECT_EQ(e.i32("store_via_host", {I32(5)}), 0);
  // Unbounded host/wasm ping-pong ends in exhaustion, not a native overflow.
  on_small_stack([&] {
    Error err = e.trap("ping", {I32(1000000)});
    EXPECT_EQ(err.code(), ErrorCode::CallStackExhausted);
  });
  EXPECT_EQ(e.i32("ping", {I32(3)}), 3);
}

TEST(InterpCalls, CrossInstanceCallUsesCalleeMemory) {
  vivarium::Store store;
  auto a = vivarium::Module::from_text(R"((module
    (memory 1) (data (i32.const 0) "\2a")
    (func (export "peek") (result i32) (i32.load8_u (i32.const 0)))))");
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  vivarium::Linker linker;
  auto ia = linker.instantiate(store, a.value());
  ASSERT_TRUE(ia.ok()) << ia.error().to_string();
  linker.define_instance("a", ia.value());
  auto b = vivarium::Module::from_text(R"((module
    (import "a" "peek" (func $peek (result i32)))
    (memory 1) (data (i32.const 0) "\07")
    (func (export "both") (result i32)
      (i32.add (i32.mul (call $peek) (i32.const 100)) (i32.load8_u (i32.const 0))))))");
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  auto ib = linker.instantiate(store, b.value());
  ASSERT_TRUE(ib.ok()) << ib.error().to_string();
  auto r = ib.value().call("both", {});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r.value()[0].i32(), 4207);  // 42 from a's memory, 7 from b's after returning
}

TEST(InterpCalls, IndirectTypeMismatch) {
  Env e(R"((module
    (type $v_i (func (result i32)))
    (type $i_i (func (param i32) (result i32)))
    (table 1 funcref) (elem (i32.const 0) $f)
    (func $f (result i32) (i32.const 1))
    (func (export "bad") (result i32) (call_indirect (type $i_i) (i32.const 0) (i32.const 0)))
    (func (export "good") (result i32) (call_indirect (type $v_i) (i32.const 0)))))");
  EXPECT_EQ(e.i32("good"), 1);
  Error err = e.trap("bad");
  EXPECT_EQ(err.code(), ErrorCode::IndirectCallTypeMismatch);
  EXPECT_EQ(err.message(), "indirect call type mismatch");
}

}  // namespace
}  // namespace vivarium::engine::test
