//! Panics on /panic (the client gets a 500 carrying the message) and answers
//! "still fine" elsewhere: the next request gets a fresh instance.
#[macro_use]
extern crate vivarium_guest;

use vivarium_guest::{Request, Response};

fn handler(req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    if req.uri().path() == "/panic" {
        let n: u32 = 42;
        panic!("rust guest panicked on purpose: {}", n);
    }
    Response::builder().status(200).body(b"still fine".to_vec()).unwrap()
}

guest_app!(handler);
