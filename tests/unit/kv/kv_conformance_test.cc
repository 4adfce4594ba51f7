// One conformance suite, run against every KV backend.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "host/kv/kv_store.h"
#include "redis_server.h"

namespace vivarium::kv {
namespace {

using testing::RedisServer;

class KvConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/viv-kv-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    if (GetParam() == "redis") {
      if (!RedisServer::available()) GTEST_SKIP() << "redis-server is not installed: the Redis backend is not tested";
      redis_ = std::make_unique<RedisServer>(dir_);
      ASSERT_TRUE(redis_->start()) << "redis-server did not start (see " << dir_ << "/redis.log)";
      spec_ = redis_->url();
    } else {
      spec_ = "lmdb:" + dir_ + "/kv";
    }
    reopen();
  }
  void TearDown() override {
    store_.reset();
    redis_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void reopen(KvLimits limits = {}) {
    store_.reset();
    auto s = open_kv(spec_, limits);
    ASSERT_TRUE(s.ok()) << s.error().message();
    store_ = std::move(*s);
  }
  KvStore& kv() { return *store_; }
  std::optional<std::string> get(std::string_view ns, std::string_view key) {
    auto r = kv().get(ns, key);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? *r : std::nullopt;
  }
  std::vector<std::string> sorted_keys(std::string_view ns) {
    auto r = kv().keys(ns);
    EXPECT_TRUE(r.ok()) << r.error().message();
    std::vector<std::string> k = r.ok() ? *r : std::vector<std::string>{};
    std::sort(k.begin(), k.end());
    return k;
  }

  std::string dir_, spec_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<KvStore> store_;
};

TEST_P(KvConformance, GetPutRemove) {
  EXPECT_EQ(get("app", "k"), std::nullopt);
  EXPECT_EQ(*kv().put("app", "k", "v1"), true);
  EXPECT_EQ(*kv().put("app", "k", "v2"), false);
  EXPECT_EQ(get("app", "k"), "v2");
  EXPECT_EQ(*kv().put("app", "empty", ""), true);
  EXPECT_EQ(get("app", "empty"), "");  // an empty value is present, not absent
  EXPECT_EQ(*kv().remove("app", "k"), true);
  EXPECT_EQ(*kv().remove("app", "k"), false);
  EXPECT_EQ(get("app", "k"), std::nullopt);
  EXPECT_EQ(*kv().put("app", "", "empty key"), true);
  EXPECT_EQ(get("app", ""), "empty key");
}

TEST_P(KvConformance, Append) {
  EXPECT_EQ(*kv().append("app", "log", "a"), true);
  EXPECT_EQ(*kv().append("app", "log", "bc"), false);
  EXPECT_EQ(get("app", "log"), "abc");
  EXPECT_EQ(*kv().put("app", "e", ""), true);
  EXPECT_EQ(*kv().append("app", "e", ""), false);
  EXPECT_EQ(*kv().append("app", "e", "x"), false);
  EXPECT_EQ(get("app", "e"), "x");
}

TEST_P(KvConformance, KeysAndDropNamespace) {
  EXPECT_TRUE(sorted_keys("app").empty());
  for (const char* k : {"c", "a", "b"}) ASSERT_TRUE(kv().put("app", k, k).ok());
  ASSERT_TRUE(kv().put("other", "a", "1").ok());
  EXPECT_EQ(sorted_keys("app"), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_TRUE(kv().drop_namespace("app").ok());
  EXPECT_TRUE(sorted_keys("app").empty());
  EXPECT_EQ(get("app", "a"), std::nullopt);
  EXPECT_EQ(get("other", "a"), "1");
  EXPECT_TRUE(kv().drop_namespace("never-used").ok());
  EXPECT_EQ(*kv().put("app", "a", "again"), true);  // a dropped namespace starts empty
}

TEST_P(KvConformance, NamespacesNeverCollide) {
  // Pairs whose naive concatenations ("ns:key", "ns" + key) coincide.
  struct Pair {
    std::string ns, key;
  };
  std::vector<Pair> pairs = {{"a", "bc"},  {"ab", "c"},          {"a:b", "c"}, {"a", "b:c"},
                             {"a", ":bc"}, {std::string("a\0", 2), "bc"}, {"viv", "x"}, {"viv:kv:a", "bc"}};
  for (size_t i = 0; i < pairs.size(); ++i) ASSERT_TRUE(kv().put(pairs[i].ns, pairs[i].key, std::to_string(i)).ok());
  for (size_t i = 0; i < pairs.size(); ++i) EXPECT_EQ(get(pairs[i].ns, pairs[i].key), std::to_string(i)) << i;
  EXPECT_EQ(sorted_keys("a"), (std::vector<std::string>{":bc", "b:c", "bc"}));
  EXPECT_EQ(sorted_keys("ab"), (std::vector<std::string>{"c"}));
  ASSERT_TRUE(kv().drop_namespace("a").ok());
  EXPECT_EQ(get("ab", "c"), "1");
  EXPECT_EQ(get("a:b", "c"), "2");
  EXPECT_EQ(get(std::string("a\0", 2), "bc"), "5");
  EXPECT_EQ(get("viv:kv:a", "bc"), "7");
}

TEST_P(KvConformance, BinaryKeysAndValues) {
  std::string key("k\0\xff\x01\n", 5);
  std::string value("\0\0v\xfe\r\n\0", 7);
  EXPECT_EQ(*kv().put("bin", key, value), true);
  EXPECT_EQ(get("bin", key), value);
  EXPECT_EQ(get("bin", "k"), std::nullopt);  // not truncated at the NUL
  EXPECT_EQ(*kv().append("bin", key, std::string("\0", 1)), false);
  EXPECT_EQ(get("bin", key), value + std::string("\0", 1));
  EXPECT_EQ(sorted_keys("bin"), std::vector<std::string>{key});
}

TEST_P(KvConformance, LongKeysUpToTheLimit) {
  // Around LMDB's own 511-byte key limit and up to ours (1024 by default).
  std::vector<std::string> keys;
  for (size_t n : {400u, 500u, 505u, 506u, 507u, 508u, 509u, 510u, 511u, 512u, 600u, 1023u, 1024u})
    keys.push_back(std::string(n, 'k') + std::to_string(n));
  for (auto& k : keys) k.resize(std::min<size_t>(k.size(), 1024));
  for (const auto& k : keys) ASSERT_EQ(*kv().put("long", k, "v" + std::to_string(k.size())), true) << k.size();
  for (const auto& k : keys) EXPECT_EQ(get("long", k), "v" + std::to_string(k.size())) << k.size();
  std::vector<std::string> expect = keys;
  std::sort(expect.begin(), expect.end());
  EXPECT_EQ(sorted_keys("long"), expect);
  EXPECT_EQ(*kv().append("long", keys.back(), "+"), false);
  EXPECT_EQ(get("long", keys.back()), "v1024+");
  EXPECT_EQ(*kv().remove("long", keys.back()), true);
  ASSERT_TRUE(kv().drop_namespace("long").ok());
  EXPECT_TRUE(sorted_keys("long").empty());
}

TEST_P(KvConformance, OversizedKeysAndValuesGetClearErrors) {
  const KvLimits& lim = kv().limits();
  auto big_key = kv().put("app", std::string(lim.max_key_bytes + 1, 'k'), "v");
  ASSERT_FALSE(big_key.ok());
  EXPECT_EQ(big_key.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(big_key.error().message().find("key of 1025 bytes is larger than the limit of 1024"), std::string::npos)
      << big_key.error().message();
  EXPECT_FALSE(kv().get("app", std::string(lim.max_key_bytes + 1, 'k')).ok());

  std::string full(lim.max_value_bytes, 'v');
  EXPECT_EQ(*kv().put("app", "full", full), true);
  EXPECT_EQ(get("app", "full")->size(), lim.max_value_bytes);
  auto too_big = kv().put("app", "big", full + "x");
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(too_big.error().message().find("value of 1048577 bytes"), std::string::npos) << too_big.error().message();
  auto append_over = kv().append("app", "full", "x");
  ASSERT_FALSE(append_over.ok());
  EXPECT_EQ(append_over.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(append_over.error().message().find("append"), std::string::npos);
  EXPECT_EQ(get("app", "full")->size(), lim.max_value_bytes);  // unchanged
  EXPECT_EQ(get("app", "big"), std::nullopt);
}

TEST_P(KvConformance, BadNamespaces) {
  auto empty = kv().put("", "k", "v");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), ErrorCode::Usage);
  EXPECT_NE(empty.error().message().find("namespace is empty"), std::string::npos);
  auto big = kv().keys(std::string(256, 'n'));
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message().find("namespace of 256 bytes"), std::string::npos);
  EXPECT_TRUE(kv().put(std::string(255, 'n'), "k", "v").ok());
}

TEST_P(KvConformance, ConcurrentWritersFromThreads) {
  constexpr int kThreads = 8, kOps = 100;
  std::atomic<int> failures{0};
  std::vector<std::atomic<int>> first(kOps);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        auto a = kv().append("conc", "shared", "x");
        auto p = kv().put("conc", "race" + std::to_string(i), std::to_string(t));
        auto own = kv().put("conc", "t" + std::to_string(t) + "-" + std::to_string(i), "v");
        if (!a.ok() || !p.ok() || !own.ok()) ++failures;
        if (p.ok() && *p) ++first[i];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(get("conc", "shared")->size(), size_t{kThreads * kOps});  // appends are atomic
  for (int i = 0; i < kOps; ++i) EXPECT_EQ(first[i].load(), 1) << "race" << i << ": exactly one writer saw it absent";
  EXPECT_EQ(sorted_keys("conc").size(), size_t{1 + kOps + kThreads * kOps});
}

TEST_P(KvConformance, ConcurrentAppendsPastTheLimitFailAlone) {
  // Writers racing to fill a 100-byte value: exactly ten 10-byte appends
  // fit; the rest fail without disturbing the writes around them.
  KvLimits small;
  small.max_value_bytes = 100;
  reopen(small);
  constexpr int kThreads = 8, kOps = 5;
  std::atomic<int> appended{0}, refused{0}, other_failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        auto a = kv().append("fill", "v", "0123456789");
        if (a.ok()) ++appended;
        else if (a.error().code() == ErrorCode::LimitExceeded) ++refused;
        if (!kv().put("fill", "side" + std::to_string(t) + "-" + std::to_string(i), "x").ok()) ++other_failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(appended.load(), 10);
  EXPECT_EQ(refused.load(), kThreads * kOps - 10);
  EXPECT_EQ(other_failures.load(), 0);
  std::string full;
  for (int i = 0; i < 10; ++i) full += "0123456789";
  EXPECT_EQ(get("fill", "v"), full);
  EXPECT_EQ(sorted_keys("fill").size(), size_t{1 + kThreads * kOps});
}

TEST_P(KvConformance, AcknowledgedWriteSurvivesKill9) {
  store_.reset();  // the child opens its own store (LMDB forbids sharing an env across fork)
  int ack[2];
  ASSERT_EQ(pipe(ack), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto s = open_kv(spec_);
    if (!s.ok() || !(*s)->put("durable", "k", "acknowledged").ok()) _exit(1);
    (void)!write(ack[1], "y", 1);
    for (;;) pause();
  }
  close(ack[1]);
  char c = 0;
  ASSERT_EQ(read(ack[0], &c, 1), 1) << "the child failed to write";
  close(ack[0]);
  kill(child, SIGKILL);
  int status;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  reopen();
  EXPECT_EQ(get("durable", "k"), "acknowledged");
}

TEST_P(KvConformance, DescribeNamesTheStore) {
  EXPECT_EQ(kv().describe(), GetParam() == "redis" ? spec_ : spec_);
}

INSTANTIATE_TEST_SUITE_P(Backends, KvConformance, ::testing::Values("lmdb", "redis"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vivarium::kv
