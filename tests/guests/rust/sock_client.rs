//! The seed proposal's Rust client: it imports the one new call,
//! sock_connect(ipv4, port, fd_out), next to preview1's sock_send, sock_recv
//! and sock_shutdown (extern "C", no crates), connects, sends a message, and
//! prints the answer. Built by Debian's rustc (1.63) for wasm32-wasi.
//! Usage: sock_client_rs.wasm A.B.C.D PORT MESSAGE. Prints "connect: ERRNO"
//! and, once connected, "send: ERRNO", "reply: ..." and "close: ERRNO".
use std::net::Ipv4Addr;
use std::process::exit;

#[repr(C)]
struct IoVec {
    buf: *const u8,
    len: usize,
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn sock_connect(ipv4: u32, port: u32, fd_out: *mut u32) -> u32;
    fn sock_send(fd: u32, iovs: *const IoVec, iovs_len: usize, flags: u32, sent: *mut usize) -> u32;
    fn sock_recv(fd: u32, iovs: *const IoVec, iovs_len: usize, flags: u32, got: *mut usize, oflags: *mut u32)
        -> u32;
    fn sock_shutdown(fd: u32, how: u32) -> u32;
    fn fd_close(fd: u32) -> u32;
}

const SHUT_WR: u32 = 2;

fn send_all(fd: u32, mut data: &[u8]) -> u32 {
    while !data.is_empty() {
        let iov = IoVec { buf: data.as_ptr(), len: data.len() };
        let mut sent = 0usize;
        let err = unsafe { sock_send(fd, &iov, 1, 0, &mut sent) };
        if err != 0 {
            return err;
        }
        data = &data[sent..];
    }
    0
}

fn recv_all(fd: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let iov = IoVec { buf: buf.as_mut_ptr(), len: buf.len() };
        let (mut got, mut oflags) = (0usize, 0u32);
        let err = unsafe { sock_recv(fd, &iov, 1, 0, &mut got, &mut oflags) };
        if err != 0 {
            println!("recv: {}", err);
            break;
        }
        if got == 0 {
            break;
        }
        out.extend_from_slice(&buf[..got]);
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        println!("usage: sock_client_rs A.B.C.D PORT MESSAGE");
        exit(2);
    }
    let (ip, port) = match (args[1].parse::<Ipv4Addr>(), args[2].parse::<u16>()) {
        (Ok(ip), Ok(port)) => (ip, port),
        _ => {
            println!("bad address {}:{}", args[1], args[2]);
            exit(2);
        }
    };
    let mut fd = 0u32;
    // u32::from(Ipv4Addr): first octet most significant, as the seed's host reads it.
    let err = unsafe { sock_connect(u32::from(ip), u32::from(port), &mut fd) };
    println!("connect: {}", err);
    if err != 0 {
        exit(1);
    }
    println!("send: {}", send_all(fd, args[3].as_bytes()));
    println!("shutdown: {}", unsafe { sock_shutdown(fd, SHUT_WR) });
    println!("reply: {}", String::from_utf8_lossy(&recv_all(fd)));
    println!("close: {}", unsafe { fd_close(fd) });
}
