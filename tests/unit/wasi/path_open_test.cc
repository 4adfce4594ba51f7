// path_open through the real ABI: what the guest is granted and what the host
// holds. A read-only preopen must never yield a writable host descriptor,
// whatever the flags (issue 10); a directory asked for with writing rights is
// EISDIR (wasi-testsuite's path_open_preopen).
#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "host/wasi/rights.h"
#include "host/wasi/wasi.h"
#include "tests/unit/wasi/sandbox_fixture.h"
#include "tests/unit/wasi/wasi_instance.h"
#include "vivarium/vivarium.h"

namespace vivarium::wasi {
namespace {

// open(dirfd, path at 0 .. len, oflags, base, fdflags) -> errno; the new fd at 4096.
constexpr const char* kWat = R"((module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "open") (param $dir i32) (param $len i32) (param $oflags i32) (param $base i64)
                        (param $fdflags i32) (result i32)
    (call $path_open (local.get $dir) (i32.const 0) (i32.const 0) (local.get $len) (local.get $oflags)
                     (local.get $base) (i64.const 0) (local.get $fdflags) (i32.const 4096)))
  (func (export "opened") (result i32) (i32.load (i32.const 4096)))
))";

class PathOpenTest : public ::testing::Test, protected testing::WasiInstance {
 protected:
  static constexpr Fd kRw = 3, kRo = 4;

  void SetUp() override {
    WasiConfig cfg;
    cfg.preopens.push_back({(sb.base() / "root").string(), "rw", false});
    cfg.preopens.push_back({(sb.base() / "root").string(), "ro", true});
    instantiate(cfg, kWat);
  }

  // path_open's errno; on success `fd` is the new guest fd.
  Errno open(Fd dir, const std::string& path, uint32_t oflags, Rights base, uint32_t fdflags, Fd* fd = nullptr) {
    auto mem = inst.memory("memory");
    std::memcpy(mem->view().bytes(0, path.size())->data(), path.data(), path.size());
    auto r = inst.call("open", std::vector<Value>{Value::i32(static_cast<int32_t>(dir)),
                                                  Value::i32(static_cast<int32_t>(path.size())),
                                                  Value::i32(static_cast<int32_t>(oflags)),
                                                  Value::i64(static_cast<int64_t>(base)),
                                                  Value::i32(static_cast<int32_t>(fdflags))});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    if (!r.ok()) return Errno::Inval;
    auto e = static_cast<Errno>((*r)[0].i32());
    if (e == Errno::Success && fd) *fd = static_cast<Fd>((*inst.call("opened", {}))[0].i32());
    return e;
  }
  // The access mode of the host descriptor behind a guest fd.
  int host_access_mode(Fd fd) {
    auto e = ctx->fds().get(fd);
    EXPECT_TRUE(e.ok());
    return e.ok() ? ::fcntl((*e)->host.get(), F_GETFL) & O_ACCMODE : -1;
  }

  testing::Sandbox sb;
};

TEST_F(PathOpenTest, AppendOnAReadOnlyPreopenOpensReadOnlyOnTheHost) {
  Fd fd = 0;
  ASSERT_EQ(open(kRo, "file", 0, right::FdRead, fdflag::Append, &fd), Errno::Success);
  EXPECT_EQ(host_access_mode(fd), O_RDONLY);
  EXPECT_EQ((*ctx->fds().get(fd))->base & right::FdWrite, 0u);
  // Every other flag too: the guest gets a read-only host fd or nothing.
  for (uint32_t fdflags : {0u, uint32_t{fdflag::Append}, uint32_t{fdflag::Append | fdflag::Sync},
                           uint32_t{fdflag::Dsync}, uint32_t{fdflag::Nonblock}}) {
    for (uint32_t oflags : {0u, uint32_t{oflag::Creat}, uint32_t{oflag::Trunc}, uint32_t{oflag::Creat | oflag::Excl},
                            uint32_t{oflag::Directory}}) {
      for (Rights base : {Rights{0}, right::FdRead, right::FdRead | right::FdWrite, right::FdAllocate,
                          right::FdFilestatSetSize, right::FdDatasync}) {
        for (const char* path : {"file", "dir", "newfile", "."}) {
          Fd got = 0;
          if (open(kRo, path, oflags, base, fdflags, &got) != Errno::Success) continue;
          EXPECT_EQ(host_access_mode(got), O_RDONLY) << path << " oflags " << oflags << " base " << base
                                                     << " fdflags " << fdflags;
          EXPECT_EQ(ctx->fds().close(got), Errno::Success);
        }
      }
    }
  }
  std::ifstream f(sb.base() / "root/file");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(f), {}), "hello");
}

TEST_F(PathOpenTest, WritingRightsOnAReadOnlyPreopenAreNotCapable) {
  EXPECT_EQ(open(kRo, "file", 0, right::FdWrite, 0), Errno::NotCapable);
  EXPECT_EQ(open(kRo, "file", oflag::Trunc, right::FdRead, 0), Errno::NotCapable);
  EXPECT_EQ(open(kRo, "new", oflag::Creat, right::FdRead, 0), Errno::NotCapable);
}

TEST_F(PathOpenTest, AppendWithoutWriteRightsKeepsTheHostFdReadOnly) {
  // On a writable preopen too: the guest asked for reading only.
  Fd fd = 0;
  ASSERT_EQ(open(kRw, "file", 0, right::FdRead, fdflag::Append, &fd), Errno::Success);
  EXPECT_EQ(host_access_mode(fd), O_RDONLY);
  ASSERT_EQ(open(kRw, "file", 0, right::FdRead | right::FdWrite, fdflag::Append, &fd), Errno::Success);
  EXPECT_EQ(host_access_mode(fd), O_RDWR);
}

TEST_F(PathOpenTest, DirectoryWithWritingRightsIsIsDir) {
  Fd fd = 0;
  EXPECT_EQ(open(kRw, ".", oflag::Directory, 0, 0, &fd), Errno::Success);
  EXPECT_EQ(open(kRw, ".", oflag::Directory, right::FdRead, 0, &fd), Errno::Success);
  EXPECT_EQ(open(kRw, ".", oflag::Directory, right::FdRead | right::FdWrite, 0), Errno::IsDir);
  EXPECT_EQ(open(kRw, "dir", oflag::Directory, right::FdWrite, 0), Errno::IsDir);
  EXPECT_EQ(open(kRw, "file", oflag::Directory, right::FdWrite, 0), Errno::NotDir);
  EXPECT_EQ(open(kRw, "newdir", oflag::Directory | oflag::Creat, right::FdRead, 0), Errno::Inval);
  EXPECT_FALSE(std::filesystem::exists(sb.base() / "root/newdir"));
}

}  // namespace
}  // namespace vivarium::wasi
