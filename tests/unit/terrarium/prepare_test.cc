// GuestProgram::prepare: the deploy-time check names the offending import or export.
#include <gtest/gtest.h>

#include "harness.h"
#include "host/terrarium/abi.h"

namespace vivarium::terrarium::testing {
namespace {

Result<std::shared_ptr<const GuestProgram>> prepare_wat(std::string_view wat) {
  auto m = Module::from_text(wat);
  if (!m.ok()) return std::move(m).error();
  return GuestProgram::prepare(std::make_shared<const Module>(std::move(*m)), test_config());
}

std::string error_of(std::string_view wat) {
  auto p = prepare_wat(wat);
  return p.ok() ? std::string("(prepared)") : p.error().message();
}

TEST(Prepare, AcceptsAGuestThatImportsHostcallsWithTheirTypes) {
  auto p = prepare_wat(R"((module
    (import "env" "hostcall_debug" (func (param i32 i32)))
    (import "env" "hostcall_time_now" (func (param i32) (result i64)))
    (import "env" "hostcall_pending_req_select" (func (param i32 i32 i32) (result i32)))
    (memory 1)
    (func (export "run"))))");
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ((*p)->config().deployment, "test");
}

TEST(Prepare, RefusesAModuleWithoutRun) {
  EXPECT_EQ(error_of("(module (func (export \"main\")))"),
            "the module exports no function \"run\" (a Terrarium guest handles each request in run: () -> ())");
}

TEST(Prepare, RefusesRunOfTheWrongType) {
  EXPECT_EQ(error_of("(module (func (export \"run\") (param i32)))"),
            "export \"run\" has type (i32) -> () but must be () -> ()");
  EXPECT_EQ(error_of("(module (memory (export \"run\") 1))"), "export \"run\" is a memory, not a function");
}

TEST(Prepare, RefusesImportsOutsideTheAbi) {
  EXPECT_EQ(error_of(R"((module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
                          (func (export "run"))))"),
            "import wasi_snapshot_preview1.fd_write: a Terrarium guest imports only env.hostcall_* functions");
  EXPECT_EQ(error_of(R"((module (import "env" "hostcall_teleport" (func)) (func (export "run"))))"),
            "import env.hostcall_teleport: no such hostcall in the Terrarium ABI");
  EXPECT_EQ(error_of(R"((module (import "env" "memory" (memory 1)) (func (export "run"))))"),
            "import env.memory: a Terrarium guest imports only functions, not a memory");
}

TEST(Prepare, RefusesAHostcallOfTheWrongType) {
  EXPECT_EQ(error_of(R"((module (import "env" "hostcall_debug" (func (param i32))) (func (export "run"))))"),
            "import env.hostcall_debug has type (i32) -> () but the ABI's is (i32, i32) -> ()");
  EXPECT_EQ(error_of(R"((module (import "env" "hostcall_time_now" (func (param i32) (result i32))) (func (export "run"))))"),
            "import env.hostcall_time_now has type (i32) -> (i32) but the ABI's is (i32) -> (i64)");
}

TEST(Prepare, TheAbiTableHasEveryHostcallOnce) {
  EXPECT_EQ(hostcall_abi().size(), 32u);
  for (const auto& h : hostcall_abi()) EXPECT_EQ(find_hostcall(h.name), &h) << h.name;
  EXPECT_EQ(find_hostcall("req_get_body")->type().to_string(), "(i32, i32, i32) -> ()");
  EXPECT_EQ(find_hostcall("rng_next_u64")->type().to_string(), "() -> (i64)");
}

}  // namespace
}  // namespace vivarium::terrarium::testing
