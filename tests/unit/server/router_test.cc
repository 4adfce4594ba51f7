#include <gtest/gtest.h>

#include "server/deployment.h"
#include "server/router.h"

namespace vivarium::server {
namespace {

TEST(Router, LocalhostAlwaysWorks) {
  Router r({});
  EXPECT_EQ(r.route("hello.localhost"), "hello");
  EXPECT_EQ(r.route("hello.localhost:8080"), "hello");
  EXPECT_EQ(r.route("HELLO.LocalHost."), "hello");
  EXPECT_EQ(r.route("localhost"), std::nullopt);
  EXPECT_EQ(r.route("a.b.localhost"), std::nullopt);  // one label only
  EXPECT_EQ(r.route("hello.example.com"), std::nullopt);
  EXPECT_EQ(r.route("[::1]:8080"), std::nullopt);
  EXPECT_EQ(r.route(""), std::nullopt);
}

TEST(Router, ConfiguredDomainsMostSpecificFirst) {
  Router r({"example.com", "Edge.Example.com.", ".apps.test"});
  EXPECT_EQ(r.route("shop.example.com"), "shop");
  EXPECT_EQ(r.route("shop.edge.example.com"), "shop");  // not "shop.edge" of example.com
  EXPECT_EQ(r.route("x.apps.test"), "x");
  EXPECT_EQ(r.route("x.localhost"), "x");
  EXPECT_EQ(r.route("xexample.com"), std::nullopt);
  EXPECT_EQ(r.route(".example.com"), std::nullopt);
  EXPECT_EQ(r.domains().back(), "localhost");
}

TEST(RequestLimits, EachLimitHasItsStatus) {
  DeploymentLimits l;
  l.max_request_body = 4;
  l.max_headers = 2;
  l.max_header_bytes = 10;
  terrarium::HttpRequest req;
  std::string why;
  EXPECT_EQ(check_request_limits(req, l, why), 0);
  req.body = "12345";
  EXPECT_EQ(check_request_limits(req, l, why), 413);
  EXPECT_NE(why.find("limit of 4"), std::string::npos);
  req.body = "1234";
  req.headers = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  EXPECT_EQ(check_request_limits(req, l, why), 431);
  EXPECT_NE(why.find("3 request headers"), std::string::npos);
  req.headers = {{"name", "0123456789"}};
  EXPECT_EQ(check_request_limits(req, l, why), 431);
  EXPECT_NE(why.find("14 bytes"), std::string::npos);
}

}  // namespace
}  // namespace vivarium::server
