// The shared-memory channel between a guest's Worker (which blocks) and the
// page's thread (which owns the WebSockets): one request at a time.
//   ctl[0] state: 0 idle, 1 request posted, 2 answer ready
//   ctl[1] op, ctl[2] socket id, ctl[3] length / argument, ctl[4] result,
//   ctl[5] port / flags; data: up to DATA_BYTES of payload either way.
export const OP = Object.freeze({ CONNECT: 1, SEND: 2, RECV: 3, POLL: 4, SHUTDOWN: 5, CLOSE: 6 });
export const DATA_BYTES = 64 * 1024;
export const CTL_BYTES = 64;
export const POLL_READABLE = 1, POLL_HANGUP = 2;

export function makeChannel() {
  const sab = new SharedArrayBuffer(CTL_BYTES + DATA_BYTES);
  return sab;
}

export function views(sab) {
  return { ctl: new Int32Array(sab, 0, CTL_BYTES / 4), data: new Uint8Array(sab, CTL_BYTES, DATA_BYTES) };
}
