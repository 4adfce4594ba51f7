// An in-memory file system: directories, symbolic links and regular files
// whose bytes live in fixed-size chunks (never one big buffer, never mapped),
// so a large file grows without copying and a sparse one costs only the
// chunks written. Paths are resolved here with WASI's sandbox rules: no
// absolute paths, no `..` above the starting directory, symbolic links
// followed at most MAX_LINKS times.
import { E, WasiError, FILETYPE } from './constants.js';

export const CHUNK = 64 * 1024;
const MAX_LINKS = 32;
let nextIno = 1n;

const now = () => BigInt(Date.now()) * 1_000_000n;

class Inode {
  constructor(type) {
    this.type = type;
    this.ino = nextIno++;
    this.nlink = 1n;
    this.atim = this.mtim = this.ctim = now();
  }
  touch() { this.mtim = this.ctim = now(); }
}

export class File extends Inode {
  constructor(bytes) {
    super(FILETYPE.REGULAR_FILE);
    this.chunks = [];
    this.size = 0;
    if (bytes) this.write(0, bytes);
  }
  /** Copies up to dst.length bytes from offset pos; returns how many. */
  read(pos, dst) {
    const n = Math.max(0, Math.min(dst.length, this.size - pos));
    for (let done = 0; done < n;) {
      const at = pos + done, c = Math.floor(at / CHUNK), off = at % CHUNK;
      const len = Math.min(CHUNK - off, n - done);
      const chunk = this.chunks[c];
      if (chunk) dst.set(chunk.subarray(off, off + len), done);
      else dst.fill(0, done, done + len);  // a hole reads as zeros
      done += len;
    }
    return n;
  }
  write(pos, src) {
    for (let done = 0; done < src.length;) {
      const at = pos + done, c = Math.floor(at / CHUNK), off = at % CHUNK;
      const len = Math.min(CHUNK - off, src.length - done);
      (this.chunks[c] ??= new Uint8Array(CHUNK)).set(src.subarray(done, done + len), off);
      done += len;
    }
    this.size = Math.max(this.size, pos + src.length);
    this.touch();
    return src.length;
  }
  truncate(size) {
    if (size < this.size) {
      const keep = Math.ceil(size / CHUNK);
      this.chunks.length = Math.min(this.chunks.length, keep);
      const tail = this.chunks[keep - 1];
      if (tail && size % CHUNK) tail.fill(0, size % CHUNK);
    }
    this.size = size;
    this.touch();
  }
  /** The whole content as one array (for tests and persistence). */
  bytes() {
    const out = new Uint8Array(this.size);
    this.read(0, out);
    return out;
  }
}

export class Dir extends Inode {
  constructor(parent) {
    super(FILETYPE.DIRECTORY);
    this.entries = new Map();
    this.parent = parent ?? this;
    this.nlink = 2n;
  }
  /** Makes (or returns) the file or folder at a slash-separated path below this one. */
  ensure(path, make) {
    let dir = this;
    const parts = path.split('/').filter((p) => p && p !== '.');
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      let node = dir.entries.get(parts[i]);
      if (!node) {
        node = last && make ? make() : new Dir(dir);
        if (node instanceof Dir) node.parent = dir;
        dir.entries.set(parts[i], node);
      }
      dir = node;
    }
    return dir;
  }
}

export class Symlink extends Inode {
  constructor(target) {
    super(FILETYPE.SYMBOLIC_LINK);
    this.target = target;
  }
}

/**
 * Resolves `path` below `start` (a Dir). Returns { dir, name, node }: the
 * directory holding the last component, its name (null when the path names
 * `start` itself or ends in `.`/`..`) and the node (null when absent). The
 * last component's link is followed when `follow`, or when the path ends in
 * a slash; `viaLink` says the last component was such a link.
 */
export function resolve(start, path, follow) {
  if (path === '') throw new WasiError(E.NOENT, 'empty path');
  if (path.includes('\0')) throw new WasiError(E.INVAL, 'NUL in path');
  if (path.startsWith('/')) throw new WasiError(E.NOTCAPABLE, `absolute path ${path}`);
  let trailing = path.endsWith('/');
  const queue = path.split('/').filter((p) => p !== '');
  const stack = [start];
  let links = 0, viaLink = false;
  while (queue.length) {
    const c = queue.shift();
    const last = queue.length === 0;
    const cur = stack[stack.length - 1];
    if (c === '.' || c === '..') {
      if (cur.type !== FILETYPE.DIRECTORY) throw new WasiError(E.NOTDIR, path);
      if (c === '..') {
        if (stack.length === 1) throw new WasiError(E.NOTCAPABLE, `${path} leaves its directory`);
        stack.pop();
      }
      continue;
    }
    if (cur.type !== FILETYPE.DIRECTORY) throw new WasiError(E.NOTDIR, path);
    if (c.length > 255) throw new WasiError(E.NAMETOOLONG, path);
    const node = cur.entries.get(c);
    if (!node) {
      if (last) return { dir: cur, name: c, node: null, trailing, viaLink };
      throw new WasiError(E.NOENT, path);
    }
    if (node.type === FILETYPE.SYMBOLIC_LINK && (!last || follow || trailing)) {
      if (++links > MAX_LINKS) throw new WasiError(E.LOOP, path);
      if (node.target.startsWith('/')) throw new WasiError(E.NOTCAPABLE, `link to absolute ${node.target}`);
      if (node.target === '') throw new WasiError(E.NOENT, path);
      if (last && node.target.endsWith('/')) trailing = true;
      viaLink = last;
      queue.unshift(...node.target.split('/').filter((p) => p !== ''));
      continue;
    }
    if (last) return { dir: cur, name: c, node, trailing, viaLink };
    stack.push(node);
  }
  const node = stack[stack.length - 1];
  if (node.type !== FILETYPE.DIRECTORY) throw new WasiError(E.NOTDIR, path);
  return { dir: stack.length > 1 ? stack[stack.length - 2] : node, name: null, node, trailing, viaLink };
}
