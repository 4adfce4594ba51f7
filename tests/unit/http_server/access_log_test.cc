#include "server/access_log.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace vivarium::server {
namespace {

AccessRecord sample() {
  AccessRecord r;
  r.time = std::chrono::system_clock::from_time_t(1700000000) + std::chrono::milliseconds(123);
  r.client_ip = "127.0.0.1";
  r.method = "GET";
  r.target = "/a b\"c";
  r.protocol = "HTTP/1.1";
  r.host = "hello.localhost";
  r.deployment = "hello";
  r.request_id = "0123456789abcdef";
  r.user_agent = "evil\"\n127.0.0.1 - - forged";
  r.status = 200;
  r.request_bytes = 5;
  r.response_bytes = 12;
  r.latency = std::chrono::microseconds(1500);
  return r;
}

TEST(AccessLog, TextLineIsCombinedLikeAndCannotBeForged) {
  std::string line = AccessLog::format(sample(), AccessLog::Format::Text);
  EXPECT_EQ(line,
            "127.0.0.1 - - [14/Nov/2023:22:13:20 +0000] \"GET /a b\\x22c HTTP/1.1\" 200 12 \"-\" "
            "\"evil\\x22\\x0A127.0.0.1 - - forged\" hello.localhost hello 1.500ms 0123456789abcdef\n");
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(AccessLog, JsonLineParsesBack) {
  AccessRecord r = sample();
  std::string bad_utf8 = "\xff\xfe";
  r.referer = bad_utf8;
  std::string line = AccessLog::format(r, AccessLog::Format::Json);
  ASSERT_EQ(line.back(), '\n');
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["deployment"], "hello");
  EXPECT_EQ(j["request_id"], "0123456789abcdef");
  EXPECT_EQ(j["time"], "2023-11-14T22:13:20.123Z");
  EXPECT_DOUBLE_EQ(j["latency_ms"].get<double>(), 1.5);
  EXPECT_EQ(j["user_agent"], "evil\"\n127.0.0.1 - - forged");
}

TEST(AccessLog, FileGetsEveryLineByFlush) {
  char tmpl[] = "/tmp/viv-access-XXXXXX";
  int fd = mkstemp(tmpl);
  ::close(fd);
  {
    auto log = AccessLog::open(tmpl, AccessLog::Format::Text);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 1000; ++i) (*log)->write(sample());
    (*log)->flush();
    std::ifstream in(tmpl);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string so_far = ss.str();
    EXPECT_EQ(std::count(so_far.begin(), so_far.end(), '\n'), 1000);
    for (int i = 0; i < 10; ++i) (*log)->write(sample());
  }  // the destructor writes the rest
  std::ifstream in(tmpl);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 1010);
  unlink(tmpl);
  auto bad = AccessLog::open("/nonexistent-dir/x.log", AccessLog::Format::Json);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("/nonexistent-dir/x.log"), std::string::npos);
}

}  // namespace
}  // namespace vivarium::server
