#include <gtest/gtest.h>

#include "server/deployment.h"
#include "server/names.h"

namespace vivarium::server {
namespace {

using namespace std::chrono_literals;

TEST(Names, DnsLabelsAreAccepted) {
  for (const char* ok : {"hello", "a", "hello-world", "x1", "0abc", "a-b-c"}) EXPECT_TRUE(validate_name(ok).ok()) << ok;
  EXPECT_TRUE(validate_name(std::string(63, 'a')).ok());
}

TEST(Names, EveryRuleHasItsOwnMessage) {
  EXPECT_NE(validate_name("").error().message().find("empty"), std::string::npos);
  EXPECT_NE(validate_name(std::string(64, 'a')).error().message().find("at most 63"), std::string::npos);
  EXPECT_NE(validate_name("Hello").error().message().find("upper-case"), std::string::npos);
  EXPECT_NE(validate_name("a.b").error().message().find("position 1"), std::string::npos);
  EXPECT_NE(validate_name("a_b").error().message().find("outside a-z"), std::string::npos);
  EXPECT_NE(validate_name("-ab").error().message().find("starts or ends"), std::string::npos);
  EXPECT_NE(validate_name("ab-").error().message().find("starts or ends"), std::string::npos);
  EXPECT_EQ(validate_name("ab-").error().code(), ErrorCode::Usage);
}

TEST(Durations, ParseUnitsAndSums) {
  EXPECT_EQ(*parse_duration("90s"), 90s);
  EXPECT_EQ(*parse_duration("5m"), 5min);
  EXPECT_EQ(*parse_duration("1h"), 1h);
  EXPECT_EQ(*parse_duration("1h30m"), 90min);
  EXPECT_EQ(*parse_duration("250ms"), 250ms);
  EXPECT_EQ(*parse_duration("2d"), 48h);
  EXPECT_EQ(*parse_duration("45"), 45s);
  EXPECT_EQ(*parse_duration("0s"), 0ms);
}

TEST(Durations, BadInputIsNamed) {
  EXPECT_NE(parse_duration("").error().message().find("empty"), std::string::npos);
  EXPECT_NE(parse_duration("5x").error().message().find("unknown unit 'x'"), std::string::npos);
  EXPECT_NE(parse_duration("m").error().message().find("expected a number"), std::string::npos);
  EXPECT_NE(parse_duration("1h5").error().message().find("unknown unit ''"), std::string::npos);
  EXPECT_NE(parse_duration("99999999999999999999s").error().message().find("expected a number"), std::string::npos);
  EXPECT_NE(parse_duration("999999999999999d").error().message().find("too long"), std::string::npos);
}

TEST(Durations, FormatRoundTrips) {
  EXPECT_EQ(format_duration(5min), "5m");
  EXPECT_EQ(format_duration(90min), "1h30m");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(0ms), "0s");
  for (auto d : {1s, 59s, 61s, 3601s, 90000s})
    EXPECT_EQ(*parse_duration(format_duration(d)), d) << format_duration(d);
}

TEST(Sizes, ParseUnits) {
  EXPECT_EQ(*parse_size("1048576"), 1048576u);
  EXPECT_EQ(*parse_size("512k"), 512u << 10);
  EXPECT_EQ(*parse_size("64MiB"), 64u << 20);
  EXPECT_EQ(*parse_size("1G"), 1ull << 30);
  EXPECT_FALSE(parse_size("12 parsecs").ok());
  EXPECT_FALSE(parse_size("").ok());
  EXPECT_FALSE(parse_size("99999999999G").ok());
}

TEST(Limits, SetAndGetEveryKey) {
  DeploymentLimits l;
  ASSERT_TRUE(set_limit(l, "wall-time", "2s").ok());
  ASSERT_TRUE(set_limit(l, "fuel", "1000000").ok());
  ASSERT_TRUE(set_limit(l, "memory", "16MiB").ok());
  ASSERT_TRUE(set_limit(l, "max-request-body", "1k").ok());
  ASSERT_TRUE(set_limit(l, "max-response-body", "2k").ok());
  ASSERT_TRUE(set_limit(l, "max-headers", "10").ok());
  ASSERT_TRUE(set_limit(l, "max-header-bytes", "4k").ok());
  ASSERT_TRUE(set_limit(l, "max-outbound", "3").ok());
  ASSERT_TRUE(set_limit(l, "outbound-timeout", "1500ms").ok());
  EXPECT_EQ(l.guest.wall_time, 2s);
  EXPECT_EQ(l.guest.fuel, 1000000u);
  EXPECT_EQ(l.guest.max_memory_bytes, 16u << 20);
  EXPECT_EQ(l.max_request_body, 1024u);
  EXPECT_EQ(l.guest.max_response_body, 2048u);
  EXPECT_EQ(l.max_headers, 10u);
  EXPECT_EQ(l.max_header_bytes, 4096u);
  EXPECT_EQ(l.guest.max_outbound_requests, 3u);
  EXPECT_EQ(l.guest.outbound_timeout, 1500ms);
  DeploymentLimits copy;
  for (const auto& k : limit_keys()) ASSERT_TRUE(set_limit(copy, k.key, get_limit(l, k.key)).ok()) << k.key;
  for (const auto& k : limit_keys()) EXPECT_EQ(get_limit(copy, k.key), get_limit(l, k.key)) << k.key;
}

TEST(Limits, BadKeysAndValuesAreNamed) {
  DeploymentLimits l;
  auto r = set_limit(l, "speed", "1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("unknown limit 'speed'"), std::string::npos);
  EXPECT_NE(r.error().message().find("wall-time"), std::string::npos);  // lists the known keys
  EXPECT_NE(set_limit(l, "wall-time", "soon").error().message().find("limit wall-time"), std::string::npos);
  EXPECT_FALSE(set_limit(l, "wall-time", "0s").ok());
  EXPECT_FALSE(set_limit(l, "max-headers", "99999999999").ok());
}

TEST(Format, DetectedByMagic) {
  EXPECT_EQ(detect_format(std::string("\0asm\1\0\0\0", 8)), SourceFormat::Wasm);
  EXPECT_EQ(detect_format("(module)"), SourceFormat::Wat);
  EXPECT_EQ(detect_format(""), SourceFormat::Wat);
}

}  // namespace
}  // namespace vivarium::server
