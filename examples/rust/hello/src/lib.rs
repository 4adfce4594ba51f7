//! The smallest service: every request gets "Hello, world!".
//! Written exactly like Terrarium's Rust template, with the crate renamed.
#[macro_use]
extern crate vivarium_guest;

use vivarium_guest::{Request, Response};

pub fn user_entrypoint(_req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    Response::builder()
        .status(200)
        .header("content-type", "text/plain; charset=utf-8")
        .body("Hello, world!\n".as_bytes().to_owned())
        .unwrap()
}

guest_app!(user_entrypoint);
