// The Worker's half of the socket extension: the socket imports `vivarium
// run` accepts -- the seed proposal's sock_connect(ipv4, port, fd_out) and
// WAMR lib-socket's sock_open/sock_connect(fd, addr) for TCP over IPv4 --
// plus sock_send/sock_recv/sock_shutdown and fd_read/fd_write/poll/close on
// the socket fds. Each call is posted to the page (socket_bridge.js), which
// carries it over the gateway; this thread blocks on Atomics.wait meanwhile.
import { OP, views, POLL_READABLE, POLL_HANGUP } from './bridge_protocol.js';
import { E, WasiError, FILETYPE, RIGHTS_SOCKET, EVENTTYPE } from './constants.js';
import { Fd } from './fdtable.js';

function call(ch, op, id, len = 0, port = 0) {
  const { ctl } = ch;
  ctl[1] = op; ctl[2] = id; ctl[3] = len; ctl[5] = port;
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
  while (Atomics.load(ctl, 0) !== 2) Atomics.wait(ctl, 0, 1, 1000);
  const r = ctl[4];
  Atomics.store(ctl, 0, 0);
  if (r < 0) throw new WasiError(-r);
  return r;
}

function socketStream(ch, id) {
  return {
    read(dst) {
      const n = call(ch, OP.RECV, id, Math.min(dst.length, ch.data.length));
      dst.set(ch.data.subarray(0, n));
      return n;
    },
    write(src) {
      let done = 0;
      while (done < src.length) {
        const part = src.subarray(done, done + ch.data.length);
        ch.data.set(part);
        done += call(ch, OP.SEND, id, part.length);
      }
      return done;
    },
    poll(s) {
      if (s.tag === EVENTTYPE.FD_WRITE) return { ...s, error: 0, nbytes: ch.data.length };
      const st = call(ch, OP.POLL, id);
      return st & POLL_READABLE ? { ...s, error: 0, nbytes: 0, hangup: !!(st & POLL_HANGUP) } : null;
    },
    shutdown(how) { call(ch, OP.SHUTDOWN, id, how); },
    close() { call(ch, OP.CLOSE, id); },
  };
}

/** The extension for Wasi's `extensions` option; `shared` is the bridge's SharedArrayBuffer. */
export function socketExtension(shared) {
  const ch = views(shared);
  return (wasi) => {
    const enc = new TextEncoder();
    const connect = (ipv4, port) => {
      const host = [ipv4 >>> 24, (ipv4 >>> 16) & 255, (ipv4 >>> 8) & 255, ipv4 & 255].join('.');
      const bytes = enc.encode(host);
      ch.data.set(bytes);
      return call(ch, OP.CONNECT, 0, bytes.length, port);
    };
    const sock = (fd) => {
      const f = wasi.fds.get(fd);
      if (f.type !== FILETYPE.SOCKET_STREAM) throw new WasiError(E.NOTSOCK);
      return f;
    };
    const open = new Set();  // WAMR sock_open fds not yet connected
    return wasi.wrap({
      // Seed: (ipv4, port, fd_out). WAMR: (fd, addr*) -- two arguments.
      sock_connect(a, b, c) {
        if (c === undefined) {
          const v = wasi.view();
          if (!open.has(a)) throw new WasiError(E.BADF);
          if (v.getUint32(b, true) !== 0) throw new WasiError(E.AFNOSUPPORT, 'IPv4 only through the gateway');
          const ip = (v.getUint8(b + 4) << 24 | v.getUint8(b + 5) << 16 | v.getUint8(b + 6) << 8 | v.getUint8(b + 7)) >>> 0;
          const id = connect(ip, v.getUint16(b + 8, true));
          wasi.fds.get(a).stream = socketStream(ch, id);
          open.delete(a);
          return;
        }
        wasi.bytes(c, 4);
        const id = connect(a >>> 0, b);
        const fd = wasi.fds.add(new Fd({ type: FILETYPE.SOCKET_STREAM, base: RIGHTS_SOCKET, stream: socketStream(ch, id) }));
        wasi.view().setUint32(c, fd, true);
      },
      sock_open(_pool, af, type, fdOut) {
        if (af !== 0 || type !== 1) throw new WasiError(E.AFNOSUPPORT, 'TCP over IPv4 only through the gateway');
        const fd = wasi.fds.add(new Fd({ type: FILETYPE.SOCKET_STREAM, base: RIGHTS_SOCKET,
          stream: { read() { throw new WasiError(E.NOTCONN); }, write() { throw new WasiError(E.NOTCONN); }, close() {} } }));
        open.add(fd);
        wasi.view().setUint32(fdOut, fd, true);
      },
      sock_send(fd, iovs, count, _flags, sentPtr) {
        const f = sock(fd);
        let n = 0;
        for (const b of wasi.iovecs(iovs, count)) n += f.stream.write(b);
        wasi.view().setUint32(sentPtr, n, true);
      },
      sock_recv(fd, iovs, count, _flags, recvPtr, flagsPtr) {
        const f = sock(fd);
        let n = 0;
        for (const b of wasi.iovecs(iovs, count)) {
          const got = f.stream.read(b);
          n += got;
          if (got < b.length) break;
        }
        const v = wasi.view();
        v.setUint32(recvPtr, n, true);
        v.setUint16(flagsPtr, 0, true);
      },
      sock_shutdown(fd, how) {
        const f = sock(fd);
        if (how < 1 || how > 3) throw new WasiError(E.INVAL);
        f.stream.shutdown?.(how);
      },
    });
  };
}
