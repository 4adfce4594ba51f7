// Socket addresses in guest memory, as each ABI spells them (IPv4 only: the
// gateway carries no IPv6). An address here is { ip: [a, b, c, d], port }.
//  * WAMR's __wasi_addr_t (24 bytes): u32 kind (0 IPv4), the 4 octets at 4,
//    a u16 port (host order) at 8.
//  * WasmEdge's {buf: u32, len: u32}: the buffer holds the 4 raw octets, or
//    is a 128-byte storage with a u16 family (1 IPv4) and the octets at 2;
//    ports travel apart, as numbers.
import { E, WasiError } from './constants.js';

export const WAMR_ADDR_BYTES = 24;
const WE_INET4 = 1, WE_STORAGE = 128;

export const ipText = (ip) => ip.join('.');
export function ipFromText(t) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
  if (!m) return null;
  const ip = m.slice(1).map(Number);
  return ip.every((o) => o < 256) ? ip : null;
}
/** "1.2.3.4:80" -> { ip, port }. */
export function parsePeer(t) {
  const i = t.lastIndexOf(':');
  return { ip: ipFromText(t.slice(0, i)) ?? [0, 0, 0, 0], port: Number(t.slice(i + 1)) };
}
/** The gateway's 6-byte peer header. */
export function peerBytes({ ip, port }) { return Uint8Array.of(...ip, port >> 8, port & 255); }
export function peerFromBytes(b) { return { ip: [b[0], b[1], b[2], b[3]], port: b[4] << 8 | b[5] }; }

export function readWamr(wasi, ptr) {
  const b = wasi.bytes(ptr, WAMR_ADDR_BYTES), v = wasi.view();
  if (v.getUint32(ptr, true) !== 0) throw new WasiError(E.AFNOSUPPORT, 'IPv4 only through the gateway');
  return { ip: [b[4], b[5], b[6], b[7]], port: v.getUint16(ptr + 8, true) };
}
export function writeWamr(wasi, ptr, { ip, port }) {
  const b = wasi.bytes(ptr, WAMR_ADDR_BYTES);
  b.fill(0);
  b.set(ip, 4);
  wasi.view().setUint16(ptr + 8, port, true);
}

function weBuffer(wasi, ptr) {
  const v = wasi.view();
  const buf = v.getUint32(ptr, true), len = v.getUint32(ptr + 4, true);
  return { buf, len };
}
export function readWasmEdge(wasi, ptr, port) {
  const { buf, len } = weBuffer(wasi, ptr);
  if (port > 65535) throw new WasiError(E.INVAL, 'port');
  if (len === 4) return { ip: [...wasi.bytes(buf, 4)], port };
  if (len === 16) throw new WasiError(E.AFNOSUPPORT, 'IPv4 only through the gateway');
  if (len !== WE_STORAGE) throw new WasiError(E.INVAL, `address length ${len}`);
  if (wasi.view().getUint16(buf, true) !== WE_INET4) throw new WasiError(E.AFNOSUPPORT, 'IPv4 only through the gateway');
  return { ip: [...wasi.bytes(buf + 2, 4)], port };
}
/** Writes the address into the buffer ptr names (storage or raw form); the port is the caller's. */
export function writeWasmEdge(wasi, ptr, { ip }) {
  const { buf, len } = weBuffer(wasi, ptr);
  if (len === WE_STORAGE) {
    wasi.bytes(buf, WE_STORAGE).fill(0);
    wasi.view().setUint16(buf, WE_INET4, true);
    wasi.bytes(buf + 2, 4).set(ip);
  } else if (len >= 4) {
    wasi.bytes(buf, 4).set(ip);
  } else {
    throw new WasiError(E.INVAL, 'address buffer too small');
  }
}
