#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "fakes.h"
#include "server/deployments.h"
#include "server/manifest_json.h"

namespace vivarium::server {
namespace {

using namespace std::chrono_literals;
using testing::fake_prepare;
using testing::kHello2Wat;
using testing::kHelloWat;
using testing::MemoryKv;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int n = 0;
    path = std::filesystem::temp_directory_path() /
           ("viv-reg-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

DeploySpec spec(const std::string& name, std::chrono::milliseconds ttl = 0ms) {
  DeploySpec s;
  s.name = name;
  s.ttl = ttl;
  return s;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = open_dir_store(dir.path.string());
    ASSERT_TRUE(s.ok());
    store = std::move(s).value();
  }
  std::unique_ptr<Deployments> make(DeploymentStore& st) {
    Deployments::Options o;
    o.now_ms = [this] { return now.load(); };
    o.on_change = [this](const Manifest& m, std::string_view event) {
      std::lock_guard l(events_mutex);
      events.push_back(std::string(event) + ":" + m.spec.name);
    };
    return std::make_unique<Deployments>(st, &kv, fake_prepare(), o);
  }
  TempDir dir;
  MemoryKv kv;
  std::unique_ptr<DeploymentStore> store;
  std::atomic<int64_t> now{1'700'000'000'000};
  std::mutex events_mutex;
  std::vector<std::string> events;
};

TEST_F(RegistryTest, DeployFindRemove) {
  auto reg = make(*store);
  auto d = reg->deploy(spec("hello"), kHelloWat);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ((*d)->manifest.format, SourceFormat::Wat);
  EXPECT_EQ((*d)->manifest.module_size, std::string(kHelloWat).size());
  EXPECT_EQ(reg->find("hello"), *d);
  EXPECT_EQ(reg->find("other"), nullptr);
  ASSERT_EQ(reg->list().size(), 1u);
  ASSERT_TRUE(kv.put("hello", "k", "v").ok());
  auto removed = reg->remove("hello");
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  EXPECT_EQ(reg->find("hello"), nullptr);
  EXPECT_EQ(kv.count("hello"), 0u);  // undeploy drops the KV namespace
  EXPECT_FALSE(*reg->remove("hello"));
  EXPECT_EQ(events, (std::vector<std::string>{"deployed:hello", "removed:hello"}));
}

TEST_F(RegistryTest, InvalidUploadsChangeNothingAndSayWhere) {
  auto reg = make(*store);
  ASSERT_TRUE(reg->deploy(spec("hello"), kHelloWat).ok());
  auto bad_text = reg->deploy(spec("hello"), "(module\n  (func (export \"run\") (blah)))");
  ASSERT_FALSE(bad_text.ok());
  EXPECT_EQ(bad_text.error().where().line, 2u);
  EXPECT_GT(bad_text.error().where().column, 0u);
  auto bad_binary = reg->deploy(spec("hello"), std::string("\0asm\1\0\0\0\x01\x05", 10));
  ASSERT_FALSE(bad_binary.ok());
  EXPECT_NE(bad_binary.error().where().offset, Location::kNone);
  auto no_run = reg->deploy(spec("hello"), "(module)");
  ASSERT_FALSE(no_run.ok());
  EXPECT_NE(no_run.error().message().find("run"), std::string::npos);
  EXPECT_FALSE(reg->deploy(spec("Bad_Name"), kHelloWat).ok());
  EXPECT_FALSE(reg->deploy(spec("empty"), "").ok());
  EXPECT_EQ(reg->list().size(), 1u);
  EXPECT_EQ(reg->find("hello")->manifest.module_size, std::string(kHelloWat).size());
}

TEST_F(RegistryTest, RedeploySwapsAtomicallyUnderConcurrentLookups) {
  auto reg = make(*store);
  ASSERT_TRUE(reg->deploy(spec("hello"), kHelloWat).ok());
  auto held = reg->find("hello");  // a request in flight on the old version
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> misses{0}, lookups{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t)
    readers.emplace_back([&] {
      while (!stop) {
        auto d = reg->find("hello");
        if (!d || d->manifest.spec.name != "hello") misses++;
        lookups++;
        std::this_thread::yield();
      }
    });
  while (lookups.load() < 2) std::this_thread::yield();  // the readers are running
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(reg->deploy(spec("hello"), i % 2 ? kHelloWat : kHello2Wat).ok());
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(misses.load(), 0u);
  EXPECT_GT(lookups.load(), 0u);
  EXPECT_NE(reg->find("hello")->manifest.version, held->manifest.version);
  EXPECT_EQ(held->manifest.module_size, std::string(kHelloWat).size());  // still whole
}

TEST_F(RegistryTest, TtlExpiryRemovesDeploymentAndItsKv) {
  auto reg = make(*store);
  ASSERT_TRUE(reg->deploy(spec("brief", 5min), kHelloWat).ok());
  ASSERT_TRUE(reg->deploy(spec("stays"), kHelloWat).ok());
  ASSERT_TRUE(kv.put("brief", "k", "v").ok());
  ASSERT_TRUE(kv.put("stays", "k", "v").ok());
  now += (5min - 1ms).count();
  EXPECT_EQ(reg->expire(), 0u);
  EXPECT_NE(reg->find("brief"), nullptr);
  now += 1;
  EXPECT_EQ(reg->find("brief"), nullptr);  // gone for clients before the reaper runs
  EXPECT_EQ(reg->list().size(), 1u);
  EXPECT_EQ(reg->expire(), 1u);
  EXPECT_EQ(kv.count("brief"), 0u);
  EXPECT_EQ(kv.count("stays"), 1u);
  EXPECT_EQ(reg->list().size(), 1u);
  auto fresh = make(*store);  // and it stays gone after a restart
  ASSERT_TRUE(fresh->sync().ok());
  EXPECT_EQ(fresh->find("brief"), nullptr);
  EXPECT_NE(fresh->find("stays"), nullptr);
}

TEST_F(RegistryTest, ExpiredWhileNoNodeRanIsReapedOnLoad) {
  {
    auto reg = make(*store);
    ASSERT_TRUE(reg->deploy(spec("brief", 1min), kHelloWat).ok());
  }
  ASSERT_TRUE(kv.put("brief", "k", "v").ok());
  now += 61'000;
  auto reg = make(*store);
  ASSERT_TRUE(reg->sync().ok());
  EXPECT_EQ(reg->find("brief"), nullptr);
  EXPECT_TRUE(reg->list().empty());
  EXPECT_EQ(kv.count("brief"), 0u);
  EXPECT_TRUE(store->list()->empty());
  EXPECT_EQ(events.back(), "expired:brief");
}

TEST_F(RegistryTest, RedeployResetsTheTtl) {
  auto reg = make(*store);
  ASSERT_TRUE(reg->deploy(spec("app", 1min), kHelloWat).ok());
  now += 50'000;
  ASSERT_TRUE(reg->deploy(spec("app", 1min), kHello2Wat).ok());
  now += 50'000;
  EXPECT_EQ(reg->expire(), 0u);
  EXPECT_NE(reg->find("app"), nullptr);
}

TEST_F(RegistryTest, DirectoryStoreSurvivesARestart) {
  DeploySpec s = spec("persist", 1h);
  s.allow_hosts = {"example.com:443"};
  ASSERT_TRUE(set_limit(s.limits, "wall-time", "3s").ok());
  std::string version;
  {
    auto reg = make(*store);
    auto d = reg->deploy(s, kHelloWat);
    ASSERT_TRUE(d.ok()) << d.error().to_string();
    version = (*d)->manifest.version;
  }
  auto reopened = open_dir_store(dir.path.string());
  ASSERT_TRUE(reopened.ok());
  auto reg = make(**reopened);
  ASSERT_TRUE(reg->sync().ok());
  auto d = reg->find("persist");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->manifest.version, version);
  EXPECT_EQ(d->manifest.spec.allow_hosts, s.allow_hosts);
  EXPECT_EQ(d->manifest.spec.limits.guest.wall_time, 3s);
  EXPECT_EQ(d->manifest.spec.ttl, 1h);
  // One manifest and one module file: the old version's module is gone.
  ASSERT_TRUE(reg->deploy(s, kHello2Wat).ok());
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path / "deployments")) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 2u);
}

TEST_F(RegistryTest, DamagedManifestIsSkippedNotFatal) {
  auto reg = make(*store);
  ASSERT_TRUE(reg->deploy(spec("good"), kHelloWat).ok());
  std::ofstream(dir.path / "deployments" / "broken.json") << "{not json";
  auto fresh = make(*store);
  ASSERT_TRUE(fresh->sync().ok());
  EXPECT_NE(fresh->find("good"), nullptr);
  EXPECT_EQ(fresh->list().size(), 1u);
}

TEST_F(RegistryTest, AModuleThatNoLongerBuildsIsSkipped) {
  auto reg = make(*store);
  auto bad = reg->deploy(spec("bad"), kHelloWat);
  ASSERT_TRUE(bad.ok());
  ASSERT_TRUE(reg->deploy(spec("good"), kHelloWat).ok());
  auto path = dir.path / "deployments" / ("bad." + (*bad)->manifest.version + ".module");
  std::ofstream(path, std::ios::trunc) << std::string(std::string(kHelloWat).size(), '(');  // same size, broken
  auto fresh = make(*store);
  ASSERT_TRUE(fresh->sync().ok());
  ASSERT_TRUE(fresh->sync().ok());  // not retried: the same version stays skipped
  EXPECT_EQ(fresh->find("bad"), nullptr);
  EXPECT_NE(fresh->find("good"), nullptr);
  ASSERT_TRUE(reg->deploy(spec("bad"), kHello2Wat).ok());  // a new version is tried again
  ASSERT_TRUE(fresh->sync().ok());
  EXPECT_NE(fresh->find("bad"), nullptr);
}

TEST_F(RegistryTest, NodesSharingAKvStoreSeeEachOthersDeployments) {
  MemoryKv shared(1024);  // 1 KiB values: the modules below are stored in chunks
  std::string big1 = std::string(kHelloWat) + "\n;; " + std::string(3000, 'x');   // 3 chunks
  std::string big2 = std::string(kHello2Wat) + "\n;; " + std::string(4000, 'x');  // 4 chunks
  auto store_a = kv_deployment_store(shared);
  auto store_b = kv_deployment_store(shared);
  auto a = make(*store_a);
  auto b = make(*store_b);
  auto d = a->deploy(spec("shared", 10min), big1);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(b->find("shared"), nullptr);
  ASSERT_TRUE(b->sync().ok());
  ASSERT_NE(b->find("shared"), nullptr);
  EXPECT_EQ(b->find("shared")->manifest.version, (*d)->manifest.version);
  // Redeploy on b reaches a; old chunks are removed.
  size_t keys_before = shared.count(kDeploymentsNamespace);
  ASSERT_TRUE(b->deploy(spec("shared", 10min), big2).ok());
  ASSERT_TRUE(a->sync().ok());
  EXPECT_EQ(a->find("shared")->manifest.module_size, big2.size());
  EXPECT_EQ(a->find("shared")->manifest.version, b->find("shared")->manifest.version);
  EXPECT_EQ(shared.count(kDeploymentsNamespace), keys_before + 1);  // one chunk longer
  // Undeploy on a reaches b.
  ASSERT_TRUE(*a->remove("shared"));
  ASSERT_TRUE(b->sync().ok());
  EXPECT_EQ(b->find("shared"), nullptr);
  EXPECT_EQ(shared.count(kDeploymentsNamespace), 0u);
}

TEST_F(RegistryTest, UnreferencedChunksAreCollectedAfterTheirGrace) {
  MemoryKv shared;
  auto st = kv_deployment_store(shared);
  auto reg = make(*st);
  auto d = reg->deploy(spec("app"), kHelloWat);
  ASSERT_TRUE(d.ok());
  char old_version[64], young_version[64];
  std::snprintf(old_version, sizeof old_version, "%011llx-1", static_cast<unsigned long long>(now.load() - 700'000));
  std::snprintf(young_version, sizeof young_version, "%011llx-2", static_cast<unsigned long long>(now.load() - 1'000));
  ASSERT_TRUE(shared.put(kDeploymentsNamespace, std::string("c/app/") + old_version + "/0", "x").ok());
  ASSERT_TRUE(shared.put(kDeploymentsNamespace, std::string("c/app/") + young_version + "/0", "x").ok());
  size_t before = shared.count(kDeploymentsNamespace);
  EXPECT_EQ(st->collect_garbage(now.load(), std::chrono::minutes(10)), 1u);  // only the old orphan
  EXPECT_EQ(shared.count(kDeploymentsNamespace), before - 1);
  auto fresh = make(*st);  // the live version is intact
  ASSERT_TRUE(fresh->sync().ok());
  EXPECT_EQ(fresh->find("app")->manifest.version, (*d)->manifest.version);
}

TEST_F(RegistryTest, ExpiryOnOneNodeSparesANewerVersion) {
  MemoryKv shared;
  auto store_a = kv_deployment_store(shared);
  auto store_b = kv_deployment_store(shared);
  auto a = make(*store_a);
  auto b = make(*store_b);
  ASSERT_TRUE(a->deploy(spec("app", 1min), kHelloWat).ok());
  ASSERT_TRUE(b->sync().ok());
  now += 59'000;
  ASSERT_TRUE(b->deploy(spec("app", 1min), kHello2Wat).ok());  // b redeploys just in time
  ASSERT_TRUE(shared.put("app", "k", "v").ok());
  now += 2'000;
  EXPECT_EQ(a->expire(), 1u);  // a's copy expired, but the store holds b's version
  EXPECT_EQ(shared.count("app"), 1u);
  ASSERT_TRUE(a->sync().ok());
  EXPECT_NE(a->find("app"), nullptr);
}

TEST_F(RegistryTest, BackgroundThreadSyncs) {
  MemoryKv shared;
  auto store_a = kv_deployment_store(shared);
  auto store_b = kv_deployment_store(shared);
  Deployments::Options o;
  o.sync_interval = 10ms;
  Deployments a(*store_a, &shared, fake_prepare(), o), b(*store_b, &shared, fake_prepare(), o);
  b.start();
  ASSERT_TRUE(a.deploy(spec("bg"), kHelloWat).ok());
  for (int i = 0; i < 500 && !b.find("bg"); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_NE(b.find("bg"), nullptr);
  b.stop();
}

TEST(Manifest, JsonRoundTripAndDamage) {
  Manifest m;
  m.spec.name = "x";
  m.spec.ttl = std::chrono::minutes(5);
  m.spec.allow_hosts = {"a.com", "10.0.0.0/8:80"};
  m.version = "v1";
  m.created_ms = 1;
  m.expires_ms = 300001;
  m.format = SourceFormat::Wasm;
  m.module_size = 42;
  ASSERT_TRUE(set_limit(m.spec.limits, "fuel", "77").ok());
  auto back = manifest_from_json(manifest_to_json(m).dump());
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(manifest_to_json(*back), manifest_to_json(m));
  EXPECT_FALSE(manifest_from_json("[]").ok());
  EXPECT_NE(manifest_from_json("{\"name\":\"x\"}").error().message().find("deployment manifest"), std::string::npos);
  auto j = manifest_to_json(m);
  j["name"] = "Bad";
  EXPECT_FALSE(manifest_from_json(j.dump()).ok());
  j = manifest_to_json(m);
  j["limits"]["fuel"] = "lots";
  EXPECT_FALSE(manifest_from_json(j.dump()).ok());
}

}  // namespace
}  // namespace vivarium::server
