#include "server/gateway/gateway_tokens.h"

#include <gtest/gtest.h>

namespace vivarium::server::gateway {
namespace {

constexpr const char* kToken = "0123456789abcdef0123";

TEST(GatewayTokens, ParsesGrantsLimitsAndComments) {
  auto t = GatewayTokens::parse(std::string("# who may connect\n\n") + kToken + " 127.0.0.1:7000 max=3  # echo\n",
                                "tokens");
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->size(), 1u);
  const TokenGrant* g = t->find(kToken);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->max_connections, 3u);
  EXPECT_TRUE(g->policy.allows_address(*net::IpAddress::parse("127.0.0.1"), 7000));
  EXPECT_FALSE(g->policy.allows_address(*net::IpAddress::parse("127.0.0.1"), 7001));
  EXPECT_EQ(t->find("0123456789abcdef012"), nullptr);  // a prefix is not the token
  EXPECT_EQ(t->find(""), nullptr);
}

TEST(GatewayTokens, ATokenWithoutGrantsReachesNothing) {
  auto t = GatewayTokens::parse(kToken, "tokens");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->find(kToken)->policy.allows_address(*net::IpAddress::parse("127.0.0.1"), 80));
}

TEST(GatewayTokens, GrantKindsStayApart) {
  auto t = GatewayTokens::parse(std::string(kToken) + " 127.0.0.1:1 udp:127.0.0.1:2 dns:localhost bind:127.0.0.1:3", "f");
  ASSERT_TRUE(t.ok()) << t.error().message();
  const TokenGrant* g = t->find(kToken);
  auto lo = *net::IpAddress::parse("127.0.0.1");
  EXPECT_TRUE(g->policy.allows_address(lo, 1));
  EXPECT_FALSE(g->policy.allows_address(lo, 2));  // a UDP grant opens no TCP
  EXPECT_TRUE(g->udp.allows_address(lo, 2));
  EXPECT_FALSE(g->udp.allows_address(lo, 1));
  EXPECT_TRUE(g->dns.allows_name("localhost", 0));
  EXPECT_FALSE(g->policy.allows_name("localhost", 0));
  EXPECT_TRUE(g->bind.allows_bind(lo, 3));
  EXPECT_FALSE(g->bind.allows_bind(lo, 1));
  EXPECT_FALSE(GatewayTokens::parse(std::string(kToken) + " udp:300.1.1.1", "f").ok());
}

TEST(GatewayTokens, ErrorsNameTheFileAndLine) {
  auto short_token = GatewayTokens::parse("\nshort 127.0.0.1:1\n", "f");
  ASSERT_FALSE(short_token.ok());
  EXPECT_NE(short_token.error().message().find("f:2: "), std::string::npos) << short_token.error().message();
  auto bad_grant = GatewayTokens::parse(std::string(kToken) + " 300.1.1.1:80", "f");
  ASSERT_FALSE(bad_grant.ok());
  EXPECT_NE(bad_grant.error().message().find("f:1: "), std::string::npos);
  EXPECT_FALSE(GatewayTokens::parse(std::string(kToken) + " max=0", "f").ok());
  EXPECT_FALSE(GatewayTokens::parse(std::string(kToken) + " max=x", "f").ok());
  EXPECT_FALSE(GatewayTokens::parse(std::string(kToken) + "\n" + kToken, "f").ok());
  EXPECT_FALSE(GatewayTokens::load("/nonexistent/tokens").ok());
}

}  // namespace
}  // namespace vivarium::server::gateway
