//! Written against Terrarium's `http_guest` API, unchanged: `extern crate
//! http_guest`, the raw handle API under `http_guest::hostcalls`, and the KV
//! store. GET /visits/NAME counts visits in KV (with `append`) and answers
//! "PATH visits=N"; every request also logs a debug line.
#[macro_use]
extern crate http_guest;

use http_guest::hostcalls::types::RequestHandle;
use http_guest::{KVStore, Request, Response};

fn incoming_path() -> String {
    RequestHandle::INCOMING.get_path()
}

pub fn user_entrypoint(kvs: &mut KVStore, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    http_guest::hostcalls::debug("terrarium-style guest");
    let path = incoming_path();
    kvs.append(req.uri().path(), b".");
    let visits = kvs.get(req.uri().path()).map(|v| v.len()).unwrap_or(0);
    Response::builder()
        .status(200)
        .header("x-method", RequestHandle::INCOMING.get_method().as_str())
        .body(format!("{} visits={}", path, visits).into_bytes())
        .unwrap()
}

guest_app_kvs!(user_entrypoint);
