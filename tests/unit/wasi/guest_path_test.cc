#include "host/wasi/guest_path.h"

#include <gtest/gtest.h>

#include "host/wasi/guest_memory.h"
#include "host/wasi/resolver.h"

namespace vivarium::wasi {
namespace {

TEST(GuestPath, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain/ascii.txt"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9"));               // é
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));          // U+1F600
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));                     // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                 // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));             // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));         // > U+10FFFF
}

TEST(GuestPath, Errnos) {
  EXPECT_EQ(checked_guest_path("a\xff").error(), Errno::Ilseq);
  EXPECT_EQ(checked_guest_path(std::string_view("a\0b", 3)).error(), Errno::Inval);
  EXPECT_TRUE(checked_guest_path("a/b").ok());
  // Length first (issue 10): a path past the limit is NAMETOOLONG even when
  // its bytes are also bad, so nothing scans or copies it.
  EXPECT_TRUE(checked_guest_path(std::string(kMaxPathBytes, 'a')).ok());
  EXPECT_EQ(checked_guest_path(std::string(kMaxPathBytes + 1, 'a')).error(), Errno::NameTooLong);
  EXPECT_EQ(checked_guest_path(std::string(kMaxPathBytes + 1, '\xff')).error(), Errno::NameTooLong);
}

TEST(GuestMemory, IovecsAreBoundsChecked) {
  std::vector<uint8_t> mem(64, 0);
  MemoryView v(mem.data(), mem.size());
  auto put_iov = [&](uint32_t at, uint32_t buf, uint32_t len) {
    ASSERT_TRUE(v.store<uint32_t>(at, buf));
    ASSERT_TRUE(v.store<uint32_t>(at + 4, len));
  };
  put_iov(0, 32, 16);
  put_iov(8, 48, 16);
  auto ok = guest_iovecs(v, 0, 2);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 2u);
  EXPECT_EQ(ok->at(0).iov_base, mem.data() + 32);
  // A buffer running past the end, one whose end wraps past 2^32, and a list
  // that is itself out of bounds: all FAULT.
  put_iov(8, 48, 17);
  EXPECT_EQ(guest_iovecs(v, 0, 2).error(), Errno::Fault);
  put_iov(8, 0xFFFFFFF0u, 0x20);
  EXPECT_EQ(guest_iovecs(v, 0, 2).error(), Errno::Fault);
  EXPECT_EQ(guest_iovecs(v, 60, 1).error(), Errno::Fault);
  EXPECT_EQ(guest_iovecs(v, 0, 0x20000000u).error(), Errno::Fault);
  // Zero-length buffers anywhere in memory are fine and skipped.
  put_iov(8, 64, 0);
  auto z = guest_iovecs(v, 0, 2);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->size(), 1u);
}

TEST(GuestMemory, PathsAreBoundsCheckedAndValidated) {
  std::vector<uint8_t> mem(16, 'a');
  MemoryView v(mem.data(), mem.size());
  EXPECT_TRUE(guest_path(v, 0, 16).ok());
  EXPECT_EQ(guest_path(v, 8, 9).error(), Errno::Fault);
  EXPECT_EQ(guest_path(v, 0xFFFFFFFFu, 2).error(), Errno::Fault);
  mem[3] = 0xFE;
  EXPECT_EQ(guest_path(v, 0, 8).error(), Errno::Ilseq);
}

}  // namespace
}  // namespace vivarium::wasi
