#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "server/serve_options.h"

namespace vivarium::server {
namespace {

using namespace std::chrono_literals;

struct Parsed {
  ServeOptions o;
  std::string error;
};

Parsed parse(std::vector<std::string> args) {
  Parsed p;
  CLI::App app{"test", "vivarium serve"};
  add_serve_options(app, p.o);
  std::vector<char*> argv{const_cast<char*>("serve")};
  for (auto& a : args) argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    if (auto r = finish_serve_options(p.o); !r.ok()) p.error = r.error().message();
  } catch (const CLI::ParseError& e) {
    p.error = e.what();
  }
  return p;
}

std::string write_toml(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("viv-serve-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(ServeOptions, Defaults) {
  auto p = parse({});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.o.listen, std::vector<std::string>{"127.0.0.1:8080"});
  EXPECT_EQ(p.o.admin, "127.0.0.1:8081");
  EXPECT_EQ(p.o.default_limits.guest.wall_time, 10s);
}

TEST(ServeOptions, FlagsAndLimits) {
  auto p = parse({"--listen", "0.0.0.0:80", "--listen", "[::1]:81", "--domain", "edge.test", "--limit-wall-time",
                  "3s", "--limit-memory", "32MiB", "--access-log", "json"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.o.listen.size(), 2u);
  EXPECT_EQ(p.o.default_limits.guest.wall_time, 3s);
  EXPECT_EQ(p.o.default_limits.guest.max_memory_bytes, 32u << 20);
  EXPECT_NE(parse({"--limit-wall-time", "later"}).error.find("--limit-wall-time"), std::string::npos);
  EXPECT_NE(parse({"--listen", "nope"}).error.find("--listen"), std::string::npos);
  EXPECT_NE(parse({"--listen", "tls://0.0.0.0:443"}).error.find("--tls-cert"), std::string::npos);
  EXPECT_NE(parse({"--access-log", "xml"}).error, "");
  EXPECT_NE(parse({"--max-body", "huge"}).error.find("--max-body"), std::string::npos);
}

TEST(ServeOptions, TomlConfigIsTheSameKeys) {
  std::string path = write_toml(
      "listen = [\"127.0.0.1:9000\", \"127.0.0.1:9001\"]\n"
      "domain = \"edge.test\"\n"
      "data = \"/tmp/vivdata\"\n"
      "threads = 3\n"
      "metrics-public = true\n"
      "[limits]\n"
      "wall-time = \"4s\"\n"
      "fuel = 1000\n");
  auto p = parse({"--config", path, "--data", "/tmp/override"});
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.o.listen, (std::vector<std::string>{"127.0.0.1:9000", "127.0.0.1:9001"}));
  EXPECT_EQ(p.o.domains, std::vector<std::string>{"edge.test"});
  EXPECT_EQ(p.o.data_dir, "/tmp/override");  // flags win
  EXPECT_EQ(p.o.threads, 3u);
  EXPECT_TRUE(p.o.metrics_public);
  EXPECT_EQ(p.o.default_limits.guest.wall_time, 4s);
  EXPECT_EQ(p.o.default_limits.guest.fuel, 1000u);
  std::filesystem::remove(path);
}

TEST(ServeOptions, TomlErrorsAreNamed) {
  std::string path = write_toml("listen = [\n");
  EXPECT_NE(parse({"--config", path}).error.find("line"), std::string::npos);
  path = write_toml("colour = \"blue\"\n");
  EXPECT_NE(parse({"--config", path}).error.find("colour"), std::string::npos);
  path = write_toml("[server]\nx = 1\n");
  EXPECT_NE(parse({"--config", path}).error.find("[server]"), std::string::npos);
  path = write_toml("[limits]\nspeed = \"1\"\n");
  EXPECT_NE(parse({"--config", path}).error.find("speed"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(ListenSpecs, Forms) {
  auto a = parse_listen("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_FALSE(a->tls);
  auto b = parse_listen("tls://[::]:443");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::");
  EXPECT_TRUE(b->tls);
  EXPECT_EQ(parse_listen(":0")->host, "0.0.0.0");
  EXPECT_FALSE(parse_listen("host").ok());
  EXPECT_FALSE(parse_listen("host:99999").ok());
  EXPECT_FALSE(parse_listen("host:8x").ok());
}

}  // namespace
}  // namespace vivarium::server
