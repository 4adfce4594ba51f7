// The data plane without sockets: EdgeHandler routes, refuses over-limit
// requests, runs the guest on a real Terrarium runner (io_context on this
// thread) and names the deployment for the access log and metrics.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "fakes.h"
#include "server/admin_api.h"
#include "server/edge_handler.h"

// Entries into native code on this thread (engine/compiler/native_tier.h);
// weak, as builds without the native tier have none.
namespace vivarium::engine::compiler {
[[gnu::weak]] uint64_t native_entries_on_this_thread();
}  // namespace vivarium::engine::compiler

namespace vivarium::server {
namespace {

using testing::MemoryKv;

constexpr const char* kHelloService = R"((module
  (import "env" "hostcall_resp_set_body" (func $body (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 16) "hi from the guest")
  (func (export "run") (drop (call $body (i32.const 0) (i32.const 16) (i32.const 17))))))";

class EdgeHandlerTest : public ::testing::Test {
 protected:
  EdgeHandlerTest()
      : store(kv_deployment_store(kv)),
        deployments(*store, &kv, terrarium::GuestProgram::prepare, {}),
        router({"edge.test"}),
        handler(deployments, router, services, metrics, logs) {
    services.kv = &kv;
  }

  struct Answer {
    terrarium::HttpResponse response;
    std::string deployment;
  };
  Answer call(std::string host, std::string body = {}) {
    std::optional<terrarium::HttpResponse> out;
    Respond respond([&out](terrarium::HttpResponse r) { out = std::move(r); });
    IncomingRequest req;
    req.host = std::move(host);
    req.request.method = body.empty() ? "GET" : "POST";
    req.request.target = "/";
    req.request.body = std::move(body);
    handler.handle(io.get_executor(), std::move(req), respond);
    io.run();
    io.restart();
    EXPECT_TRUE(out.has_value());
    return {out.value_or(terrarium::HttpResponse{}), respond.deployment()};
  }

  MemoryKv kv;
  std::unique_ptr<DeploymentStore> store;
  Deployments deployments;
  Router router;
  terrarium::Services services;
  EdgeMetrics metrics;
  LogRing logs;
  EdgeHandler handler;
  boost::asio::io_context io;
};

TEST_F(EdgeHandlerTest, RunsTheDeploymentTheHostNames) {
  DeploySpec spec;
  spec.name = "hello";
  ASSERT_TRUE(set_limit(spec.limits, "max-request-body", "4").ok());
  auto d = deployments.deploy(spec, kHelloService);
  ASSERT_TRUE(d.ok()) << d.error().to_string();

  auto ok = call("hello.edge.test");
  EXPECT_EQ(ok.response.status, 200);
  EXPECT_EQ(ok.response.body, "hi from the guest");
  EXPECT_EQ(ok.deployment, "hello");
  EXPECT_EQ(call("hello.localhost").response.status, 200);

  auto big = call("hello.localhost", "0123456789");
  EXPECT_EQ(big.response.status, 413);
  EXPECT_NE(big.response.body.find("limit of 4"), std::string::npos);
  EXPECT_EQ(logs.recent("hello").back().level, "warn");

  auto unknown = call("nobody.edge.test");
  EXPECT_EQ(unknown.response.status, 404);
  EXPECT_NE(unknown.response.body.find("'nobody'"), std::string::npos);
  EXPECT_EQ(unknown.deployment, "");
  auto elsewhere = call("example.org");
  EXPECT_EQ(elsewhere.response.status, 404);
  EXPECT_NE(elsewhere.response.body.find("<name>.edge.test"), std::string::npos);

  std::string m = metrics.render();
  EXPECT_NE(m.find("vivarium_guest_outcomes_total{deployment=\"hello\",outcome=\"ok\"} 2"), std::string::npos) << m;
  EXPECT_NE(m.find("vivarium_instances_running 0"), std::string::npos);
}

TEST_F(EdgeHandlerTest, ATrapIsA500AndALogLine) {
  DeploySpec spec;
  spec.name = "trap";
  ASSERT_TRUE(deployments.deploy(spec, "(module (func (export \"run\") unreachable))").ok());
  auto r = call("trap.localhost");
  EXPECT_EQ(r.response.status, 500);
  EXPECT_NE(r.response.body.find("unreachable"), std::string::npos);
  auto lines = logs.recent("trap");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().level, "error");
  EXPECT_FALSE(lines.back().request_id.empty());
  bool has_id = false;
  for (const auto& [k, v] : r.response.headers) has_id |= k == "x-vivarium-request-id" && v == lines.back().request_id;
  EXPECT_TRUE(has_id);
}

// Tier-up (issue #15): the deployment serves from the interpreter at once, a
// background thread compiles it, then requests run native code, which the
// admin API shows as "tier"; a redeploy of the same module starts native
// from the code cache. Same responses on both tiers.
TEST_F(EdgeHandlerTest, DeploymentSwitchesToNativeCodeWhenCompiled) {
  const auto cache = std::filesystem::temp_directory_path() / ("viv-serve-tier-" + std::to_string(::getpid()));
  ::setenv("VIVARIUM_CACHE_DIR", cache.c_str(), 1);  // nothing outside the test is read or written
  ::setenv("VIVARIUM_SERVE_TIER", "auto", 1);          // not the default yet (server/deployments.h)
  AdminApi api(deployments, logs, metrics, AdminApi::Options{"s3cret", false, {}});
  auto admin_tier = [&] {
    AdminRequest r{"GET", "/deployments/hello", {{"Authorization", "Bearer s3cret"}}, ""};
    return nlohmann::json::parse(api.handle(r).body).value("tier", "none");
  };
  DeploySpec spec;
  spec.name = "hello";
  ASSERT_TRUE(deployments.deploy(spec, kHelloService).ok());
  if (!Module::native_tier_available()) GTEST_SKIP() << "built without the native tier";
  EXPECT_EQ(call("hello.localhost").response.body, "hi from the guest");  // whichever tier runs it by now
  for (int i = 0; i < 12000 && admin_tier() != "native"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(admin_tier(), "native");
  // A request's memory is capped (limits), yet native code gets its guard reservation.
  ASSERT_NE(&engine::compiler::native_entries_on_this_thread, nullptr);
  const uint64_t before = engine::compiler::native_entries_on_this_thread();
  EXPECT_EQ(call("hello.localhost").response.body, "hi from the guest");  // the runner's fiber runs on this thread
  EXPECT_GT(engine::compiler::native_entries_on_this_thread(), before);
  ASSERT_TRUE(deployments.deploy(spec, kHelloService).ok());
  EXPECT_EQ(admin_tier(), "native");
  EXPECT_EQ(call("hello.localhost").response.body, "hi from the guest");
  std::filesystem::remove_all(cache);
  ::unsetenv("VIVARIUM_SERVE_TIER");
}

}  // namespace
}  // namespace vivarium::server
