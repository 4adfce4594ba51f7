// The page's half of the socket extension: carries a guest's socket calls
// (posted by its Worker through shared memory, bridge_protocol.js) over
// WebSockets to the `vivarium serve --gateway` endpoint (gateway_sockets.js).
import { OP, makeChannel, views, POLL_READABLE, POLL_HANGUP, PEER_BYTES } from './bridge_protocol.js';
import { E } from './constants.js';
import { GatewayStream, GatewayUdp, GatewayListener, resolveName } from './gateway_sockets.js';

const HIGH_WATER = 1 << 20;  // bytes queued in a WebSocket before send waits (backpressure)
const enc = new TextEncoder(), dec = new TextDecoder();

/**
 * Starts serving one Worker's socket calls. gateway: { url, token }, url the
 * gateway's base ('ws://127.0.0.1:PORT') or its /connect endpoint.
 */
export function startSocketBridge(gateway) {
  const shared = makeChannel();
  const { ctl, data } = views(shared);
  const sockets = new Map();
  const base = gateway.url.replace(/\/connect\/?$/, '').replace(/\/$/, '');
  const url = (path, params) => `${base}${path}?${new URLSearchParams({ ...params, token: gateway.token })}`;
  let nextId = 1, running = true;

  async function open(sock) {
    const errno = await sock.opened;
    if (errno !== E.SUCCESS) return -errno;
    sockets.set(nextId, sock);
    return nextId++;
  }
  const text = (len) => dec.decode(data.slice(0, len));
  const answer = (s) => { const b = enc.encode(s); data.set(b); return b.length; };

  async function serve(op, id, len, arg) {
    const s = sockets.get(id);
    switch (op) {
      case OP.CONNECT:
        return open(new GatewayStream(url('/connect', { host: text(len), port: arg })));
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
        return (s.ready() ? POLL_READABLE : 0) | (s.eof ? POLL_HANGUP | POLL_READABLE : 0);
      case OP.SHUTDOWN:
        if (s && s.ws.readyState === WebSocket.OPEN && len & 2) s.ws.send('shutdown');
        return 0;
      case OP.CLOSE:
        if (s) { s.close(); sockets.delete(id); }
        return 0;
      case OP.UDP_OPEN:
        return open(new GatewayUdp(url('/udp', {})));
      case OP.SEND_TO:
        if (!(s instanceof GatewayUdp) || s.eof) return -E.BADF;
        return s.sendTo(data.slice(0, len));
      case OP.RECV_FROM: {
        if (!(s instanceof GatewayUdp)) return -E.BADF;
        if (!(await s.readable(arg))) return -E.AGAIN;
        if (!s.queue.length) return -E.NOTCONN;
        const d = s.queue.shift(), n = Math.min(d.length - PEER_BYTES, len);
        data.set(d.subarray(0, PEER_BYTES + n));
        return n;
      }
      case OP.RESOLVE: {
        const families = arg === 0 ? ['4', '6'] : [String(arg)];
        const found = [];
        let err = -E.NOENT;
        for (const family of families) {
          const r = await resolveName(url('/resolve', { name: text(len), family }));
          if (typeof r === 'string') found.push(...r.split(' ').filter(Boolean));
          else if (err === -E.NOENT) err = r;  // a refusal says more than "not found"
        }
        if (!found.length) return err;
        return answer(found.join(' '));
      }
      case OP.LISTEN:
        return open(new GatewayListener(url('/listen', { host: text(len), port: arg })));
      case OP.ACCEPT: {
        if (!(s instanceof GatewayListener)) return -E.BADF;
        await s.readable();
        if (!s.accepted.length) return -E.NOTCONN;
        const { id: which, peer } = s.accepted.shift();
        const r = await open(new GatewayStream(url('/accept', { id: which })));
        if (r > 0) answer(`${peer}\0`);
        return r;
      }
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
      for (const s of sockets.values()) s.close();
    },
  };
}
