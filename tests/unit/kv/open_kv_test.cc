// open_kv's specs, and what only one backend has (Redis reconnects, LMDB files).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "host/kv/kv_store.h"
#include "host/kv/lmdb_store.h"
#include "host/kv/redis_store.h"
#include "redis_server.h"

namespace vivarium::kv {
namespace {

std::string error_of(std::string_view spec) {
  auto r = open_kv(spec);
  return r.ok() ? "(opened)" : r.error().message();
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/viv-kv-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

TEST(RedisUrl, Parses) {
  auto c = parse_redis_url("redis://127.0.0.1:6380/2");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 6380);
  EXPECT_EQ(c->db, 2u);
  c = parse_redis_url("redis://:s3cret@cache");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "cache");
  EXPECT_EQ(c->port, 6379);
  EXPECT_EQ(c->password, "s3cret");
  c = parse_redis_url("redis://user:pw@[::1]:7000");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->username, "user");
  EXPECT_EQ(c->port, 7000);
}

TEST(RedisUrl, RejectsBadUrls) {
  struct Case {
    const char* url;
    const char* why;
  };
  for (const Case& c : std::initializer_list<Case>{{"redis://", "no host"},
                                                   {"redis://:6379", "no host"},
                                                   {"redis://h:", "empty port"},
                                                   {"redis://h:0", "port 0"},
                                                   {"redis://h:70000", "bad port"},
                                                   {"redis://h:x", "bad port"},
                                                   {"redis://h/db", "bad database number"},
                                                   {"redis://h/", "bad database number"},
                                                   {"redis://h?x=1", "query strings"},
                                                   {"redis://[::1", "without ']'"},
                                                   {"redis://pw@h", "credentials"}}) {
    auto r = parse_redis_url(c.url);
    ASSERT_FALSE(r.ok()) << c.url;
    EXPECT_NE(r.error().message().find(c.why), std::string::npos) << c.url << ": " << r.error().message();
    EXPECT_NE(r.error().message().find(c.url), std::string::npos) << r.error().message();
  }
}

TEST(OpenKv, BadSpecs) {
  EXPECT_NE(error_of("ftp://x/y").find("unknown scheme"), std::string::npos);
  EXPECT_NE(error_of("lmdb:").find("no directory"), std::string::npos);
  EXPECT_NE(error_of("").find("no directory"), std::string::npos);
  uint16_t port = testing::free_port();  // nothing listens there
  std::string e = error_of("redis://127.0.0.1:" + std::to_string(port));
  EXPECT_NE(e.find("redis://127.0.0.1:" + std::to_string(port) + ": cannot connect"), std::string::npos) << e;
}

TEST(OpenKv, LmdbInAFileIsAClearError) {
  TempDir d;
  std::ofstream(d.path + "/file") << "x";
  std::string e = error_of(d.path + "/file");
  EXPECT_NE(e.find(d.path + "/file"), std::string::npos) << e;
  e = error_of("lmdb:" + d.path + "/file/sub");
  EXPECT_NE(e.find("cannot create the directory"), std::string::npos) << e;
}

TEST(OpenKv, PlainDirectoryIsLmdbAndPersists) {
  TempDir d;
  {
    auto s = open_kv(d.path + "/kv");
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_EQ((*s)->describe(), "lmdb:" + d.path + "/kv");
    EXPECT_FALSE((*s)->remote_reads());  // memory-mapped: guests read on their own thread
    ASSERT_TRUE((*s)->put("ns", "k", "v").ok());
  }
  auto s = open_kv("lmdb:" + d.path + "/kv");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*(*s)->get("ns", "k"), "v");
}

TEST(LmdbStore, MapGrowsPastItsInitialSize) {
  // A 256 KiB map must double many times to take 64 values of 1 MiB.
  TempDir d;
  auto s = open_lmdb(d.path, KvLimits{}, 256 << 10);
  ASSERT_TRUE(s.ok()) << s.error().message();
  std::string v(1 << 20, 'x');
  for (int i = 0; i < 64; ++i) ASSERT_TRUE((*s)->put("big", std::to_string(i), v).ok()) << i;
  EXPECT_EQ((*(*s)->keys("big")).size(), 64u);
  s->reset();
  auto again = open_kv(d.path);  // reopening adopts the grown size
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ((*(*again)->get("big", "63"))->size(), size_t{1} << 20);
}

TEST(RedisStore, ReconnectsAfterTheServerRestartsAndKeepsAcknowledgedWrites) {
  if (!testing::RedisServer::available()) GTEST_SKIP() << "redis-server is not installed";
  TempDir d;
  testing::RedisServer server(d.path);
  ASSERT_TRUE(server.start());
  auto s = open_kv(server.url());
  ASSERT_TRUE(s.ok()) << s.error().message();
  KvStore& kv = **s;
  EXPECT_TRUE(kv.remote_reads());  // a round trip: guests' reads go to the blocking pool
  ASSERT_TRUE(kv.put("app", "k", "before the crash").ok());
  server.stop(SIGKILL);
  auto down = kv.get("app", "k");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code(), ErrorCode::Io);
  EXPECT_NE(down.error().message().find(server.url()), std::string::npos) << down.error().message();
  testing::RedisServer again(d.path, server.port());
  ASSERT_TRUE(again.start());
  auto up = kv.get("app", "k");
  ASSERT_TRUE(up.ok()) << up.error().message();
  EXPECT_EQ(*up, "before the crash");  // appendfsync always: the acknowledged write survived kill -9
  EXPECT_EQ(*kv.put("app", "k2", "after"), true);
}

}  // namespace
}  // namespace vivarium::kv
