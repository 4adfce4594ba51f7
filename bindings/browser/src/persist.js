// Keeping a file-system tree across page loads in IndexedDB: one record per
// node (path -> kind, chunks or link target), written and read chunk by chunk.
import { Dir, File, Symlink, CHUNK } from './memfs.js';
import { FILETYPE } from './constants.js';

const STORE = 'nodes';

function open(name) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

function* walk(dir, prefix = '') {
  for (const [name, node] of dir.entries) {
    const path = prefix + name;
    yield [path, node];
    if (node.type === FILETYPE.DIRECTORY) yield* walk(node, path + '/');
  }
}

/** Replaces database `name`'s content with the tree under `dir`. */
export async function saveTree(name, dir) {
  const db = await open(name);
  const tx = db.transaction(STORE, 'readwrite'), store = tx.objectStore(STORE);
  store.clear();
  for (const [path, node] of walk(dir)) {
    if (node.type === FILETYPE.DIRECTORY) store.put({ kind: 'dir' }, path);
    else if (node.type === FILETYPE.SYMBOLIC_LINK) store.put({ kind: 'link', target: node.target }, path);
    else store.put({ kind: 'file', size: node.size, chunks: node.chunks.map((c) => c ?? null) }, path);
  }
  await done(tx);
  db.close();
}

/** Builds a Dir from database `name` (empty when it has never been saved). */
export async function loadTree(name) {
  const db = await open(name);
  const tx = db.transaction(STORE, 'readonly'), store = tx.objectStore(STORE);
  const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()].map((r) =>
    new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); })));
  db.close();
  const root = new Dir();
  keys.forEach((path, i) => {
    const v = values[i];
    if (v.kind === 'dir') root.ensure(path);
    else if (v.kind === 'link') root.ensure(path, () => new Symlink(v.target));
    else {
      root.ensure(path, () => {
        const f = new File();
        f.chunks = v.chunks.map((c) => (c ? new Uint8Array(c).slice(0, CHUNK) : undefined));
        f.size = v.size;
        return f;
      });
    }
  });
  return root;
}
