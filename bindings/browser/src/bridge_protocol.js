// The shared-memory channel between a guest's Worker (which blocks) and the
// page's thread (which owns the WebSockets): one request at a time.
//   ctl[0] state: 0 idle, 1 request posted, 2 answer ready
//   ctl[1] op, ctl[2] socket id, ctl[3] length / argument, ctl[4] result,
//   ctl[5] port / timeout (ms) / address family; data: up to DATA_BYTES of
//   payload either way.
// Requests (data in -> data out; result: a count or id, or -errno):
//   CONNECT   host text, port           -> stream id
//   SEND      bytes                     -> bytes taken
//   RECV      (len: at most)            -> bytes
//   POLL      -                         -> POLL_* bits
//   SHUTDOWN  (len: how)  CLOSE -       -> 0
//   UDP_OPEN  -                         -> datagram socket id
//   SEND_TO   peer (4 address bytes, 2 port bytes, big-endian) + payload -> payload bytes sent
//   RECV_FROM (len: at most, arg: timeout ms, 0 none) -> peer + payload; result: payload bytes
//   RESOLVE   name text (arg: 4, 6 or 0 for both) -> "A B ..." text; result: its length
//   LISTEN    host text, port           -> listener id
//   ACCEPT    (id: the listener)        -> "PEER:PORT" text in data; result: stream id
export const OP = Object.freeze({ CONNECT: 1, SEND: 2, RECV: 3, POLL: 4, SHUTDOWN: 5, CLOSE: 6,
  UDP_OPEN: 7, SEND_TO: 8, RECV_FROM: 9, RESOLVE: 10, LISTEN: 11, ACCEPT: 12 });
export const DATA_BYTES = 64 * 1024;
export const CTL_BYTES = 64;
export const PEER_BYTES = 6;
export const POLL_READABLE = 1, POLL_HANGUP = 2;

export function makeChannel() {
  const sab = new SharedArrayBuffer(CTL_BYTES + DATA_BYTES);
  return sab;
}

export function views(sab) {
  return { ctl: new Int32Array(sab, 0, CTL_BYTES / 4), data: new Uint8Array(sab, CTL_BYTES, DATA_BYTES) };
}
