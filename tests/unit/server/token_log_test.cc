#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "server/admin_token.h"
#include "server/log_ring.h"

namespace vivarium::server {
namespace {

TEST(AdminToken, ConstantTimeCompareIsExact) {
  EXPECT_TRUE(tokens_equal("abc", "abc"));
  EXPECT_FALSE(tokens_equal("abc", "abd"));
  EXPECT_FALSE(tokens_equal("abc", "ab"));
  EXPECT_FALSE(tokens_equal("", "a"));
}

TEST(AdminToken, BearerHeader) {
  EXPECT_TRUE(bearer_matches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(bearer_matches("bearer   s3cret ", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(bearer_matches("Basic s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer ", ""));
}

TEST(AdminToken, FileIsCreatedPrivateThenRead) {
  auto dir = std::filesystem::temp_directory_path() / ("viv-token-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "token").string();
  std::filesystem::remove(path);
  EXPECT_FALSE(load_admin_token(path, false).ok());
  auto created = load_admin_token(path, true);
  ASSERT_TRUE(created.ok()) << created.error().message();
  EXPECT_EQ(created->size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = load_admin_token(path, true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *created);
  std::ofstream(path) << "  spaced-token  \nsecond line\n";
  EXPECT_EQ(*load_admin_token(path, false), "spaced-token");
  std::ofstream(path) << "\n";
  EXPECT_NE(load_admin_token(path, false).error().message().find("empty"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(LogRing, KeepsTheNewestLinesPerDeployment) {
  LogRing ring(3, 10);
  for (int i = 0; i < 5; ++i) ring.add("a", "debug", "r" + std::to_string(i), "line " + std::to_string(i));
  ring.add("b", "info", "", "other");
  auto lines = ring.recent("a");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "line 2");
  EXPECT_EQ(lines[2].request_id, "r4");
  auto since = ring.recent("a", lines[1].seq);
  ASSERT_EQ(since.size(), 1u);
  EXPECT_EQ(since[0].text, "line 4");
  EXPECT_EQ(ring.recent("a", 0, 1).back().text, "line 4");
  ring.add("a", "debug", "", std::string(100, 'x'));
  EXPECT_NE(ring.recent("a").back().text.find("[truncated]"), std::string::npos);
  ring.drop("a");
  EXPECT_TRUE(ring.recent("a").empty());
  EXPECT_EQ(ring.recent("b").size(), 1u);
}

}  // namespace
}  // namespace vivarium::server
