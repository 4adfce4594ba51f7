//! Guest SDK for `vivarium serve`, source-compatible with Terrarium's
//! `http_guest` 0.1: a Terrarium program builds after replacing the crate
//! name `http_guest` with `vivarium_guest` (or, with no source change at all,
//! by depending on `http_guest = { package = "vivarium_guest", ... }`).
//!
//! The contract with the host is `env.hostcall_*` (shared/terrarium/ABI.md).
//! Differences from the original, forced by what Debian packages: `http` is
//! 0.2 (builder methods take `self`, so chained builders work but statement
//! style `b.header(..);` does not), `Time::since_epoch` returns
//! `std::time::Duration`, `GuestRng` has `RngCore`'s methods without the
//! `rand_core` trait, and errors implement `std::error::Error` (which is what
//! `failure` needs for `?`) rather than deriving `Fail`.

mod client;
mod dns;
mod guest_allocator;
pub mod hostcalls;
pub mod kvstore;
mod panic;
pub mod rand;
#[macro_use]
mod scaffolding;
pub mod time;
#[cfg(target_os = "wasi")]
mod wasi_shim;

pub use client::{select, PendingRequest, PollResult, RequestExt, SendError};
pub use dns::{DNSError, DNS};
pub use http::{self, header, Error, HeaderMap, Method, Request, Response, StatusCode, Uri};
pub use kvstore::KVStore;
pub use time::Time;

// Used by the scaffolding macros; harmless to call directly.
pub use guest_allocator::{guest_free, guest_malloc, init_mm_default};
pub use panic::panic_set_once;
pub use scaffolding::{raw_entrypoint, raw_entrypoint_kvs};
