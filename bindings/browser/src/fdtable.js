// The guest's descriptor table: what each fd number refers to (a node of the
// in-memory file system, a stdio stream or a socket), its position, flags and
// rights. Rights follow wasmtime's pre-component WASI: they can only narrow.
import { E, WasiError, FILETYPE, RIGHTS_DIR, RIGHTS_DIR_INHERITING, RIGHTS_STDIN, RIGHTS_STDOUT, RIGHTS_WRITE } from './constants.js';

export class Fd {
  constructor({ node = null, type = node?.type ?? FILETYPE.UNKNOWN, base, inh = 0n, fdflags = 0, preopen = null, stream = null }) {
    Object.assign(this, { node, type, base, inh, fdflags, preopen, stream, pos: 0 });
  }
  need(right) {
    if ((this.base & right) !== right) throw new WasiError(E.NOTCAPABLE, 'descriptor lacks the right');
    return this;
  }
}

/** A stdio stream: reads come from `input` (bytes, or nothing for an empty stdin), writes go to `sink(bytes)`. */
export function stdioFd(fdnum, { input, sink }) {
  const stream = fdnum === 0
    ? { offset: 0, read(dst) { if (!input) return 0; const n = Math.min(dst.length, input.length - this.offset); dst.set(input.subarray(this.offset, this.offset + n)); this.offset += n; return n; } }
    : { write(bytes) { sink(bytes.slice()); return bytes.length; } };
  // Not a terminal (a callback is no tty): UNKNOWN, as `vivarium run` reports a pipe, so
  // libc buffers stdout the same way in both.
  return new Fd({ type: FILETYPE.UNKNOWN, base: fdnum === 0 ? RIGHTS_STDIN : RIGHTS_STDOUT, stream });
}

export class FdTable {
  constructor() { this.fds = new Map(); }
  preopen(fdnum, dir, name, readonly = false) {
    const keep = readonly ? ~RIGHTS_WRITE : ~0n;
    this.fds.set(fdnum, new Fd({ node: dir, base: RIGHTS_DIR & keep, inh: RIGHTS_DIR_INHERITING & keep, preopen: name }));
  }
  get(fd) {
    const f = this.fds.get(fd);
    if (!f) throw new WasiError(E.BADF, `fd ${fd} is not open`);
    return f;
  }
  dir(fd, right) {
    const f = this.get(fd);
    if (f.type !== FILETYPE.DIRECTORY) throw new WasiError(E.NOTDIR, `fd ${fd} is not a directory`);
    if (right) f.need(right);
    return f;
  }
  add(f) {
    let n = 3;
    while (this.fds.has(n)) n++;
    this.fds.set(n, f);
    return n;
  }
  close(fd) {
    const f = this.get(fd);
    this.fds.delete(fd);
    f.stream?.close?.();
  }
  renumber(from, to) {
    const f = this.get(from);
    this.get(to);
    if (from === to) return;
    this.close(to);
    this.fds.set(to, f);
    this.fds.delete(from);
  }
  closeAll() {
    for (const fd of [...this.fds.keys()]) this.close(fd);
  }
}
