//! wasm32-wasi: the WASI calls that Rust's std and wasi-libc make, defined
//! here on top of hostcalls, so that a guest built for wasm32-wasi still
//! imports nothing but `env.hostcall_*` (a Terrarium host links no WASI).
//!
//! wasm-ld imports a function only when nothing defines its symbol; these
//! definitions take the place of both spellings: `fd_write` (Rust's `wasi`
//! crate) and `__imported_wasi_snapshot_preview1_fd_write` (wasi-libc).
//! stdout and stderr become `debug` lines in the server log; the
//! environment and arguments are empty; randomness and clocks come from the
//! host; `proc_exit` traps.

use crate::hostcalls::raw;

const ERRNO_SUCCESS: i32 = 0;
const ERRNO_BADF: i32 = 8;
const ERRNO_INVAL: i32 = 28;

macro_rules! wasi_fn {
    ($plain:ident, $imported:ident, fn($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        #[no_mangle]
        pub unsafe extern "C" fn $plain($($arg: $ty),*) -> $ret $body
        #[no_mangle]
        pub unsafe extern "C" fn $imported($($arg: $ty),*) -> $ret {
            $plain($($arg),*)
        }
    };
}

wasi_fn!(fd_write, __imported_wasi_snapshot_preview1_fd_write,
         fn(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32) -> i32 {
    if fd != 1 && fd != 2 {
        return ERRNO_BADF;
    }
    let mut total = 0usize;
    for i in 0..iovs_len as usize {
        let iov = (iovs as usize + 8 * i) as *const u32;
        let (ptr, len) = (*iov as usize, *iov.add(1) as usize);
        let bytes = core::slice::from_raw_parts(ptr as *const u8, len);
        // One debug line per write, without the newline println! adds.
        let line = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        if !line.is_empty() {
            raw::hostcall_debug(line.as_ptr(), line.len());
        }
        total += len;
    }
    *(nwritten as usize as *mut u32) = total as u32;
    ERRNO_SUCCESS
});

wasi_fn!(random_get, __imported_wasi_snapshot_preview1_random_get, fn(buf: i32, len: i32) -> i32 {
    let out = core::slice::from_raw_parts_mut(buf as usize as *mut u8, len as usize);
    for chunk in out.chunks_mut(8) {
        let v = raw::hostcall_rng_next_u64().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
    ERRNO_SUCCESS
});

wasi_fn!(clock_time_get, __imported_wasi_snapshot_preview1_clock_time_get,
         fn(_id: i32, _precision: i64, time: i32) -> i32 {
    let mut nanos: u32 = 0;
    let secs = raw::hostcall_time_now(&mut nanos);
    *(time as usize as *mut u64) = secs.wrapping_mul(1_000_000_000).wrapping_add(u64::from(nanos));
    ERRNO_SUCCESS
});

/// Sizes of an empty list (environment or arguments): 0 entries, 0 bytes.
unsafe fn empty_sizes(count: i32, size: i32) -> i32 {
    *(count as usize as *mut u32) = 0;
    *(size as usize as *mut u32) = 0;
    ERRNO_SUCCESS
}

wasi_fn!(environ_sizes_get, __imported_wasi_snapshot_preview1_environ_sizes_get, fn(count: i32, size: i32) -> i32 {
    empty_sizes(count, size)
});
wasi_fn!(environ_get, __imported_wasi_snapshot_preview1_environ_get, fn(_environ: i32, _buf: i32) -> i32 {
    ERRNO_SUCCESS
});
wasi_fn!(args_sizes_get, __imported_wasi_snapshot_preview1_args_sizes_get, fn(count: i32, size: i32) -> i32 {
    empty_sizes(count, size)
});
wasi_fn!(args_get, __imported_wasi_snapshot_preview1_args_get, fn(_argv: i32, _buf: i32) -> i32 {
    ERRNO_SUCCESS
});
wasi_fn!(sched_yield, __imported_wasi_snapshot_preview1_sched_yield, fn() -> i32 { ERRNO_SUCCESS });
wasi_fn!(fd_close, __imported_wasi_snapshot_preview1_fd_close, fn(_fd: i32) -> i32 { ERRNO_BADF });
wasi_fn!(fd_fdstat_get, __imported_wasi_snapshot_preview1_fd_fdstat_get, fn(_fd: i32, _stat: i32) -> i32 {
    ERRNO_BADF
});
wasi_fn!(fd_seek, __imported_wasi_snapshot_preview1_fd_seek,
         fn(_fd: i32, _offset: i64, _whence: i32, _new: i32) -> i32 { ERRNO_BADF });
wasi_fn!(fd_prestat_get, __imported_wasi_snapshot_preview1_fd_prestat_get, fn(_fd: i32, _buf: i32) -> i32 {
    ERRNO_BADF
});
wasi_fn!(fd_prestat_dir_name, __imported_wasi_snapshot_preview1_fd_prestat_dir_name,
         fn(_fd: i32, _path: i32, _len: i32) -> i32 { ERRNO_INVAL });

wasi_fn!(proc_exit, __imported_wasi_snapshot_preview1_proc_exit, fn(_code: i32) -> () {
    core::arch::wasm32::unreachable()
});

// The same functions under the mangled names Rust's std imports them by.
include!(concat!(env!("OUT_DIR"), "/wasi_std_aliases.rs"));
