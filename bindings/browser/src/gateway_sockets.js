// The page's WebSockets to the `vivarium serve --gateway` endpoint, one per
// guest socket (server/gateway/gateway.h has the protocol): a TCP stream, a
// UDP socket, a listener, and a one-shot name look-up. A close code the
// gateway chose becomes the guest's errno.
import { E } from './constants.js';

export const CLOSE_ERRNO = { 4403: E.NOTCAPABLE, 4401: E.ACCES, 4429: E.AGAIN, 4400: E.INVAL, 4404: E.NOENT, 4502: E.CONNREFUSED };

/** A WebSocket whose first text message `ready(text)` accepts opens it; `opened` resolves to an errno. */
class GatewayWs {
  constructor(url, ready) {
    this.queue = [];
    this.eof = false;
    this.waiters = [];
    this.ws = new WebSocket(url);
    this.ws.binaryType = 'arraybuffer';
    let isOpen = false;
    this.opened = new Promise((resolve) => {
      this.ws.onmessage = (m) => {
        if (typeof m.data !== 'string') { this.queue.push(new Uint8Array(m.data)); this.wake(); return; }
        if (!isOpen && ready(m.data)) { isOpen = true; this.first = m.data; resolve(E.SUCCESS); return; }
        this.text(m.data);
      };
      this.ws.onclose = (c) => {
        this.closeCode = c.code;
        this.closeReason = c.reason;
        this.eof = true;
        resolve(CLOSE_ERRNO[c.code] ?? E.CONNREFUSED);
        this.ended();
        this.wake();
      };
    });
  }
  text() {}
  ended() {}
  wake() { for (const w of this.waiters.splice(0)) w(); }
  /** Until something is queued, the socket ended, or `ms` passed (0: no limit); false on the timeout. */
  async readable(ms = 0) {
    const deadline = ms ? performance.now() + ms : Infinity;
    while (!this.ready() && !this.eof) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise((r) => { this.waiters.push(r); if (ms) setTimeout(r, left); });
    }
    return true;
  }
  ready() { return this.queue.length > 0; }
  close() { if (this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000); }
}

/** /connect: bytes both ways; "eof" ends the reading side only (the guest may still send). */
export class GatewayStream extends GatewayWs {
  constructor(url) { super(url, (t) => t.startsWith('connected')); }
  text(t) { if (t === 'eof') { this.eof = true; this.wake(); } }
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

/** /udp: datagrams behind a 6-byte peer header; each send answered in order. */
export class GatewayUdp extends GatewayWs {
  constructor(url) {
    super(url, (t) => t === 'ready');
    this.acks = [];
  }
  text(t) { this.acks.shift()?.(t); }
  ended() { for (const ack of this.acks.splice(0)) ack('error closed'); }
  /** Resolves to the payload bytes sent, or -errno (a refusal: -NOTCAPABLE). */
  sendTo(datagram) {
    return new Promise((resolve) => {
      this.acks.push((t) => resolve(t.startsWith('sent ') ? Number(t.slice(5)) : t.startsWith('denied') ? -E.NOTCAPABLE : -E.IO));
      this.ws.send(datagram);
    });
  }
}

/** /listen: "accepted ID PEER" for each connection, taken with /accept?id=ID. */
export class GatewayListener extends GatewayWs {
  constructor(url) {
    super(url, (t) => t.startsWith('listening'));
    this.accepted = [];
  }
  text(t) {
    const [word, id, peer] = t.split(' ');
    if (word === 'accepted') { this.accepted.push({ id, peer }); this.wake(); }
  }
  ready() { return this.accepted.length > 0; }
}

/** /resolve: the addresses, or -errno. */
export function resolveName(url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let answer = null;
    ws.onmessage = (m) => { if (typeof m.data === 'string' && m.data.startsWith('addresses')) answer = m.data.slice(10); };
    ws.onclose = (c) => resolve(answer !== null ? answer : -(CLOSE_ERRNO[c.code] ?? E.IO));
  });
}
