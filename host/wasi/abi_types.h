// The wasi_snapshot_preview1 ABI: errno values, rights bits, flags and the
// byte layout of every struct the guest exchanges with us. Numbers and
// offsets come from WebAssembly/WASI legacy/preview1/witx/typenames.witx
// (wasm32: pointers and sizes are 4 bytes, alignment is natural).
#pragma once
#include <cstdint>

namespace vivarium::wasi {

using Fd = uint32_t;
using Size = uint32_t;
using GuestPtr = uint32_t;
using Rights = uint64_t;
using Timestamp = uint64_t;

enum class Errno : uint16_t {
  Success = 0, TooBig = 1, Acces = 2, AddrInUse = 3, AddrNotAvail = 4, AfNoSupport = 5,
  Again = 6, Already = 7, Badf = 8, BadMsg = 9, Busy = 10, Canceled = 11, Child = 12,
  ConnAborted = 13, ConnRefused = 14, ConnReset = 15, Deadlk = 16, DestAddrReq = 17,
  Dom = 18, Dquot = 19, Exist = 20, Fault = 21, Fbig = 22, HostUnreach = 23, Idrm = 24,
  Ilseq = 25, InProgress = 26, Intr = 27, Inval = 28, Io = 29, IsConn = 30, IsDir = 31,
  Loop = 32, Mfile = 33, Mlink = 34, MsgSize = 35, Multihop = 36, NameTooLong = 37,
  NetDown = 38, NetReset = 39, NetUnreach = 40, Nfile = 41, NoBufs = 42, NoDev = 43,
  NoEnt = 44, NoExec = 45, NoLck = 46, NoLink = 47, NoMem = 48, NoMsg = 49,
  NoProtoOpt = 50, NoSpc = 51, NoSys = 52, NotConn = 53, NotDir = 54, NotEmpty = 55,
  NotRecoverable = 56, NotSock = 57, NotSup = 58, NoTty = 59, Nxio = 60, Overflow = 61,
  OwnerDead = 62, Perm = 63, Pipe = 64, Proto = 65, ProtoNoSupport = 66, ProtoType = 67,
  Range = 68, Rofs = 69, Spipe = 70, Srch = 71, Stale = 72, TimedOut = 73, TxtBsy = 74,
  Xdev = 75, NotCapable = 76,
};

// The wasm result of every errno-returning function.
constexpr uint32_t ret(Errno e) { return static_cast<uint32_t>(e); }

enum class FileType : uint8_t {
  Unknown = 0, BlockDevice = 1, CharacterDevice = 2, Directory = 3, RegularFile = 4,
  SocketDgram = 5, SocketStream = 6, SymbolicLink = 7,
};

namespace right {
constexpr Rights FdDatasync = 1ull << 0;
constexpr Rights FdRead = 1ull << 1;
constexpr Rights FdSeek = 1ull << 2;
constexpr Rights FdFdstatSetFlags = 1ull << 3;
constexpr Rights FdSync = 1ull << 4;
constexpr Rights FdTell = 1ull << 5;
constexpr Rights FdWrite = 1ull << 6;
constexpr Rights FdAdvise = 1ull << 7;
constexpr Rights FdAllocate = 1ull << 8;
constexpr Rights PathCreateDirectory = 1ull << 9;
constexpr Rights PathCreateFile = 1ull << 10;
constexpr Rights PathLinkSource = 1ull << 11;
constexpr Rights PathLinkTarget = 1ull << 12;
constexpr Rights PathOpen = 1ull << 13;
constexpr Rights FdReaddir = 1ull << 14;
constexpr Rights PathReadlink = 1ull << 15;
constexpr Rights PathRenameSource = 1ull << 16;
constexpr Rights PathRenameTarget = 1ull << 17;
constexpr Rights PathFilestatGet = 1ull << 18;
constexpr Rights PathFilestatSetSize = 1ull << 19;
constexpr Rights PathFilestatSetTimes = 1ull << 20;
constexpr Rights FdFilestatGet = 1ull << 21;
constexpr Rights FdFilestatSetSize = 1ull << 22;
constexpr Rights FdFilestatSetTimes = 1ull << 23;
constexpr Rights PathSymlink = 1ull << 24;
constexpr Rights PathRemoveDirectory = 1ull << 25;
constexpr Rights PathUnlinkFile = 1ull << 26;
constexpr Rights PollFdReadwrite = 1ull << 27;
constexpr Rights SockShutdown = 1ull << 28;
constexpr Rights SockAccept = 1ull << 29;
constexpr Rights All = (1ull << 30) - 1;
}  // namespace right

namespace fdflag {
constexpr uint16_t Append = 1 << 0, Dsync = 1 << 1, Nonblock = 1 << 2, Rsync = 1 << 3, Sync = 1 << 4;
constexpr uint16_t All = 0x1f;
}  // namespace fdflag
namespace oflag {
constexpr uint16_t Creat = 1 << 0, Directory = 1 << 1, Excl = 1 << 2, Trunc = 1 << 3;
constexpr uint16_t All = 0xf;
}  // namespace oflag
namespace lookupflag {
constexpr uint32_t SymlinkFollow = 1 << 0;
}
namespace fstflag {
constexpr uint16_t Atim = 1 << 0, AtimNow = 1 << 1, Mtim = 1 << 2, MtimNow = 1 << 3;
constexpr uint16_t All = 0xf;
}
namespace riflag { constexpr uint16_t RecvPeek = 1 << 0, RecvWaitall = 1 << 1; }
namespace roflag { constexpr uint16_t RecvDataTruncated = 1 << 0; }
namespace sdflag { constexpr uint8_t Rd = 1 << 0, Wr = 1 << 1; }

enum class Whence : uint8_t { Set = 0, Cur = 1, End = 2 };
enum class ClockId : uint32_t { Realtime = 0, Monotonic = 1, ProcessCputime = 2, ThreadCputime = 3 };
enum class EventType : uint8_t { Clock = 0, FdRead = 1, FdWrite = 2 };
constexpr uint16_t kSubclockAbstime = 1 << 0;
constexpr uint16_t kEventFdReadwriteHangup = 1 << 0;
constexpr uint8_t kPreopenTypeDir = 0;

// Struct layouts: byte offsets within the guest's copy.
namespace layout {
// iovec / ciovec: { buf: u32, buf_len: u32 }
constexpr uint32_t kIovecSize = 8;
// fdstat
constexpr uint32_t kFdstatSize = 24, kFdstatFiletype = 0, kFdstatFlags = 2, kFdstatRightsBase = 8,
                   kFdstatRightsInheriting = 16;
// filestat
constexpr uint32_t kFilestatSize = 64, kFilestatDev = 0, kFilestatIno = 8, kFilestatFiletype = 16,
                   kFilestatNlink = 24, kFilestatSize_ = 32, kFilestatAtim = 40, kFilestatMtim = 48,
                   kFilestatCtim = 56;
// dirent (followed by d_namlen bytes of name)
constexpr uint32_t kDirentSize = 24, kDirentNext = 0, kDirentIno = 8, kDirentNamlen = 16, kDirentType = 20;
// prestat: { tag: u8, pad, pr_name_len: u32 @4 }
constexpr uint32_t kPrestatSize = 8, kPrestatNameLen = 4;
// subscription: userdata u64 @0, union tag u8 @8, union contents @16
constexpr uint32_t kSubscriptionSize = 48, kSubUserdata = 0, kSubTag = 8, kSubClockId = 16,
                   kSubClockTimeout = 24, kSubClockPrecision = 32, kSubClockFlags = 40, kSubFd = 16;
// event: userdata u64 @0, error u16 @8, type u8 @10, fd_readwrite { nbytes u64 @16, flags u16 @24 }
constexpr uint32_t kEventSize = 32, kEventUserdata = 0, kEventError = 8, kEventType = 10,
                   kEventNbytes = 16, kEventFlags = 24;
}  // namespace layout

}  // namespace vivarium::wasi
