// The seed proposal's AssemblyScript client: it declares the one new call,
// sock_connect(ipv4, port, fd_out), next to preview1's sock_send, sock_recv
// and sock_shutdown, connects, sends a message, and prints the answer.
// Usage: sock_client.wasm A.B.C.D PORT MESSAGE. Prints "connect: ERRNO" and,
// once connected, "send: ERRNO", "reply: ..." and "close: ERRNO".

@external("wasi_snapshot_preview1", "sock_connect")
declare function sock_connect(ipv4: u32, port: u16, fd_out: usize): u16;
@external("wasi_snapshot_preview1", "sock_send")
declare function sock_send(fd: u32, iovs: usize, iovs_len: u32, flags: u16, sent_out: usize): u16;
@external("wasi_snapshot_preview1", "sock_recv")
declare function sock_recv(fd: u32, iovs: usize, iovs_len: u32, flags: u16, got_out: usize, oflags_out: usize): u16;
@external("wasi_snapshot_preview1", "sock_shutdown")
declare function sock_shutdown(fd: u32, how: u8): u16;
@external("wasi_snapshot_preview1", "fd_close")
declare function fd_close(fd: u32): u16;

const SHUT_WR: u8 = 2;

// 127.0.0.1 -> 0x7F000001: first octet most significant, as the seed's host
// reads it with Rust's Ipv4Addr::from(u32). Returns -1 for a malformed one.
function parseIpv4(text: string): i64 {
  const parts = text.split(".");
  if (parts.length != 4) return -1;
  let addr: u32 = 0;
  for (let i = 0; i < 4; i++) {
    const octet = I32.parseInt(parts[i]);
    if (octet < 0 || octet > 255) return -1;
    addr = (addr << 8) | <u32>octet;
  }
  return <i64>addr;
}

function sendAll(fd: u32, data: ArrayBuffer): u16 {
  const iov = new StaticArray<u32>(2);
  const sent = memory.data(4);
  let offset = 0;
  while (offset < data.byteLength) {
    iov[0] = <u32>changetype<usize>(data) + <u32>offset;
    iov[1] = <u32>(data.byteLength - offset);
    const err = sock_send(fd, changetype<usize>(iov), 1, 0, sent);
    if (err != 0) return err;
    offset += load<u32>(sent);
  }
  return 0;
}

function recvAll(fd: u32): string {
  const buf = new ArrayBuffer(4096);
  const iov = new StaticArray<u32>(2);
  const got = memory.data(4);
  const oflags = memory.data(4);
  let text = "";
  while (true) {
    iov[0] = <u32>changetype<usize>(buf);
    iov[1] = <u32>buf.byteLength;
    const err = sock_recv(fd, changetype<usize>(iov), 1, 0, got, oflags);
    if (err != 0) {
      console.log("recv: " + err.toString());
      break;
    }
    const n = load<u32>(got);
    if (n == 0) break;
    text += String.UTF8.decode(buf.slice(0, <i32>n));
  }
  return text;
}

const args = process.argv;
if (args.length < 4) {
  console.log("usage: sock_client A.B.C.D PORT MESSAGE");
  process.exit(2);
}
const ip = parseIpv4(args[1]);
if (ip < 0) {
  console.log("bad address " + args[1]);
  process.exit(2);
}
const fdOut = memory.data(4);
const err = sock_connect(<u32>ip, <u16>I32.parseInt(args[2]), fdOut);
console.log("connect: " + err.toString());
if (err != 0) process.exit(1);
const fd = load<u32>(fdOut);
console.log("send: " + sendAll(fd, String.UTF8.encode(args[3])).toString());
console.log("shutdown: " + sock_shutdown(fd, SHUT_WR).toString());
console.log("reply: " + recvAll(fd));
console.log("close: " + fd_close(fd).toString());
