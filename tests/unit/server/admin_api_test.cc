#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes.h"
#include "server/admin_api.h"

namespace vivarium::server {
namespace {

using nlohmann::json;
using testing::fake_prepare;
using testing::kHelloWat;
using testing::MemoryKv;

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest()
      : store(kv_deployment_store(kv)),
        deployments(*store, &kv, fake_prepare(), {}),
        api(deployments, logs, metrics, AdminApi::Options{"s3cret", false, {}}) {}

  terrarium::HttpResponse call(std::string method, std::string target, std::string body = {},
                               std::string token = "s3cret") {
    AdminRequest r{std::move(method), std::move(target), {}, std::move(body)};
    if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
    return api.handle(r);
  }
  static json body(const terrarium::HttpResponse& r) { return json::parse(r.body); }

  MemoryKv kv;
  std::unique_ptr<DeploymentStore> store;
  Deployments deployments;
  LogRing logs;
  EdgeMetrics metrics;
  AdminApi api;
};

TEST_F(AdminApiTest, WrongOrMissingTokenIs401) {
  EXPECT_EQ(call("GET", "/deployments", "", "").status, 401);
  EXPECT_EQ(call("GET", "/deployments", "", "s3cre").status, 401);
  EXPECT_EQ(call("GET", "/deployments", "", "s3cretX").status, 401);
  EXPECT_EQ(call("PUT", "/deployments/x", kHelloWat, "nope").status, 401);
  EXPECT_EQ(call("GET", "/metrics", "", "").status, 401);
  EXPECT_EQ(call("GET", "/healthz", "", "").status, 200);
  EXPECT_EQ(call("GET", "/deployments").status, 200);
  EXPECT_EQ(deployments.size(), 0u);
}

TEST_F(AdminApiTest, DeployListGetDelete) {
  auto put = call("PUT", "/deployments/hello?ttl=5m&allow-host=example.com%3A443&wall-time=2s", kHelloWat);
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(body(put)["name"], "hello");
  EXPECT_EQ(body(put)["ttl"], "5m");
  EXPECT_EQ(body(put)["limits"]["wall-time"], "2s");
  EXPECT_EQ(body(put)["allow_hosts"], json::array({"example.com:443"}));
  auto post = call("POST", "/deployments?name=second", kHelloWat);
  ASSERT_EQ(post.status, 201) << post.body;
  auto list = call("GET", "/deployments");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(body(list)["deployments"].size(), 2u);
  EXPECT_EQ(body(list)["deployments"][0]["name"], "hello");
  EXPECT_EQ(body(call("GET", "/deployments/second"))["name"], "second");
  EXPECT_EQ(call("GET", "/deployments/missing").status, 404);
  EXPECT_EQ(call("DELETE", "/deployments/second").status, 200);
  EXPECT_EQ(call("DELETE", "/deployments/second").status, 404);
  EXPECT_EQ(deployments.size(), 1u);
}

TEST_F(AdminApiTest, BadRequestsSayWhatIsWrong) {
  auto text = call("PUT", "/deployments/hello", "(module\n  (func (export \"run\") (oops)))");
  ASSERT_EQ(text.status, 400);
  EXPECT_EQ(body(text)["line"], 2);
  EXPECT_TRUE(body(text).contains("column"));
  auto binary = call("PUT", "/deployments/hello", std::string("\0asm\1\0\0\0\x01\x05", 10));
  ASSERT_EQ(binary.status, 400);
  EXPECT_TRUE(body(binary).contains("offset"));
  EXPECT_NE(call("PUT", "/deployments/Hello", kHelloWat).body.find("upper-case"), std::string::npos);
  auto no_run = call("PUT", "/deployments/norun", "(module)");  // NotFound, a Host-phase code: still the upload's fault
  EXPECT_EQ(no_run.status, 400) << no_run.body;
  EXPECT_NE(call("PUT", "/deployments/h?ttl=soon", kHelloWat).body.find("ttl"), std::string::npos);
  EXPECT_NE(call("PUT", "/deployments/h?speed=1", kHelloWat).body.find("unknown limit"), std::string::npos);
  EXPECT_EQ(call("POST", "/deployments", kHelloWat).status, 400);
  EXPECT_EQ(call("PATCH", "/deployments/h", kHelloWat).status, 405);
  EXPECT_EQ(call("GET", "/nowhere").status, 404);
  EXPECT_EQ(call("GET", "/deployments/h/else").status, 404);
  EXPECT_EQ(deployments.size(), 0u);
}

TEST_F(AdminApiTest, JsonUploads) {
  auto json_call = [&](std::string method, std::string target, const json& j) {
    AdminRequest r{std::move(method), std::move(target), {}, j.dump()};
    r.headers.emplace_back("Authorization", "Bearer s3cret");
    r.headers.emplace_back("Content-Type", "application/json");
    return api.handle(r);
  };
  auto text = json_call("POST", "/deployments",
                        {{"name", "viajson"}, {"ttl", "2m"}, {"allow_hosts", {"a.example:443"}},
                         {"limits", {{"fuel", 5000}, {"wall-time", "1s"}}}, {"wat", kHelloWat}});
  ASSERT_EQ(text.status, 201) << text.body;
  EXPECT_EQ(body(text)["ttl"], "2m");
  EXPECT_EQ(body(text)["limits"]["fuel"], "5000");
  EXPECT_EQ(body(text)["allow_hosts"][0], "a.example:443");
  // (module (func (export "run"))) in binary, base64.
  auto bin = json_call("PUT", "/deployments/binary",
                       {{"wasm_base64", "AGFzbQEAAAABBAFgAAADAgEABwcBA3J1bgAACgQBAgAL"}});
  ASSERT_EQ(bin.status, 201) << bin.body;
  EXPECT_EQ(body(bin)["format"], "wasm");
  EXPECT_EQ(body(bin)["module_size"], 33);
  EXPECT_EQ(json_call("PUT", "/deployments/x", {{"wasm_base64", "!!!!"}}).status, 400);
  EXPECT_NE(json_call("PUT", "/deployments/x", {{"colour", "red"}}).body.find("unknown field 'colour'"),
            std::string::npos);
  EXPECT_EQ(json_call("PUT", "/deployments/x", {{"limits", {{"speed", 1}}}}).status, 400);
}

TEST_F(AdminApiTest, LogsAndMetrics) {
  ASSERT_EQ(call("PUT", "/deployments/hello", kHelloWat).status, 201);
  logs.add("hello", "debug", "req-1", "hi there");
  logs.add("hello", "error", "req-2", "trap: unreachable");
  auto text = call("GET", "/deployments/hello/logs");
  ASSERT_EQ(text.status, 200);
  EXPECT_NE(text.body.find("req-1 hi there"), std::string::npos);
  auto j = body(call("GET", "/deployments/hello/logs?format=json&since=1"));
  ASSERT_EQ(j["lines"].size(), 1u);
  EXPECT_EQ(j["lines"][0]["request_id"], "req-2");
  metrics.guest_ended("hello", 1, 2);  // a trap after two outbound requests
  metrics.limit_refused("hello", 413);
  metrics.kv_op(EdgeMetrics::KvPut, true);
  auto m = call("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.headers[0].second.find("version=0.0.4"), std::string::npos);
  EXPECT_NE(m.body.find("vivarium_guest_outcomes_total{deployment=\"hello\",outcome=\"trap\"} 1"), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("vivarium_outbound_requests_total{deployment=\"hello\"} 2"), std::string::npos);
  EXPECT_NE(m.body.find("vivarium_request_limit_refusals_total{code=\"413\",deployment=\"hello\"} 1"),
            std::string::npos);
  EXPECT_NE(m.body.find("vivarium_kv_operations_total{op=\"put\"} 1"), std::string::npos);
}

TEST_F(AdminApiTest, MetricsCanBePublic) {
  AdminApi open(deployments, logs, metrics, AdminApi::Options{"s3cret", true, {}});
  AdminRequest r{"GET", "/metrics", {}, {}};
  EXPECT_EQ(open.handle(r).status, 200);
  r.target = "/deployments";
  EXPECT_EQ(open.handle(r).status, 401);
}

TEST(Query, PercentDecoding) {
  auto q = parse_query("a=1&b=x%20y&c&&d=%3A%zz+e");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[1].second, "x y");
  EXPECT_EQ(q[2].first, "c");
  EXPECT_EQ(q[3].second, ":%zz e");
  EXPECT_EQ(percent_encode("a b:c/é"), "a%20b%3Ac%2F%C3%A9");
}

}  // namespace
}  // namespace vivarium::server
