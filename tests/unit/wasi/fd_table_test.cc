#include "host/wasi/fd_table.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "host/wasi/errno_map.h"
#include "host/wasi/file_times.h"
#include "host/wasi/rights.h"

namespace vivarium::wasi {
namespace {

FdEntry entry(FileType t, Rights base) {
  FdEntry e;
  e.host.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  e.type = t;
  e.base = base;
  return e;
}

TEST(FdTable, LowestFreeNumberAndRights) {
  FdTable t;
  EXPECT_EQ(*t.insert(entry(FileType::RegularFile, right::FdRead)), 0u);
  EXPECT_EQ(*t.insert(entry(FileType::Directory, right::PathOpen)), 1u);
  EXPECT_EQ(*t.insert(entry(FileType::RegularFile, 0)), 2u);
  EXPECT_EQ(t.close(1), Errno::Success);
  EXPECT_EQ(*t.insert(entry(FileType::RegularFile, 0)), 1u);

  EXPECT_TRUE(t.get(0, right::FdRead).ok());
  EXPECT_EQ(t.get(0, right::FdWrite).error(), Errno::NotCapable);
  EXPECT_EQ(t.get(7).error(), Errno::Badf);
  EXPECT_EQ(t.get_dir(0, 0).error(), Errno::NotDir);
  EXPECT_EQ(t.close(7), Errno::Badf);
}

TEST(FdTable, Renumber) {
  FdTable t;
  t.insert_at(3, entry(FileType::Directory, right::PathOpen));
  t.insert_at(5, entry(FileType::RegularFile, right::FdRead));
  EXPECT_EQ(t.renumber(5, 9), Errno::Badf);  // target must be open
  EXPECT_EQ(t.renumber(9, 3), Errno::Badf);
  EXPECT_EQ(t.renumber(5, 3), Errno::Success);
  EXPECT_FALSE(t.contains(5));
  EXPECT_EQ((*t.get(3))->type, FileType::RegularFile);
  EXPECT_EQ(t.renumber(3, 3), Errno::Success);
  EXPECT_TRUE(t.contains(3));
}

TEST(Rights, ReadOnlyMaskLeavesReading) {
  Rights ro = rights::kDirectoryBase & ~rights::kWriteRights;
  EXPECT_TRUE(ro & right::PathOpen);
  EXPECT_TRUE(ro & right::FdReaddir);
  EXPECT_FALSE(ro & right::PathCreateFile);
  EXPECT_FALSE(ro & right::PathUnlinkFile);
  EXPECT_FALSE((rights::kDirectoryInheriting & ~rights::kWriteRights) & right::FdWrite);
}

TEST(ErrnoMap, CommonCodes) {
  EXPECT_EQ(from_host_errno(ENOENT), Errno::NoEnt);
  EXPECT_EQ(from_host_errno(EACCES), Errno::Acces);
  EXPECT_EQ(from_host_errno(ELOOP), Errno::Loop);
  EXPECT_EQ(from_host_errno(ENOTEMPTY), Errno::NotEmpty);
  EXPECT_EQ(from_host_errno(EXDEV), Errno::Xdev);
  EXPECT_EQ(from_host_errno(123456), Errno::Io);
  EXPECT_EQ(static_cast<int>(Errno::NotCapable), 76);
  EXPECT_EQ(static_cast<int>(Errno::Ilseq), 25);
}

TEST(FileTimes, FlagsValidated) {
  EXPECT_EQ(file_times(0, 0, fstflag::Atim | fstflag::AtimNow).error(), Errno::Inval);
  EXPECT_EQ(file_times(0, 0, fstflag::Mtim | fstflag::MtimNow).error(), Errno::Inval);
  EXPECT_EQ(file_times(0, 0, 0x10).error(), Errno::Inval);
  auto t = file_times(1500000000ull, 0, fstflag::Atim);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].tv_sec, 1);
  EXPECT_EQ((*t)[0].tv_nsec, 500000000);
  EXPECT_EQ((*t)[1].tv_nsec, UTIME_OMIT);
}

}  // namespace
}  // namespace vivarium::wasi
