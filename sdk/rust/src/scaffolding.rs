//! The `run` export: `guest_app!`/`guest_app_kvs!` turn a function on
//! `http` types into a Terrarium guest.

use crate::hostcalls::types::{RequestHandle, ResponseHandle};
use crate::kvstore::KVStore;
use http::header::{HeaderName, HeaderValue};
use http::{Method, Request, Response, Uri};

/// Exports `run`, which installs the panic hook, registers the allocator
/// with the host, and answers the incoming request with
/// `user_entrypoint: fn(&Request<Vec<u8>>) -> Response<Vec<u8>>`.
///
/// ```text
/// use vivarium_guest::{guest_app, Request, Response};
///
/// fn hello(_req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
///     Response::builder().status(200).body(b"Hello!".to_vec()).unwrap()
/// }
///
/// guest_app!(hello);
/// ```
#[macro_export]
macro_rules! guest_app {
    ($user_entrypoint:path) => {
        #[no_mangle]
        pub extern "C" fn run() {
            $crate::panic_set_once();
            $crate::init_mm_default();
            $crate::raw_entrypoint($user_entrypoint);
        }
    };
}

/// Like `guest_app!` for entry points that also take the key-value store:
/// `fn(&mut KVStore, &Request<Vec<u8>>) -> Response<Vec<u8>>`.
#[macro_export]
macro_rules! guest_app_kvs {
    ($user_entrypoint:path) => {
        #[no_mangle]
        pub extern "C" fn run() {
            $crate::panic_set_once();
            $crate::init_mm_default();
            $crate::raw_entrypoint_kvs($user_entrypoint);
        }
    };
}

#[doc(hidden)]
pub fn raw_entrypoint<F>(user_entrypoint: F)
where
    F: Fn(&Request<Vec<u8>>) -> Response<Vec<u8>>,
{
    build_resp(user_entrypoint(&build_req()));
}

#[doc(hidden)]
pub fn raw_entrypoint_kvs<F>(user_entrypoint: F)
where
    F: Fn(&mut KVStore, &Request<Vec<u8>>) -> Response<Vec<u8>>,
{
    build_resp(user_entrypoint(&mut KVStore::global(), &build_req()));
}

/// The incoming request. The host hands over a valid method, origin-form
/// path and header names (it rejects the rest with 400 before `run`);
/// anything the `http` crate still refuses is left out rather than trapping.
fn build_req() -> Request<Vec<u8>> {
    let inc = RequestHandle::INCOMING;
    let mut req = Request::new(inc.get_body());
    if let Ok(m) = Method::from_bytes(inc.get_method().as_bytes()) {
        *req.method_mut() = m;
    }
    if let Ok(u) = inc.get_path().parse::<Uri>() {
        *req.uri_mut() = u;
    }
    for name in inc.get_headers() {
        let name = match HeaderName::from_bytes(name.as_bytes()) {
            Ok(n) => n,
            Err(_) => continue,
        };
        for v in inc.get_header_bytes(name.as_str()).unwrap_or_default() {
            if let Ok(v) = HeaderValue::from_bytes(&v) {
                req.headers_mut().append(&name, v);
            }
        }
    }
    req
}

/// The outgoing response: headers (every value of each), body, status.
fn build_resp(resp: Response<Vec<u8>>) {
    let mut out = ResponseHandle::OUTGOING;
    let headers = resp.headers();
    for name in headers.keys() {
        let values: Vec<&[u8]> = headers.get_all(name).iter().map(HeaderValue::as_bytes).collect();
        out.set_header_bytes(name.as_str(), &values);
    }
    out.set_body(resp.body());
    out.set_response_code(resp.status().as_u16());
}
