// WASI preview1 for the browser's own WebAssembly engine: every import of
// wasi_snapshot_preview1 over the in-memory file system (memfs.js), stdio to
// callbacks, clocks from performance.now()/Date.now(), random_get from
// crypto.getRandomValues. All calls are synchronous; blocking ones (clock
// polls, sockets) park the thread, so guests run in a Worker.
import { E, WasiError, WasiExit, FILETYPE, RIGHT, RIGHTS_FILE, RIGHTS_DIR, FDFLAGS, OFLAGS,
  LOOKUP_SYMLINK_FOLLOW, FSTFLAGS, WHENCE, CLOCK, EVENTTYPE } from './constants.js';
import { Dir, File, Symlink, resolve } from './memfs.js';
import { Fd, FdTable, stdioFd } from './fdtable.js';
import { sleepMs } from './sleep.js';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const MAX_FILE = 2 ** 53;
const PATH_MAX = 4096;  // bytes, with the NUL a C string would need: as native runtimes
const startNs = BigInt(Math.round(performance.timeOrigin * 1e6));

function nowNs(clock) {
  switch (clock) {
    case CLOCK.REALTIME: return BigInt(Date.now()) * 1_000_000n;
    case CLOCK.MONOTONIC: case CLOCK.PROCESS_CPUTIME: case CLOCK.THREAD_CPUTIME:
      return startNs + BigInt(Math.round(performance.now() * 1e6));
    default: throw new WasiError(E.INVAL, `clock ${clock}`);
  }
}

export class Wasi {
  /**
   * options: args (strings), env (object or [k, v] pairs), preopens ({ guestPath: Dir | { dir, readonly } }),
   * stdin (Uint8Array), stdout(bytes) / stderr(bytes) callbacks, extensions (functions
   * returning extra imports, e.g. sockets.js).
   */
  constructor({ args = [], env = {}, preopens = {}, stdin, stdout = () => {}, stderr = () => {}, extensions = [] } = {}) {
    this.args = args.map((a) => enc.encode(a + '\0'));
    const pairs = Array.isArray(env) ? env : Object.entries(env);
    this.env = pairs.map(([k, v]) => enc.encode(`${k}=${v}\0`));
    this.fds = new FdTable();
    this.fds.fds.set(0, stdioFd(0, { input: stdin }));
    this.fds.fds.set(1, stdioFd(1, { sink: stdout }));
    this.fds.fds.set(2, stdioFd(2, { sink: stderr }));
    let n = 3;
    for (const [name, p] of Object.entries(preopens)) {
      if (p instanceof Dir) this.fds.preopen(n++, p, name);
      else this.fds.preopen(n++, p.dir, name, !!p.readonly);
    }
    this.memory = null;
    this.imports = { wasi_snapshot_preview1: this.wrap(this.#calls()) };
    // An extension returns more wasi_snapshot_preview1 functions (sockets.js), replacing stubs.
    for (const ext of extensions) Object.assign(this.imports.wasi_snapshot_preview1, ext(this));
  }

  /** Runs a command module's _start; returns its exit code. */
  start(instance) {
    this.memory = instance.exports.memory;
    try {
      instance.exports._start();
      return 0;
    } catch (e) {
      if (e instanceof WasiExit) return e.code;
      throw e;
    } finally {
      this.fds.closeAll();
    }
  }

  /** Wraps each call: WasiError -> its errno, a bad guest pointer -> FAULT, proc_exit passes through. */
  wrap(calls) {
    const out = {};
    for (const [name, fn] of Object.entries(calls)) {
      out[name] = (...a) => { 
        try {
          return fn(...a) ?? E.SUCCESS;
        } catch (e) {
          if (e instanceof WasiError) return e.errno;
          if (e instanceof RangeError) return E.FAULT;
          throw e;
        }
      };
    }
    return out;
  }

  // Guest memory, checked: DataView and typed-array accesses outside it throw RangeError -> FAULT.
  view() { return new DataView(this.memory.buffer); }
  bytes(ptr, len) {
    if (ptr + len > this.memory.buffer.byteLength) throw new RangeError('outside guest memory');
    return new Uint8Array(this.memory.buffer, ptr, len);
  }
  string(ptr, len) {
    if (len >= PATH_MAX) {
      this.bytes(ptr, len);
      throw new WasiError(E.NAMETOOLONG, `${len}-byte path`);
    }
    try {
      return dec.decode(this.bytes(ptr, len));
    } catch (e) {
      if (e instanceof RangeError) throw e;
      throw new WasiError(E.ILSEQ, 'path is not UTF-8');
    }
  }
  iovecs(ptr, count) {
    const v = this.view(), out = [];
    for (let i = 0; i < count; i++) out.push(this.bytes(v.getUint32(ptr + 8 * i, true), v.getUint32(ptr + 8 * i + 4, true)));
    return out;
  }
  writeFilestat(ptr, node, type = node.type) {
    const v = this.view();
    this.bytes(ptr, 64).fill(0);
    v.setBigUint64(ptr + 8, node?.ino ?? 0n, true);
    v.setUint8(ptr + 16, type);
    v.setBigUint64(ptr + 24, node?.nlink ?? 1n, true);
    v.setBigUint64(ptr + 32, BigInt(node?.size ?? (node?.target ? enc.encode(node.target).length : 0)), true);
    v.setBigUint64(ptr + 40, node?.atim ?? 0n, true);
    v.setBigUint64(ptr + 48, node?.mtim ?? 0n, true);
    v.setBigUint64(ptr + 56, node?.ctim ?? 0n, true);
  }
  #lists(list, ptrs, buf) {
    const v = this.view();
    this.bytes(ptrs, 4 * list.length);
    this.bytes(buf, list.reduce((a, b) => a + b.length, 0));
    for (const item of list) {
      v.setUint32(ptrs, buf, true);
      this.bytes(buf, item.length).set(item);
      ptrs += 4;
      buf += item.length;
    }
  }
  #sizes(list, countPtr, sizePtr) {
    const v = this.view();
    this.bytes(countPtr, 4);
    this.bytes(sizePtr, 4);
    v.setUint32(countPtr, list.length, true);
    v.setUint32(sizePtr, list.reduce((a, b) => a + b.length, 0), true);
  }
  #times(node, atim, mtim, flags) {
    if (flags & ~0xf) throw new WasiError(E.INVAL, 'unknown fstflags');
    if ((flags & FSTFLAGS.ATIM && flags & FSTFLAGS.ATIM_NOW) || (flags & FSTFLAGS.MTIM && flags & FSTFLAGS.MTIM_NOW)) {
      throw new WasiError(E.INVAL, 'a time and NOW together');
    }
    const t = nowNs(CLOCK.REALTIME);
    if (flags & FSTFLAGS.ATIM) node.atim = atim;
    if (flags & FSTFLAGS.ATIM_NOW) node.atim = t;
    if (flags & FSTFLAGS.MTIM) node.mtim = mtim;
    if (flags & FSTFLAGS.MTIM_NOW) node.mtim = t;
    node.ctim = t;
  }
  #file(fd, right) {
    const f = this.fds.get(fd);
    if (right) f.need(right);
    return f;
  }
  #read(f, dst, pos) {
    if (f.stream) return f.stream.read ? f.stream.read(dst) : 0;
    return f.node.read(pos, dst);
  }
  #write(f, src, pos) {
    if (f.stream) return f.stream.write(src);
    if (pos + src.length > MAX_FILE) throw new WasiError(E.FBIG);
    return f.node.write(pos, src);
  }
  #path(fd, right, ptr, len, follow) {
    const dir = this.fds.dir(fd, right);
    return resolve(dir.node, this.string(ptr, len), follow);
  }
  #unlinkFrom(dir, name, node) {
    dir.entries.delete(name);
    node.nlink -= node.type === FILETYPE.DIRECTORY ? 2n : 1n;
    node.ctim = nowNs(CLOCK.REALTIME);
    dir.touch();
  }

  #calls() {
    const self = this;
    return {
      args_get: (argv, buf) => self.#lists(self.args, argv, buf),
      args_sizes_get: (c, s) => self.#sizes(self.args, c, s),
      environ_get: (envp, buf) => self.#lists(self.env, envp, buf),
      environ_sizes_get: (c, s) => self.#sizes(self.env, c, s),
      clock_res_get(id, ptr) {
        nowNs(id);
        self.view().setBigUint64(ptr, id === CLOCK.REALTIME ? 1_000_000n : 1_000n, true);
      },
      clock_time_get(id, _precision, ptr) { self.view().setBigUint64(ptr, nowNs(id), true); },
      fd_advise(fd, offset, len, advice) {
        const f = self.#file(fd);
        if (f.type === FILETYPE.DIRECTORY) throw new WasiError(E.BADF);
        f.need(RIGHT.FD_ADVISE);
        if (advice > 5) throw new WasiError(E.INVAL, `advice ${advice}`);
        if (offset < 0n || len < 0n) throw new WasiError(E.INVAL);
      },
      fd_allocate(fd, offset, len) {
        const f = self.#file(fd);
        if (f.type !== FILETYPE.REGULAR_FILE) throw new WasiError(E.BADF);
        f.need(RIGHT.FD_ALLOCATE);
        const end = offset + len;
        if (len === 0n || end > BigInt(MAX_FILE)) throw new WasiError(E.INVAL);
        if (Number(end) > f.node.size) f.node.truncate(Number(end));
      },
      fd_close: (fd) => self.fds.close(fd),
      fd_datasync: (fd) => { self.#file(fd, RIGHT.FD_DATASYNC); },
      fd_sync: (fd) => { self.#file(fd, RIGHT.FD_SYNC); },
      fd_fdstat_get(fd, ptr) {
        const f = self.#file(fd), v = self.view();
        v.setUint8(ptr, f.type);
        v.setUint8(ptr + 1, 0);
        v.setUint16(ptr + 2, f.fdflags, true);
        v.setUint32(ptr + 4, 0, true);
        v.setBigUint64(ptr + 8, f.base, true);
        v.setBigUint64(ptr + 16, f.inh, true);
      },
      fd_fdstat_set_flags(fd, flags) {
        const f = self.#file(fd, RIGHT.FD_FDSTAT_SET_FLAGS);
        if (flags & ~0x1f) throw new WasiError(E.INVAL);
        f.fdflags = flags;
      },
      fd_fdstat_set_rights(fd, base, inh) {
        const f = self.#file(fd);
        if ((base & ~f.base) || (inh & ~f.inh)) throw new WasiError(E.NOTCAPABLE, 'rights only narrow');
        f.base = base;
        f.inh = inh;
      },
      fd_filestat_get(fd, ptr) {
        const f = self.#file(fd, RIGHT.FD_FILESTAT_GET);
        self.writeFilestat(ptr, f.node, f.type);
      },
      fd_filestat_set_size(fd, size) {
        const f = self.#file(fd);
        if (f.type !== FILETYPE.REGULAR_FILE) throw new WasiError(E.BADF);
        f.need(RIGHT.FD_FILESTAT_SET_SIZE);
        if (size > BigInt(MAX_FILE)) throw new WasiError(E.FBIG);
        f.node.truncate(Number(size));
      },
      fd_filestat_set_times(fd, atim, mtim, flags) {
        const f = self.#file(fd, RIGHT.FD_FILESTAT_SET_TIMES);
        if (!f.node) throw new WasiError(E.BADF);
        self.#times(f.node, atim, mtim, flags);
      },
      fd_pread(fd, iovs, count, offset, nread) {
        const f = self.#file(fd);
        if (f.type === FILETYPE.DIRECTORY) throw new WasiError(E.ISDIR);
        if (f.stream) throw new WasiError(E.SPIPE);
        f.need(RIGHT.FD_READ);
        let pos = Number(offset), n = 0;
        for (const b of self.iovecs(iovs, count)) {
          const got = f.node.read(pos, b);
          pos += got; n += got;
          if (got < b.length) break;
        }
        self.view().setUint32(nread, n, true);
      },
      fd_pwrite(fd, iovs, count, offset, nwritten) {
        const f = self.#file(fd);
        if (f.type === FILETYPE.DIRECTORY) throw new WasiError(E.ISDIR);
        if (f.stream) throw new WasiError(E.SPIPE);
        f.need(RIGHT.FD_WRITE);
        // POSIX pwrite on an O_APPEND file appends on Linux; WASI hosts write at the offset.
        let pos = Number(offset), n = 0;
        for (const b of self.iovecs(iovs, count)) { n += self.#write(f, b, pos); pos += b.length; }
        self.view().setUint32(nwritten, n, true);
      },
      fd_read(fd, iovs, count, nread) {
        const f = self.#file(fd);
        if (f.type === FILETYPE.DIRECTORY) throw new WasiError(E.BADF, 'reading a directory');
        f.need(RIGHT.FD_READ);
        let n = 0;
        for (const b of self.iovecs(iovs, count)) {
          const got = self.#read(f, b, f.pos);
          f.pos += got; n += got;
          if (got < b.length) break;
        }
        self.view().setUint32(nread, n, true);
      },
      fd_write(fd, iovs, count, nwritten) {
        const f = self.#file(fd);
        if (f.type === FILETYPE.DIRECTORY) throw new WasiError(E.ISDIR);
        f.need(RIGHT.FD_WRITE);
        const bufs = self.iovecs(iovs, count);
        self.bytes(nwritten, 4);
        let n = 0;
        if (f.stream) {
          // One callback per call, so a line written with writev arrives whole.
          const total = bufs.reduce((a, b) => a + b.length, 0), all = new Uint8Array(total);
          let at = 0;
          for (const b of bufs) { all.set(b, at); at += b.length; }
          n = total ? f.stream.write(all) : 0;
        } else {
          if (f.fdflags & FDFLAGS.APPEND) f.pos = f.node.size;
          for (const b of bufs) { const w = self.#write(f, b, f.pos); f.pos += w; n += w; }
        }
        self.view().setUint32(nwritten, n, true);
      },
      fd_prestat_get(fd, ptr) {
        const f = self.fds.get(fd);
        if (f.preopen === null) throw new WasiError(E.BADF, `fd ${fd} is not a preopen`);
        const v = self.view();
        v.setUint32(ptr, 0, true);
        v.setUint32(ptr + 4, enc.encode(f.preopen).length, true);
      },
      fd_prestat_dir_name(fd, ptr, len) {
        const f = self.fds.get(fd);
        if (f.preopen === null) throw new WasiError(E.BADF);
        const name = enc.encode(f.preopen);
        if (len < name.length) throw new WasiError(E.NAMETOOLONG);
        self.bytes(ptr, name.length).set(name);
      },
      fd_readdir(fd, buf, len, cookie, usedPtr) {
        const f = self.#file(fd);
        if (f.type !== FILETYPE.DIRECTORY) throw new WasiError(E.NOTDIR);
        f.need(RIGHT.FD_READDIR);
        const dir = f.node;
        const entries = [['.', dir], ['..', dir.parent], ...dir.entries];
        let used = 0;
        const out = self.bytes(buf, len), v = self.view();
        for (let i = Number(cookie); i < entries.length && used < len; i++) {
          const [name, node] = entries[i], nb = enc.encode(name);
          const rec = new Uint8Array(24 + nb.length), rv = new DataView(rec.buffer);
          rv.setBigUint64(0, BigInt(i + 1), true);
          rv.setBigUint64(8, node.ino, true);
          rv.setUint32(16, nb.length, true);
          rv.setUint8(20, node.type);
          rec.set(nb, 24);
          const n = Math.min(rec.length, len - used);
          out.set(rec.subarray(0, n), used);
          used += n;
        }
        v.setUint32(usedPtr, used, true);
      },
      fd_renumber: (from, to) => self.fds.renumber(from, to),
      fd_seek(fd, offset, whence, newPtr) {
        const f = self.#file(fd);
        if (f.stream) throw new WasiError(E.SPIPE);
        if (f.type === FILETYPE.DIRECTORY) throw new WasiError(E.BADF);
        f.need(offset === 0n && whence === WHENCE.CUR ? RIGHT.FD_TELL : RIGHT.FD_SEEK);
        let base;
        if (whence === WHENCE.SET) base = 0;
        else if (whence === WHENCE.CUR) base = f.pos;
        else if (whence === WHENCE.END) base = f.node.size;
        else throw new WasiError(E.INVAL, `whence ${whence}`);
        const pos = BigInt(base) + offset;
        if (pos < 0n || pos > BigInt(MAX_FILE)) throw new WasiError(E.INVAL, 'seek outside the file');
        f.pos = Number(pos);
        self.view().setBigUint64(newPtr, pos, true);
      },
      fd_tell(fd, ptr) {
        const f = self.#file(fd);
        if (f.stream) throw new WasiError(E.SPIPE);
        if (f.type === FILETYPE.DIRECTORY) throw new WasiError(E.BADF);
        f.need(RIGHT.FD_TELL);
        self.view().setBigUint64(ptr, BigInt(f.pos), true);
      },
      path_create_directory(fd, p, l) {
        const r = self.#path(fd, RIGHT.PATH_CREATE_DIRECTORY, p, l, false);
        if (r.node || r.name === null) throw new WasiError(E.EXIST);
        r.dir.entries.set(r.name, new Dir(r.dir));
        r.dir.nlink++;
        r.dir.touch();
      },
      path_filestat_get(fd, flags, p, l, ptr) {
        const r = self.#path(fd, RIGHT.PATH_FILESTAT_GET, p, l, flags & LOOKUP_SYMLINK_FOLLOW);
        if (!r.node) throw new WasiError(E.NOENT);
        if (r.trailing && r.node.type !== FILETYPE.DIRECTORY) throw new WasiError(E.NOTDIR);
        self.writeFilestat(ptr, r.node);
      },
      path_filestat_set_times(fd, flags, p, l, atim, mtim, fst) {
        const r = self.#path(fd, RIGHT.PATH_FILESTAT_SET_TIMES, p, l, flags & LOOKUP_SYMLINK_FOLLOW);
        if (!r.node) throw new WasiError(E.NOENT);
        if (r.trailing && r.node.type !== FILETYPE.DIRECTORY) throw new WasiError(E.NOTDIR);
        self.#times(r.node, atim, mtim, fst);
      },
      path_link(ofd, oflags, op, ol, nfd, np, nl) {
        const src = self.#path(ofd, RIGHT.PATH_LINK_SOURCE, op, ol, oflags & LOOKUP_SYMLINK_FOLLOW);
        const dst = self.#path(nfd, RIGHT.PATH_LINK_TARGET, np, nl, false);
        if (!src.node) throw new WasiError(E.NOENT);
        if (src.node.type === FILETYPE.DIRECTORY) throw new WasiError(E.PERM, 'hard link to a directory');
        if (src.trailing) throw new WasiError(E.NOTDIR);
        if (dst.node || dst.name === null) throw new WasiError(E.EXIST);
        if (dst.trailing) throw new WasiError(E.NOENT);
        dst.dir.entries.set(dst.name, src.node);
        src.node.nlink++;
        dst.dir.touch();
      },
      path_open: (fd, dirflags, p, l, oflags, base, inh, fdflags, out) =>
        self.view().setUint32(out, self.open(fd, dirflags, p, l, oflags, base, inh, fdflags), true),
      path_readlink(fd, p, l, buf, len, usedPtr) {
        self.bytes(buf, len);
        const r = self.#path(fd, RIGHT.PATH_READLINK, p, l, false);
        if (!r.node) throw new WasiError(E.NOENT);
        if (r.node.type !== FILETYPE.SYMBOLIC_LINK) throw new WasiError(E.INVAL, 'not a symbolic link');
        const t = enc.encode(r.node.target), n = Math.min(len, t.length);
        self.bytes(buf, n).set(t.subarray(0, n));
        self.view().setUint32(usedPtr, n, true);
      },
      path_remove_directory(fd, p, l) {
        const r = self.#path(fd, RIGHT.PATH_REMOVE_DIRECTORY, p, l, false);
        if (!r.node) throw new WasiError(E.NOENT);
        if (r.name === null) throw new WasiError(E.INVAL, 'cannot remove . or ..');
        if (r.node.type !== FILETYPE.DIRECTORY) throw new WasiError(E.NOTDIR);
        if (r.node.entries.size) throw new WasiError(E.NOTEMPTY);
        self.#unlinkFrom(r.dir, r.name, r.node);
        r.dir.nlink--;
      },
      path_rename(fd, op, ol, nfd, np, nl) {
        const src = self.#path(fd, RIGHT.PATH_RENAME_SOURCE, op, ol, false);
        const dst = self.#path(nfd, RIGHT.PATH_RENAME_TARGET, np, nl, false);
        if (!src.node) throw new WasiError(E.NOENT);
        if (src.name === null || dst.name === null) throw new WasiError(E.BUSY, 'renaming . or ..');
        const isDir = src.node.type === FILETYPE.DIRECTORY;
        if (!isDir && (src.trailing || dst.trailing)) throw new WasiError(E.NOTDIR);
        if (dst.node === src.node) return;
        if (dst.node) {
          const dstDir = dst.node.type === FILETYPE.DIRECTORY;
          if (isDir && !dstDir) throw new WasiError(E.NOTDIR);
          if (!isDir && dstDir) throw new WasiError(E.ISDIR);
          if (dstDir && dst.node.entries.size) throw new WasiError(E.NOTEMPTY);
        }
        if (isDir) {
          for (let d = dst.dir; ; d = d.parent) {
            if (d === src.node) throw new WasiError(E.INVAL, 'moving a directory into itself');
            if (d.parent === d) break;
          }
        }
        if (dst.node) self.#unlinkFrom(dst.dir, dst.name, dst.node);
        src.dir.entries.delete(src.name);
        dst.dir.entries.set(dst.name, src.node);
        if (isDir) { src.node.parent = dst.dir; src.dir.nlink--; dst.dir.nlink++; }
        src.dir.touch(); dst.dir.touch();
      },
      path_symlink(op, ol, fd, np, nl) {
        const target = self.string(op, ol);
        if (target.startsWith('/')) throw new WasiError(E.NOTCAPABLE, 'a link may not point outside its directory');
        const r = self.#path(fd, RIGHT.PATH_SYMLINK, np, nl, false);
        if (r.node || r.name === null) throw new WasiError(E.EXIST);
        if (r.trailing) throw new WasiError(E.NOENT);
        r.dir.entries.set(r.name, new Symlink(target));
        r.dir.touch();
      },
      path_unlink_file(fd, p, l) {
        const r = self.#path(fd, RIGHT.PATH_UNLINK_FILE, p, l, false);
        if (!r.node) throw new WasiError(E.NOENT);
        if (r.trailing && r.viaLink) throw new WasiError(E.NOTDIR, 'a link with a trailing slash');
        if (r.node.type === FILETYPE.DIRECTORY) throw new WasiError(E.ISDIR);
        if (r.trailing) throw new WasiError(E.NOTDIR);
        self.#unlinkFrom(r.dir, r.name, r.node);
      },
      poll_oneoff: (i, o, n, p) => self.poll(i, o, n, p),
      proc_exit(code) { throw new WasiExit(code); },
      proc_raise() { throw new WasiError(E.NOTSUP); },
      sched_yield() {},
      random_get(ptr, len) {
        const b = self.bytes(ptr, len);
        // getRandomValues fills at most 65536 bytes per call and refuses shared memory.
        for (let at = 0; at < len; at += 65536) {
          const part = new Uint8Array(Math.min(65536, len - at));
          crypto.getRandomValues(part);
          b.set(part, at);
        }
      },
      sock_accept(fd) { self.#socket(fd); throw new WasiError(E.NOTSUP); },
      sock_recv(fd) { self.#socket(fd); throw new WasiError(E.NOTSUP); },
      sock_send(fd) { self.#socket(fd); throw new WasiError(E.NOTSUP); },
      sock_shutdown(fd) { self.#socket(fd); throw new WasiError(E.NOTSUP); },
    };
  }

  open(fd, dirflags, p, l, oflags, base, inh, fdflags) {
    const dir = this.fds.dir(fd, RIGHT.PATH_OPEN);
    if (oflags & ~0xf || fdflags & ~0x1f || dirflags & ~LOOKUP_SYMLINK_FOLLOW || (base | inh) >> 30n) {
      throw new WasiError(E.INVAL, 'unknown flag or right');
    }
    if (base & ~dir.inh || inh & ~dir.inh) throw new WasiError(E.NOTCAPABLE, 'rights the directory cannot pass on');
    // As pre-component wasmtime: creating or truncating needs the directory's right even when
    // the file exists (or stays as it is).
    if (oflags & OFLAGS.CREAT) dir.need(RIGHT.PATH_CREATE_FILE);
    if (oflags & OFLAGS.TRUNC) dir.need(RIGHT.PATH_FILESTAT_SET_SIZE);
    const r = resolve(dir.node, this.string(p, l), dirflags & LOOKUP_SYMLINK_FOLLOW);
    let node = r.node;
    if (!node) {
      if (!(oflags & OFLAGS.CREAT)) throw new WasiError(E.NOENT);
      if (oflags & OFLAGS.EXCL && r.viaLink) throw new WasiError(E.EXIST, 'a dangling link');
      if (oflags & OFLAGS.DIRECTORY) throw new WasiError(E.INVAL, 'create and directory together');
      if (r.trailing) throw new WasiError(E.ISDIR, 'creating a file with a trailing slash');
      node = new File();
      r.dir.entries.set(r.name, node);
      r.dir.touch();
    } else {
      if (oflags & OFLAGS.CREAT && oflags & OFLAGS.EXCL) throw new WasiError(E.EXIST);
      if (node.type === FILETYPE.SYMBOLIC_LINK) throw new WasiError(oflags & OFLAGS.DIRECTORY ? E.NOTDIR : E.LOOP);
      const isDir = node.type === FILETYPE.DIRECTORY;
      if (!isDir && (oflags & OFLAGS.DIRECTORY || r.trailing)) throw new WasiError(E.NOTDIR);
      if (isDir && (oflags & OFLAGS.TRUNC || base & (RIGHT.FD_WRITE | RIGHT.FD_ALLOCATE | RIGHT.FD_FILESTAT_SET_SIZE)) && base !== dir.inh) {
        throw new WasiError(E.ISDIR);
      }
      if (oflags & OFLAGS.TRUNC) {
        if (isDir) throw new WasiError(E.ISDIR);
        node.truncate(0);
      }
    }
    const kind = node.type === FILETYPE.DIRECTORY ? RIGHTS_DIR | RIGHTS_FILE : RIGHTS_FILE;
    const f = new Fd({ node, base: base & dir.inh & kind, inh: inh & dir.inh, fdflags: fdflags & 0x1f });
    if (node.type === FILETYPE.DIRECTORY) f.base &= RIGHTS_DIR;
    return this.fds.add(f);
  }

  /** poll_oneoff: file and stdio descriptors are always ready; otherwise sleeps until the first clock. */
  poll(inPtr, outPtr, n, countPtr) {
    if (n === 0) throw new WasiError(E.INVAL, 'no subscriptions');
    const v = this.view();
    const subs = [];
    for (let i = 0; i < n; i++) {
      const s = inPtr + 48 * i;
      subs.push({ userdata: v.getBigUint64(s, true), tag: v.getUint8(s + 8), fd: v.getUint32(s + 16, true),
        clock: v.getUint32(s + 16, true), timeout: v.getBigUint64(s + 24, true), flags: v.getUint16(s + 40, true) });
    }
    const t0 = nowNs(CLOCK.MONOTONIC);
    let sleepUntil = null;
    const clockEvents = [];
    for (const s of subs) {
      if (s.tag === EVENTTYPE.CLOCK) {
        try {
          s.deadline = s.flags & 1 ? s.timeout - nowNs(s.clock) + t0 : t0 + s.timeout;
        } catch (e) {
          clockEvents.push({ ...s, error: e.errno ?? E.INVAL });
          continue;
        }
        if (sleepUntil === null || s.deadline < sleepUntil) sleepUntil = s.deadline;
      } else if (s.tag !== EVENTTYPE.FD_READ && s.tag !== EVENTTYPE.FD_WRITE) {
        throw new WasiError(E.INVAL, `subscription tag ${s.tag}`);
      }
    }
    const fdSubs = subs.filter((s) => s.tag !== EVENTTYPE.CLOCK);
    let events;
    // Files and stdio are always ready; only sockets make this loop go round.
    for (;;) {
      const now = nowNs(CLOCK.MONOTONIC);
      events = [...clockEvents, ...fdSubs.map((s) => this.pollFd(s)).filter(Boolean),
        ...subs.filter((s) => s.deadline !== undefined && s.deadline <= now).map((s) => ({ ...s, error: 0 }))];
      if (events.length) break;
      if (!fdSubs.length) {
        sleepMs(Number(sleepUntil - now) / 1e6);
        continue;
      }
      sleepMs(sleepUntil === null ? 5 : Math.min(5, Number(sleepUntil - now) / 1e6));
    }
    events.forEach((e, i) => {
      const o = outPtr + 32 * i;
      this.bytes(o, 32).fill(0);
      v.setBigUint64(o, e.userdata, true);
      v.setUint16(o + 8, e.error, true);
      v.setUint8(o + 10, e.tag);
      v.setBigUint64(o + 16, BigInt(e.nbytes ?? 0), true);
      v.setUint16(o + 24, e.hangup ? 1 : 0, true);
    });
    v.setUint32(countPtr, events.length, true);
  }

  /** Readiness of one fd subscription (sockets override this through their stream's poll()). */
  pollFd(s) {
    const f = this.fds.fds.get(s.fd);
    if (!f) return { ...s, error: E.BADF };
    if (!(f.base & RIGHT.POLL_FD_READWRITE)) return { ...s, error: E.NOTCAPABLE };
    if (f.stream?.poll) return f.stream.poll(s);
    const nbytes = s.tag === EVENTTYPE.FD_READ && f.node?.size !== undefined ? Math.max(0, f.node.size - f.pos) : 0;
    return { ...s, error: 0, nbytes };
  }

  #socket(fd) {
    const f = this.fds.get(fd);
    if (f.type !== FILETYPE.SOCKET_STREAM && f.type !== FILETYPE.SOCKET_DGRAM) throw new WasiError(E.NOTSOCK);
    return f;
  }
}
