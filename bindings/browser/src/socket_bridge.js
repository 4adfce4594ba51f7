// The page's half of the socket extension: carries a guest's socket calls
// (posted by its Worker through shared memory, bridge_protocol.js) over
// WebSockets to the `vivarium serve --gateway` endpoint. One WebSocket per
// guest socket; the gateway's close codes become the guest's errno.
import { OP, makeChannel, views, POLL_READABLE, POLL_HANGUP } from './bridge_protocol.js';
import { E } from './constants.js';

const CLOSE_ERRNO = { 4403: E.NOTCAPABLE, 4401: E.ACCES, 4429: E.AGAIN, 4400: E.INVAL, 4502: E.CONNREFUSED };
const HIGH_WATER = 1 << 20;  // bytes queued in a WebSocket before send waits (backpressure)

class GatewaySocket {
  constructor(url) {
    this.queue = [];
    this.eof = false;
    this.waiters = [];
    this.ws = new WebSocket(url);
    this.ws.binaryType = 'arraybuffer';
    this.opened = new Promise((resolve) => {
      this.ws.onmessage = (m) => {
        if (typeof m.data === 'string') { if (m.data.startsWith('connected')) resolve(E.SUCCESS); return; }
        this.queue.push(new Uint8Array(m.data));
        this.wake();
      };
      this.ws.onclose = (c) => {
        this.closeCode = c.code;
        this.closeReason = c.reason;
        this.eof = true;
        resolve(CLOSE_ERRNO[c.code] ?? E.CONNREFUSED);
        this.wake();
      };
    });
  }
  wake() { for (const w of this.waiters.splice(0)) w(); }
  async readable() { while (!this.queue.length && !this.eof) await new Promise((r) => this.waiters.push(r)); }
  take(dst) {
    let n = 0;
    while (this.queue.length && n < dst.length) {
      const head = this.queue[0], k = Math.min(head.length, dst.length - n);
      dst.set(head.subarray(0, k), n);
      n += k;
      if (k === head.length) this.queue.shift(); else this.queue[0] = head.subarray(k);
    }
    return n;
  }
}

/** Starts serving one Worker's socket calls; gateway: { url: 'ws://127.0.0.1:PORT/connect', token }. */
export function startSocketBridge(gateway) {
  const shared = makeChannel();
  const { ctl, data } = views(shared);
  const sockets = new Map();
  let nextId = 1, running = true;

  async function serve(op, id, len, port) {
    const s = sockets.get(id);
    switch (op) {
      case OP.CONNECT: {
        const host = new TextDecoder().decode(data.slice(0, len));
        const url = `${gateway.url}?host=${encodeURIComponent(host)}&port=${port}&token=${encodeURIComponent(gateway.token)}`;
        const sock = new GatewaySocket(url);
        const errno = await sock.opened;
        if (errno !== E.SUCCESS) return -errno;
        sockets.set(nextId, sock);
        return nextId++;
      }
      case OP.SEND:
        if (!s || s.ws.readyState !== WebSocket.OPEN) return -E.PIPE;
        while (s.ws.bufferedAmount > HIGH_WATER) await new Promise((r) => setTimeout(r, 5));
        s.ws.send(data.slice(0, len));
        return len;
      case OP.RECV:
        if (!s) return -E.BADF;
        await s.readable();
        return s.take(data.subarray(0, len));
      case OP.POLL:
        if (!s) return -E.BADF;
        return (s.queue.length ? POLL_READABLE : 0) | (s.eof ? POLL_HANGUP | POLL_READABLE : 0);
      case OP.SHUTDOWN:
        if (s && s.ws.readyState === WebSocket.OPEN && len & 2) s.ws.send('shutdown');
        return 0;
      case OP.CLOSE:
        if (s) { s.ws.close(1000); sockets.delete(id); }
        return 0;
      default:
        return -E.NOSYS;
    }
  }

  (async () => {
    while (running) {
      if (Atomics.load(ctl, 0) !== 1) {
        const w = Atomics.waitAsync(ctl, 0, Atomics.load(ctl, 0), 200);
        await w.value;
        continue;
      }
      let result;
      try {
        result = await serve(ctl[1], ctl[2], ctl[3], ctl[5]);
      } catch {
        result = -E.IO;
      }
      ctl[4] = result;
      Atomics.store(ctl, 0, 2);
      Atomics.notify(ctl, 0);
    }
  })();

  return {
    shared,
    close() {
      running = false;
      for (const s of sockets.values()) s.ws.close(1000);
    },
  };
}
