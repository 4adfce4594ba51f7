// WASI preview1 numbers (witx: wasi_snapshot_preview1): errno values, file
// types, rights and flags. One table so the file system, the imports and the
// socket extension speak the same values.

const names = ['SUCCESS', '2BIG', 'ACCES', 'ADDRINUSE', 'ADDRNOTAVAIL', 'AFNOSUPPORT', 'AGAIN', 'ALREADY',
  'BADF', 'BADMSG', 'BUSY', 'CANCELED', 'CHILD', 'CONNABORTED', 'CONNREFUSED', 'CONNRESET', 'DEADLK',
  'DESTADDRREQ', 'DOM', 'DQUOT', 'EXIST', 'FAULT', 'FBIG', 'HOSTUNREACH', 'IDRM', 'ILSEQ', 'INPROGRESS',
  'INTR', 'INVAL', 'IO', 'ISCONN', 'ISDIR', 'LOOP', 'MFILE', 'MLINK', 'MSGSIZE', 'MULTIHOP', 'NAMETOOLONG',
  'NETDOWN', 'NETRESET', 'NETUNREACH', 'NFILE', 'NOBUFS', 'NODEV', 'NOENT', 'NOEXEC', 'NOLCK', 'NOLINK',
  'NOMEM', 'NOMSG', 'NOPROTOOPT', 'NOSPC', 'NOSYS', 'NOTCONN', 'NOTDIR', 'NOTEMPTY', 'NOTRECOVERABLE',
  'NOTSOCK', 'NOTSUP', 'NOTTY', 'NXIO', 'OVERFLOW', 'OWNERDEAD', 'PERM', 'PIPE', 'PROTO',
  'PROTONOSUPPORT', 'PROTOTYPE', 'RANGE', 'ROFS', 'SPIPE', 'SRCH', 'STALE', 'TIMEDOUT', 'TXTBSY', 'XDEV',
  'NOTCAPABLE'];

/** errno values by name: E.NOENT === 44. */
export const E = Object.freeze(Object.fromEntries(names.map((n, i) => [n, i])));

/** A WASI call's failure: thrown inside the implementation, returned to the guest as its errno. */
export class WasiError extends Error {
  constructor(errno, what) {
    super(`${names[errno] ?? errno}${what ? ': ' + what : ''}`);
    this.errno = errno;
  }
}

/** proc_exit: unwinds the guest; run() turns it into an exit code. */
export class WasiExit extends Error {
  constructor(code) {
    super(`exit ${code}`);
    this.code = code;
  }
}

export const FILETYPE = Object.freeze({
  UNKNOWN: 0, BLOCK_DEVICE: 1, CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4,
  SOCKET_DGRAM: 5, SOCKET_STREAM: 6, SYMBOLIC_LINK: 7,
});

const R = (bit) => 1n << BigInt(bit);
export const RIGHT = Object.freeze({
  FD_DATASYNC: R(0), FD_READ: R(1), FD_SEEK: R(2), FD_FDSTAT_SET_FLAGS: R(3), FD_SYNC: R(4), FD_TELL: R(5),
  FD_WRITE: R(6), FD_ADVISE: R(7), FD_ALLOCATE: R(8), PATH_CREATE_DIRECTORY: R(9), PATH_CREATE_FILE: R(10),
  PATH_LINK_SOURCE: R(11), PATH_LINK_TARGET: R(12), PATH_OPEN: R(13), FD_READDIR: R(14), PATH_READLINK: R(15),
  PATH_RENAME_SOURCE: R(16), PATH_RENAME_TARGET: R(17), PATH_FILESTAT_GET: R(18),
  PATH_FILESTAT_SET_SIZE: R(19), PATH_FILESTAT_SET_TIMES: R(20), FD_FILESTAT_GET: R(21),
  FD_FILESTAT_SET_SIZE: R(22), FD_FILESTAT_SET_TIMES: R(23), PATH_SYMLINK: R(24),
  PATH_REMOVE_DIRECTORY: R(25), PATH_UNLINK_FILE: R(26), POLL_FD_READWRITE: R(27), SOCK_SHUTDOWN: R(28),
  SOCK_ACCEPT: R(29),
});

const any = (...rs) => rs.reduce((a, b) => a | b, 0n);
const r = RIGHT;
// The sets wasmtime's pre-component WASI (and the native runtime's rights.h) give each kind of descriptor.
export const RIGHTS_FILE = any(r.FD_DATASYNC, r.FD_READ, r.FD_SEEK, r.FD_FDSTAT_SET_FLAGS, r.FD_SYNC, r.FD_TELL,
  r.FD_WRITE, r.FD_ADVISE, r.FD_ALLOCATE, r.FD_FILESTAT_GET, r.FD_FILESTAT_SET_SIZE, r.FD_FILESTAT_SET_TIMES,
  r.POLL_FD_READWRITE);
export const RIGHTS_DIR = any(r.FD_FDSTAT_SET_FLAGS, r.FD_SYNC, r.FD_ADVISE, r.PATH_CREATE_DIRECTORY,
  r.PATH_CREATE_FILE, r.PATH_LINK_SOURCE, r.PATH_LINK_TARGET, r.PATH_OPEN, r.FD_READDIR, r.PATH_READLINK,
  r.PATH_RENAME_SOURCE, r.PATH_RENAME_TARGET, r.PATH_FILESTAT_GET, r.PATH_FILESTAT_SET_SIZE,
  r.PATH_FILESTAT_SET_TIMES, r.FD_FILESTAT_GET, r.FD_FILESTAT_SET_TIMES, r.PATH_SYMLINK,
  r.PATH_REMOVE_DIRECTORY, r.PATH_UNLINK_FILE, r.POLL_FD_READWRITE);
export const RIGHTS_DIR_INHERITING = RIGHTS_DIR | RIGHTS_FILE;
// Everything that could change the file system: withheld under a read-only preopen.
export const RIGHTS_WRITE = any(r.FD_DATASYNC, r.FD_WRITE, r.FD_ALLOCATE, r.FD_FILESTAT_SET_SIZE,
  r.FD_FILESTAT_SET_TIMES, r.PATH_CREATE_DIRECTORY, r.PATH_CREATE_FILE, r.PATH_LINK_SOURCE, r.PATH_LINK_TARGET,
  r.PATH_RENAME_SOURCE, r.PATH_RENAME_TARGET, r.PATH_FILESTAT_SET_SIZE, r.PATH_FILESTAT_SET_TIMES,
  r.PATH_SYMLINK, r.PATH_REMOVE_DIRECTORY, r.PATH_UNLINK_FILE);
export const RIGHTS_STDIN = any(r.FD_READ, r.FD_FILESTAT_GET, r.POLL_FD_READWRITE);
export const RIGHTS_STDOUT = any(r.FD_WRITE, r.FD_FILESTAT_GET, r.POLL_FD_READWRITE);
export const RIGHTS_SOCKET = any(r.FD_READ, r.FD_FDSTAT_SET_FLAGS, r.FD_WRITE, r.FD_FILESTAT_GET,
  r.POLL_FD_READWRITE, r.SOCK_SHUTDOWN);

export const FDFLAGS = Object.freeze({ APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 });
export const OFLAGS = Object.freeze({ CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 });
export const LOOKUP_SYMLINK_FOLLOW = 1;
export const FSTFLAGS = Object.freeze({ ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 });
export const WHENCE = Object.freeze({ SET: 0, CUR: 1, END: 2 });
export const CLOCK = Object.freeze({ REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 });
export const EVENTTYPE = Object.freeze({ CLOCK: 0, FD_READ: 1, FD_WRITE: 2 });
