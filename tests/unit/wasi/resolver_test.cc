// The resolver's promise, checked for both implementations (kernel openat2
// and the component walk): everything beneath the directory resolves, nothing
// outside does, and each refusal carries the witx errno.
#include "host/wasi/resolver.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <stdio.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "host/wasi/path_ops.h"
#include "tests/unit/wasi/sandbox_fixture.h"

namespace vivarium::wasi {
namespace {

using testing::Sandbox;

class ResolverTest : public ::testing::TestWithParam<ResolveMode> {
 protected:
  void SetUp() override {
    if (GetParam() == ResolveMode::Openat2 && !Resolver::kernel_has_openat2()) GTEST_SKIP() << "no openat2";
  }
  Resolver r{GetParam()};
  Sandbox sb;

  Errno open_err(const std::string& path, bool follow = true, int flags = O_RDONLY) {
    return r.open(sb.root_fd(), path, flags, 0644, follow).error();
  }
  std::string read(const std::string& path, bool follow = true) {
    auto fd = r.open(sb.root_fd(), path, O_RDONLY, 0, follow);
    EXPECT_TRUE(fd.ok()) << path << " errno " << static_cast<int>(fd.error());
    return fd.ok() ? Sandbox::read_fd(fd->get()) : std::string();
  }
};

TEST_P(ResolverTest, OpensPathsBeneath) {
  EXPECT_EQ(read("file"), "hello");
  EXPECT_EQ(read("./file"), "hello");
  EXPECT_EQ(read("dir/inner"), "inner");
  EXPECT_EQ(read("dir/../file"), "hello");
  EXPECT_EQ(read("dir//inner"), "inner");
  EXPECT_EQ(read("dir/up/file"), "hello");      // symlink to .. that stays inside
  EXPECT_EQ(read("link_file"), "hello");
  EXPECT_EQ(read("link_dir/inner"), "inner");
  EXPECT_EQ(read("link_dir/up/link_dir/inner"), "inner");
}

TEST_P(ResolverTest, RefusesEscapes) {
  EXPECT_EQ(open_err(".."), Errno::NotCapable);
  EXPECT_EQ(open_err("../outside/secret"), Errno::NotCapable);
  EXPECT_EQ(open_err("dir/../../outside/secret"), Errno::NotCapable);
  EXPECT_EQ(open_err("dir/up/.."), Errno::NotCapable);
  EXPECT_EQ(open_err("/etc/passwd"), Errno::NotCapable);
  EXPECT_EQ(open_err(sb.base().string() + "/outside/secret"), Errno::NotCapable);
  EXPECT_EQ(open_err("abs"), Errno::NotCapable);
  EXPECT_EQ(open_err("escape"), Errno::NotCapable);
  EXPECT_EQ(open_err("dir/escape2/secret"), Errno::NotCapable);
  EXPECT_EQ(open_err("link_dir/escape2/secret"), Errno::NotCapable);
}

TEST_P(ResolverTest, EscapingCreateChangesNothingOutside) {
  // O_CREAT through a symlink pointing outside must not create the target.
  std::filesystem::create_symlink("../outside/created", sb.base() / "root/mk");
  EXPECT_EQ(open_err("mk", true, O_WRONLY | O_CREAT), Errno::NotCapable);
  EXPECT_EQ(open_err("../outside/created2", true, O_WRONLY | O_CREAT), Errno::NotCapable);
  EXPECT_FALSE(std::filesystem::exists(sb.base() / "outside/created"));
  EXPECT_FALSE(std::filesystem::exists(sb.base() / "outside/created2"));
}

TEST_P(ResolverTest, SymlinkLoopsAndNofollow) {
  EXPECT_EQ(open_err("loop1"), Errno::Loop);
  EXPECT_EQ(open_err("loop1/x"), Errno::Loop);
  EXPECT_EQ(open_err("link_file", /*follow=*/false), Errno::Loop);
  EXPECT_EQ(open_err("dangling"), Errno::NoEnt);
  // Without following, O_PATH gets the link itself.
  auto fd = r.open(sb.root_fd(), "abs", O_PATH, 0, false);
  ASSERT_TRUE(fd.ok());
  struct stat st;
  ASSERT_EQ(::fstat(fd->get(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

// Regression: the walk followed a dangling final symlink under
// O_CREAT|O_EXCL and created its target; POSIX (and openat2) say EEXIST.
TEST_P(ResolverTest, ExclusiveCreateDoesNotFollowTheFinalLink) {
  EXPECT_EQ(open_err("dangling", true, O_WRONLY | O_CREAT | O_EXCL), Errno::Exist);
  EXPECT_FALSE(std::filesystem::exists(sb.base() / "root/nowhere"));
}

TEST_P(ResolverTest, OtherErrors) {
  EXPECT_EQ(open_err(""), Errno::NoEnt);
  EXPECT_EQ(open_err("missing"), Errno::NoEnt);
  EXPECT_EQ(open_err("file/x"), Errno::NotDir);
  EXPECT_EQ(open_err("file/"), Errno::NotDir);
  EXPECT_EQ(open_err("dir", true, O_WRONLY), Errno::IsDir);
}

// "././/file" padded to exactly n bytes (n odd, n >= 7): it names "file".
std::string padded_path(size_t n) {
  std::string p;
  for (size_t i = 0; i < (n - 5) / 2; ++i) p += "./";
  return p + "/file";
}

// Regression (issue 10): the walk split a path into components before its
// length was looked at, so a 256 MiB path cost gigabytes. Both resolvers
// answer NAMETOOLONG past kMaxPathBytes, for open and for parent; a path of
// exactly the limit still resolves.
TEST_P(ResolverTest, PathsLongerThanPathMaxAreNameTooLong) {
  ASSERT_EQ(kMaxPathBytes % 2, 1u);
  ASSERT_EQ(padded_path(kMaxPathBytes).size(), kMaxPathBytes);
  EXPECT_EQ(read(padded_path(kMaxPathBytes)), "hello");
  EXPECT_EQ(open_err(padded_path(kMaxPathBytes + 2)), Errno::NameTooLong);
  EXPECT_EQ(open_err(std::string(kMaxPathBytes + 1, '/')), Errno::NameTooLong);  // before "absolute"
  EXPECT_EQ(open_err(std::string(64u << 20, '.') + "/file"), Errno::NameTooLong);
  EXPECT_TRUE(r.parent(sb.root_fd(), padded_path(kMaxPathBytes)).ok());
  EXPECT_EQ(r.parent(sb.root_fd(), padded_path(kMaxPathBytes + 2)).error(), Errno::NameTooLong);
}

// Regression: O_DIRECTORY shares its bit with O_TMPFILE, and openat2 refused
// the mode we then passed along (EINVAL for every directory open).
TEST_P(ResolverTest, ODirectoryOpensWithoutAMode) {
  auto d = r.open(sb.root_fd(), "dir", O_RDONLY | O_DIRECTORY, 0666, true);
  EXPECT_TRUE(d.ok()) << static_cast<int>(d.error());
  EXPECT_EQ(open_err("file", true, O_RDONLY | O_DIRECTORY), Errno::NotDir);
  EXPECT_EQ(open_err("dir/../../outside", true, O_RDONLY | O_DIRECTORY), Errno::NotCapable);
}

TEST_P(ResolverTest, ParentSplitsTheLastComponent) {
  auto p = r.parent(sb.root_fd(), "dir/inner");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "inner");
  EXPECT_FALSE(p->trailing_slash);
  struct stat st;
  EXPECT_EQ(::fstatat(p->fd, p->name.c_str(), &st, 0), 0);

  auto q = r.parent(sb.root_fd(), "newdir//");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->name, "newdir");
  EXPECT_TRUE(q->trailing_slash);
  EXPECT_EQ(q->fd, sb.root_fd());

  // ".." as the last component names the directory itself, never the outside.
  auto d = r.parent(sb.root_fd(), "dir/..");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, ".");
  EXPECT_EQ(r.parent(sb.root_fd(), "..").error(), Errno::NotCapable);
  EXPECT_EQ(r.parent(sb.root_fd(), "dir/escape2/x").error(), Errno::NotCapable);
  EXPECT_EQ(r.parent(sb.root_fd(), "/x").error(), Errno::NotCapable);
}

TEST_P(ResolverTest, ParentFollowingChasesFinalLinksBeneath) {
  auto p = parent_following(r, sb.root_fd(), "link_file");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "file");
  EXPECT_EQ(parent_following(r, sb.root_fd(), "escape").error(), Errno::NotCapable);
  EXPECT_EQ(parent_following(r, sb.root_fd(), "abs").error(), Errno::NotCapable);
  EXPECT_EQ(parent_following(r, sb.root_fd(), "loop1").error(), Errno::Loop);
}

TEST_P(ResolverTest, StatBeneath) {
  auto st = stat_beneath(r, sb.root_fd(), "link_file", false);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(S_ISLNK(st->st_mode));
  st = stat_beneath(r, sb.root_fd(), "link_file", true);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(S_ISREG(st->st_mode));
  EXPECT_EQ(stat_beneath(r, sb.root_fd(), "escape", true).error(), Errno::NotCapable);
  EXPECT_EQ(stat_beneath(r, sb.root_fd(), "dir/escape2/", false).error(), Errno::NotCapable);
  EXPECT_EQ(stat_beneath(r, sb.root_fd(), "..", false).error(), Errno::NotCapable);
}

// A directory swapped with an escaping symlink while the guest resolves
// through it: every open must see either the real directory or a refusal,
// never the file outside.
TEST_P(ResolverTest, SwappingADirectoryForAnEscapingLinkNeverEscapes) {
  namespace fs = std::filesystem;
  fs::create_directory(sb.base() / "root/swap");
  Sandbox::write(sb.base() / "root/swap/f", "inside");
  Sandbox::write(sb.base() / "outside/f", "secret");
  fs::create_directory_symlink("../outside", sb.base() / "root/evil");
  std::atomic<bool> stop{false};
  std::atomic<int> flips{0};
  std::thread flipper([&] {
    while (!stop)
      if (::renameat2(sb.root_fd(), "swap", sb.root_fd(), "evil", RENAME_EXCHANGE) == 0) ++flips;
  });
  int inside = 0, refused = 0;
  for (int i = 0; i < 3000; ++i) {
    auto fd = r.open(sb.root_fd(), "swap/f", O_RDONLY, 0, true);
    if (fd.ok()) {
      std::string got = Sandbox::read_fd(fd->get());
      ASSERT_EQ(got, "inside") << "escaped on iteration " << i;
      ++inside;
    } else {
      ++refused;
    }
  }
  stop = true;
  flipper.join();
  EXPECT_EQ(inside + refused, 3000);
  EXPECT_GT(flips.load(), 0) << "the file system cannot exchange names; the race was not exercised";
}

INSTANTIATE_TEST_SUITE_P(BothResolvers, ResolverTest, ::testing::Values(ResolveMode::Openat2, ResolveMode::Walk),
                         [](const auto& p) { return p.param == ResolveMode::Walk ? "Walk" : "Openat2"; });

}  // namespace
}  // namespace vivarium::wasi
