// The Worker's half of the socket extension: the socket ABIs `vivarium run`
// accepts -- the seed proposal's sock_connect(ipv4, port, fd_out); WAMR
// lib-socket's sock_open/bind/listen/connect(fd, addr), sock_send_to/
// sock_recv_from, sock_addr_resolve, sock_addr_remote, timeouts; WasmEdge's
// sock_open(family, type, fd_out), sock_connect/bind(fd, addr, port), its
// send_to/recv_from and *_v2 calls, sock_getpeeraddr -- plus preview1's
// sock_send/recv/shutdown/accept and fd_read/fd_write/poll/close on the socket
// fds. Each call is posted to the page (socket_bridge.js), which carries it
// over the gateway; this thread blocks on Atomics.wait meanwhile.
//
// Colliding names are told apart as natively (host/wasi/socket_abi.h): by the
// call's argument count, and for the 3-argument sock_connect (the seed's and
// WasmEdge's) by the module's WasmEdge-only imports or an fd sock_open made.
// A refusal by the token's policy is what the ABI says: ACCES for WAMR's
// calls, NOTCAPABLE for the seed's and WasmEdge's.
import { OP, views, POLL_READABLE, POLL_HANGUP, PEER_BYTES } from './bridge_protocol.js';
import { E, WasiError, FILETYPE, RIGHTS_SOCKET, EVENTTYPE } from './constants.js';
import { Fd } from './fdtable.js';
import * as A from './socket_addr.js';

const WASMEDGE_ONLY = ['sock_getlocaladdr', 'sock_getpeeraddr', 'sock_getlocaladdr_v2', 'sock_getpeeraddr_v2',
  'sock_open_v2', 'sock_connect_v2', 'sock_getaddrinfo', 'sock_setsockopt', 'sock_getsockopt'];
const WAMR_ONLY = ['sock_addr_resolve', 'sock_addr_local', 'sock_addr_remote', 'sock_set_recv_timeout', 'sock_get_recv_timeout'];
const enc = new TextEncoder(), dec = new TextDecoder();

/** 'seed', 'wamr' or 'wasmedge' from a module's wasi_snapshot_preview1 import names. */
export function socketAbi(importNames) {
  if (importNames.some((n) => WASMEDGE_ONLY.includes(n))) return 'wasmedge';
  if (importNames.some((n) => WAMR_ONLY.includes(n))) return 'wamr';
  return 'seed';
}

function call(ch, op, id, len = 0, arg = 0) {
  const { ctl } = ch;
  ctl[1] = op; ctl[2] = id; ctl[3] = len; ctl[5] = arg;
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
  while (Atomics.load(ctl, 0) !== 2) Atomics.wait(ctl, 0, 1, 1000);
  const r = ctl[4];
  Atomics.store(ctl, 0, 0);
  if (r === -E.NOTCAPABLE) throw new WasiError(ch.refusal, 'denied by the gateway token\'s policy');
  if (r < 0) throw new WasiError(-r);
  return r;
}

/** A socket fd's state; its `stream` serves fd_read/fd_write/poll_oneoff/fd_close. */
class Sock {
  constructor(ch, udp) { Object.assign(this, { ch, udp, id: 0, listening: false, peer: null, recvTimeoutUs: 0n, sendTimeoutUs: 0n }); }
  get connected() { return this.id !== 0 && !this.listening && (!this.udp || this.peer); }
  ensureUdp() { if (!this.id) this.id = call(this.ch, OP.UDP_OPEN, 0); }
  sendTo(src, to) {
    this.ensureUdp();
    const d = this.ch.data, head = A.peerBytes(to);
    const n = Math.min(src.length, d.length - PEER_BYTES);
    d.set(head);
    d.set(src.subarray(0, n), PEER_BYTES);
    return call(this.ch, OP.SEND_TO, this.id, PEER_BYTES + n);
  }
  recvFrom(dst) {
    if (!this.id) throw new WasiError(E.NOTCONN);
    const ms = this.recvTimeoutUs ? Math.max(1, Number(this.recvTimeoutUs / 1000n)) : 0;
    const n = call(this.ch, OP.RECV_FROM, this.id, dst.length, ms);
    const from = A.peerFromBytes(this.ch.data);
    dst.set(this.ch.data.subarray(PEER_BYTES, PEER_BYTES + n));
    return { n, from };
  }
  read(dst) {
    if (this.udp) return this.recvFrom(dst).n;
    if (!this.connected) throw new WasiError(E.NOTCONN);
    const n = call(this.ch, OP.RECV, this.id, Math.min(dst.length, this.ch.data.length));
    dst.set(this.ch.data.subarray(0, n));
    return n;
  }
  write(src) {
    if (this.udp) {
      if (!this.peer) throw new WasiError(E.DESTADDRREQ);
      return this.sendTo(src, this.peer);
    }
    if (!this.connected) throw new WasiError(E.NOTCONN);
    let done = 0;
    while (done < src.length) {
      const part = src.subarray(done, done + this.ch.data.length);
      this.ch.data.set(part);
      done += call(this.ch, OP.SEND, this.id, part.length);
    }
    return done;
  }
  poll(s) {
    if (s.tag === EVENTTYPE.FD_WRITE) return { ...s, error: 0, nbytes: this.ch.data.length };
    if (!this.id) return null;
    const st = call(this.ch, OP.POLL, this.id);
    return st & POLL_READABLE ? { ...s, error: 0, nbytes: 0, hangup: !!(st & POLL_HANGUP) } : null;
  }
  shutdown(how) { if (this.id && !this.udp) call(this.ch, OP.SHUTDOWN, this.id, how); }
  close() { if (this.id) call(this.ch, OP.CLOSE, this.id); this.id = 0; }
}

/**
 * The extension for Wasi's `extensions` option; `shared` is the bridge's
 * SharedArrayBuffer, `importNames` the module's wasi_snapshot_preview1 imports.
 */
export function socketExtension(shared, importNames = []) {
  const ch = views(shared);
  let abi = socketAbi(importNames);
  const setAbi = (a) => { abi = a; ch.refusal = a === 'wamr' ? E.ACCES : E.NOTCAPABLE; };
  setAbi(abi);
  return (wasi) => {
    const add = (sock) => wasi.fds.add(new Fd({ type: sock.udp ? FILETYPE.SOCKET_DGRAM : FILETYPE.SOCKET_STREAM, base: RIGHTS_SOCKET, stream: sock }));
    const sock = (fd) => {
      const f = wasi.fds.get(fd);
      if (!(f.stream instanceof Sock)) throw new WasiError(E.NOTSOCK);
      return f.stream;
    };
    const out32 = (ptr, v) => { wasi.bytes(ptr, 4); wasi.view().setUint32(ptr, v, true); };
    const connect = (s, to) => {
      if (s.id && !s.udp) throw new WasiError(E.ISCONN);
      if (s.udp) { s.peer = to; return; }
      const host = enc.encode(A.ipText(to.ip));
      ch.data.set(host);
      s.id = call(ch, OP.CONNECT, 0, host.length, to.port);
      s.peer = to;
    };
    const bind = (s, at) => {
      if (s.udp) throw new WasiError(E.NOTSUP, 'a UDP socket binds no address through the gateway');
      // The gateway listens at once: the token's bind: grants answer here, as natively.
      const host = enc.encode(A.ipText(at.ip));
      ch.data.set(host);
      s.id = call(ch, OP.LISTEN, 0, host.length, at.port);
      s.listening = true;
      s.local = at;
    };
    const accept = (fd, fdOut) => {
      const s = sock(fd);
      if (!s.listening) throw new WasiError(E.INVAL);
      const id = call(ch, OP.ACCEPT, s.id);
      const c = new Sock(ch, false);
      c.id = id;
      c.peer = A.parsePeer(dec.decode(ch.data.slice(0, ch.data.indexOf(0))));
      out32(fdOut, add(c));
    };
    const gather = (iovs, count) => {
      const parts = wasi.iovecs(iovs, count), all = new Uint8Array(parts.reduce((a, b) => a + b.length, 0));
      let at = 0;
      for (const p of parts) { all.set(p, at); at += p.length; }
      return all;
    };
    const scatter = (iovs, count, src) => {
      let at = 0;
      for (const b of wasi.iovecs(iovs, count)) {
        const k = Math.min(b.length, src.length - at);
        b.set(src.subarray(at, at + k));
        at += k;
      }
      return at;
    };
    const recvFrom = (fd, iovs, count) => {
      const s = sock(fd);
      if (!s.udp) throw new WasiError(E.NOTSUP, 'recv_from on a stream');
      const buf = new Uint8Array(65507);
      const { n, from } = s.recvFrom(buf);
      return { n: scatter(iovs, count, buf.subarray(0, n)), from };
    };
    const open = (udp, fdOut) => out32(fdOut, add(new Sock(ch, udp)));
    const weOpen = (family, type, fdOut) => {
      setAbi('wasmedge');
      if (family !== 1) throw new WasiError(E.AFNOSUPPORT, 'IPv4 only through the gateway');
      if (type !== 1 && type !== 2) throw new WasiError(E.INVAL, `socket type ${type}`);
      open(type === 1, fdOut);
    };
    const weConnect = (fd, addr, port) => connect(sock(fd), A.readWasmEdge(wasi, addr, port));
    const weSendTo = (fd, iovs, count, addr, port, _flags, sentPtr) => {
      const s = sock(fd);
      out32(sentPtr, s.sendTo(gather(iovs, count), A.readWasmEdge(wasi, addr, port)));
    };
    const weRecvFrom = (fd, iovs, count, addr, _flags, portPtr, recvPtr, oflagsPtr) => {
      const { n, from } = recvFrom(fd, iovs, count);
      A.writeWasmEdge(wasi, addr, from);
      if (portPtr !== null) out32(portPtr, from.port);
      out32(recvPtr, n);
      wasi.view().setUint16(oflagsPtr, 0, true);
    };
    const wePeer = (fd, addr, kindPtr, portPtr) => {
      const s = sock(fd);
      if (!s.peer || s.listening) throw new WasiError(E.NOTCONN);
      A.writeWasmEdge(wasi, addr, s.peer);
      if (kindPtr !== null) out32(kindPtr, 4);
      out32(portPtr, s.peer.port);
    };
    const calls = {
      // Seed: (ipv4, port, fd_out). WasmEdge: (fd, addr*, port). WAMR: (fd, addr*).
      sock_connect(a, b, c) {
        if (c === undefined) { setAbi('wamr'); return connect(sock(a), A.readWamr(wasi, b)); }
        const f = wasi.fds.fds.get(a);
        if (abi === 'wasmedge' || (f?.stream instanceof Sock && !f.stream.id)) return weConnect(a, b, c);
        const ip = [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255];
        wasi.bytes(c, 4);
        const s = new Sock(ch, false);
        connect(s, { ip, port: b });
        out32(c, add(s));
      },
      sock_connect_v2: weConnect,
      // WAMR: (pool, af, type, fd_out), af 0 IPv4, type 0 datagram / 1 stream. WasmEdge: (family, type, fd_out).
      sock_open(a, b, c, d) {
        if (d === undefined) return weOpen(a, b, c);
        setAbi('wamr');
        if (b !== 0) throw new WasiError(E.AFNOSUPPORT, 'IPv4 only through the gateway');
        if (c !== 0 && c !== 1) throw new WasiError(E.INVAL, `socket type ${c}`);
        open(c === 0, d);
      },
      sock_open_v2: weOpen,
      sock_bind(fd, addr, port) { bind(sock(fd), port === undefined ? A.readWamr(wasi, addr) : A.readWasmEdge(wasi, addr, port)); },
      sock_bind_v2(fd, addr, port) { bind(sock(fd), A.readWasmEdge(wasi, addr, port)); },
      sock_listen(fd) { if (!sock(fd).listening) throw new WasiError(E.INVAL, 'listen needs a bound socket'); },
      sock_listen_v2(fd) { if (!sock(fd).listening) throw new WasiError(E.INVAL, 'listen needs a bound socket'); },
      // preview1 (fd, flags, fd_out); older WAMR (fd, fd_out).
      sock_accept(fd, a, b) { accept(fd, b === undefined ? a : b); },
      sock_accept_v2(fd, _flags, fdOut) { accept(fd, fdOut); },
      sock_send(fd, iovs, count, _flags, sentPtr) {
        const s = sock(fd);
        let n = 0;
        for (const b of wasi.iovecs(iovs, count)) n += s.write(b);
        out32(sentPtr, n);
      },
      sock_recv(fd, iovs, count, _flags, recvPtr, flagsPtr) {
        const s = sock(fd);
        let n = 0;
        if (s.udp) {
          n = recvFrom(fd, iovs, count).n;
        } else {
          for (const b of wasi.iovecs(iovs, count)) {
            const got = s.read(b);
            n += got;
            if (got < b.length) break;
          }
        }
        out32(recvPtr, n);
        wasi.view().setUint16(flagsPtr, 0, true);
      },
      sock_shutdown(fd, how) {
        const s = sock(fd);
        if (how < 1 || how > 3) throw new WasiError(E.INVAL);
        if (!s.connected) throw new WasiError(E.NOTCONN);
        s.shutdown(how);
      },
      // WAMR: (fd, iovs, n, flags, addr*, sent*). WasmEdge: (fd, iovs, n, addr*, port, flags, sent*).
      sock_send_to(fd, iovs, count, a, b, c, d) {
        if (d !== undefined) return weSendTo(fd, iovs, count, a, b, c, d);
        const s = sock(fd);
        out32(c, s.sendTo(gather(iovs, count), A.readWamr(wasi, b)));
      },
      sock_send_to_v2: weSendTo,
      // WAMR: (fd, iovs, n, flags, addr*, recvd*). WasmEdge: (fd, iovs, n, addr*, flags, recvd*, oflags*).
      sock_recv_from(fd, iovs, count, a, b, c, d) {
        if (d !== undefined) return weRecvFrom(fd, iovs, count, a, b, null, c, d);
        const { n, from } = recvFrom(fd, iovs, count);
        A.writeWamr(wasi, b, from);
        out32(c, n);
      },
      sock_recv_from_v2: weRecvFrom,
      sock_send_v2(...a) { return calls.sock_send(...a); },
      sock_recv_v2(...a) { return calls.sock_recv(...a); },
      sock_close: (fd) => wasi.fds.close(fd),
      sock_addr_remote(fd, addr) {
        const s = sock(fd);
        if (!s.peer || s.listening) throw new WasiError(E.NOTCONN);
        A.writeWamr(wasi, addr, s.peer);
      },
      // A listener's own address (what it bound); a connection's is the gateway's, not told.
      sock_addr_local(fd, addr) {
        const s = sock(fd);
        if (!s.local) throw new WasiError(E.NOTSUP, 'the local address of a connection through the gateway');
        A.writeWamr(wasi, addr, s.local);
      },
      // Kept and reported back; the gateway's own upstream sockets set TCP_NODELAY.
      sock_set_tcp_no_delay(fd, on) { sock(fd).noDelay = on ? 1 : 0; },
      sock_get_tcp_no_delay(fd, ptr) { const s = sock(fd); wasi.bytes(ptr, 1)[0] = s.noDelay ?? 0; },
      sock_getpeeraddr: (fd, addr, kindPtr, portPtr) => wePeer(fd, addr, kindPtr, portPtr),
      sock_getpeeraddr_v2: (fd, addr, portPtr) => wePeer(fd, addr, null, portPtr),
      sock_set_recv_timeout(fd, us) { sock(fd).recvTimeoutUs = BigInt.asUintN(64, us); },
      sock_get_recv_timeout(fd, ptr) { const s = sock(fd); wasi.bytes(ptr, 8); wasi.view().setBigUint64(ptr, s.recvTimeoutUs, true); },
      sock_set_send_timeout(fd, us) { sock(fd).sendTimeoutUs = BigInt.asUintN(64, us); },
      sock_get_send_timeout(fd, ptr) { const s = sock(fd); wasi.bytes(ptr, 8); wasi.view().setBigUint64(ptr, s.sendTimeoutUs, true); },
      sock_addr_resolve(hostPtr, servicePtr, hints, out, outCount, totalPtr) {
        setAbi('wamr');
        wasi.bytes(totalPtr, 4);
        wasi.bytes(out, outCount * 28);
        const host = cstring(wasi, hostPtr, 253);
        let port = 0;
        if (servicePtr !== 0) {
          const service = cstring(wasi, servicePtr, 32);
          if (service !== '' && !/^\d{1,5}$/.test(service) || Number(service) > 65535) throw new WasiError(E.INVAL, 'service names are not looked up');
          port = Number(service);
        }
        let family = 0, type = 1;
        if (hints !== 0) {
          const v = wasi.view();
          wasi.bytes(hints, 12);
          if (v.getUint8(hints + 8)) {
            type = v.getUint32(hints, true) === 0 ? 0 : 1;
            family = v.getUint32(hints + 4, true) === 1 ? 6 : 4;
          }
        }
        let ips;
        const literal = A.ipFromText(host);
        if (literal) {
          ips = family === 6 ? [] : [literal];
        } else {
          const name = enc.encode(host);
          ch.data.set(name);
          const n = call(ch, OP.RESOLVE, 0, name.length, family);
          // IPv6 answers cannot be used through the gateway: only IPv4 ones are handed out.
          ips = dec.decode(ch.data.slice(0, n)).split(' ').map(A.ipFromText).filter(Boolean);
        }
        if (!ips.length) throw new WasiError(E.NOENT);
        ips.slice(0, outCount).forEach((ip, i) => {
          A.writeWamr(wasi, out + 28 * i, { ip, port });
          wasi.view().setUint32(out + 28 * i + 24, type, true);
        });
        out32(totalPtr, ips.length);
      },
    };
    // The rest of the native ABIs' socket calls (options, local addresses,
    // WasmEdge's getaddrinfo) link, and answer NOTSUP.
    for (const n of importNames) if (n.startsWith('sock_') && !calls[n]) calls[n] = () => { throw new WasiError(E.NOTSUP, n); };
    return wasi.wrap(calls);
  };
}

/** A NUL-terminated guest string of at most `max` bytes. */
function cstring(wasi, ptr, max) {
  const mem = new Uint8Array(wasi.memory.buffer);
  const end = mem.indexOf(0, ptr);
  if (end < 0 || ptr >= mem.length) throw new RangeError('outside guest memory');
  if (end - ptr > max) throw new WasiError(E.NAMETOOLONG);
  return dec.decode(mem.subarray(ptr, end));
}
