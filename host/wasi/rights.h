// Which rights make sense for which kind of descriptor, and which a
// read-only preopen withholds. The sets follow wasmtime's pre-component
// WASI (and uvwasi, which Node uses), so guests built against either see the
// same fdstat.
#pragma once
#include "host/wasi/abi_types.h"

namespace vivarium::wasi::rights {

using namespace right;

constexpr Rights kRegularFileBase = FdDatasync | FdRead | FdSeek | FdFdstatSetFlags | FdSync | FdTell |
                                    FdWrite | FdAdvise | FdAllocate | FdFilestatGet | FdFilestatSetSize |
                                    FdFilestatSetTimes | PollFdReadwrite;
constexpr Rights kDirectoryBase = FdFdstatSetFlags | FdSync | FdAdvise | PathCreateDirectory |
                                  PathCreateFile | PathLinkSource | PathLinkTarget | PathOpen | FdReaddir |
                                  PathReadlink | PathRenameSource | PathRenameTarget | PathFilestatGet |
                                  PathFilestatSetSize | PathFilestatSetTimes | FdFilestatGet |
                                  FdFilestatSetTimes | PathSymlink | PathRemoveDirectory | PathUnlinkFile |
                                  PollFdReadwrite;
constexpr Rights kDirectoryInheriting = kDirectoryBase | kRegularFileBase;
// Terminals, pipes and other streams: no seeking, no sizes.
constexpr Rights kStreamBase = FdRead | FdFdstatSetFlags | FdWrite | FdFilestatGet | PollFdReadwrite;
constexpr Rights kSocketBase = FdRead | FdFdstatSetFlags | FdWrite | FdFilestatGet | PollFdReadwrite |
                               SockShutdown;
// Stdio handed in by the host: a stream in one direction. Its open file
// description is shared with the host (and the shell that started us: `<
// secret >> log`), so the guest gets nothing that could seek, resize,
// allocate, re-time, advise, sync or change the status flags of it -- the
// rights wasmtime gives stdio (FD_READ or FD_WRITE), plus polling and a
// filestat that says only the type.
constexpr Rights kStdinBase = FdRead | FdFilestatGet | PollFdReadwrite;
constexpr Rights kStdoutBase = FdWrite | FdFilestatGet | PollFdReadwrite;
constexpr Rights kListenerBase = FdFdstatSetFlags | FdFilestatGet | PollFdReadwrite | SockAccept;

// Everything that could change the file system under a read-only preopen.
constexpr Rights kWriteRights = FdDatasync | FdWrite | FdAllocate | FdFilestatSetSize | FdFilestatSetTimes |
                                PathCreateDirectory | PathCreateFile | PathLinkSource | PathLinkTarget |
                                PathRenameSource | PathRenameTarget | PathFilestatSetSize |
                                PathFilestatSetTimes | PathSymlink | PathRemoveDirectory | PathUnlinkFile;

constexpr Rights base_for(FileType t) {
  switch (t) {
    case FileType::Directory: return kDirectoryBase;
    case FileType::RegularFile: return kRegularFileBase;
    case FileType::SocketStream:
    case FileType::SocketDgram: return kSocketBase;
    default: return kStreamBase;
  }
}
constexpr Rights inheriting_for(FileType t) {
  return t == FileType::Directory ? kDirectoryInheriting : 0;
}

}  // namespace vivarium::wasi::rights
